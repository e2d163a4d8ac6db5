import { describe, expect, it } from 'vitest';
import { withReport } from '../../../src/store/queue-reports.js';

const report = (by: string, n = 0) => ({ by, reason: `reason ${n}`, at: new Date(n).toISOString() });

describe('a queue item keeps each reporter once', () => {
  it('lets one user report 60 times without pushing out anyone else (the queue kept the last 50)', () => {
    let item = withReport({ reports: [], reportCount: 0 }, report('early-witness'));
    for (let i = 0; i < 60; i++) item = withReport(item, report('flooder', i));
    item = withReport(item, report('late-witness'));
    expect(item.reports.map((listed) => listed.by)).toEqual(['early-witness', 'flooder', 'late-witness']);
    expect(item.reports[1]?.reason).toBe('reason 0');
    expect(item.reportCount).toBe(3);
  });

  it('lists the first 50 distinct reporters and counts every report after them', () => {
    let item = { reports: [] as ReturnType<typeof report>[], reportCount: 0 };
    for (let i = 0; i < 55; i++) item = withReport(item, report(`user-${i}`));
    expect(item.reports).toHaveLength(50);
    expect(item.reports.at(-1)?.by).toBe('user-49');
    expect(item.reportCount).toBe(55);
    expect(withReport(item, undefined)).toBe(item);
  });
});
