import { afterEach, describe, expect, it, vi } from 'vitest';
import { audited } from '../../../src/actions/audited.js';
import type { App } from '../../../src/app.js';
import type { AuditEntry } from '../../../src/store/types.js';

/** An app whose audit table fails the first `failures` writes (every write when Infinity). */
function appWithAuditFailures(failures: number) {
  const written: Omit<AuditEntry, 'id'>[] = [];
  let attempts = 0;
  const appendAudit = async (entry: Omit<AuditEntry, 'id'>) => {
    attempts++;
    if (attempts <= failures) throw new Error('Table Storage is unavailable');
    written.push(entry);
    return { ...entry, id: `audit-${attempts}` };
  };
  const app = { now: () => new Date('2026-12-03T08:00:00Z'), audit: { appendAudit } } as unknown as App;
  return { app, written, attempts: () => attempts };
}

const draft = { actor: 'mod', action: 'evict', connectionId: 'c1' } as const;

describe('audited', () => {
  afterEach(() => vi.restoreAllMocks());

  it('retries a failed audit write and returns the action result', async () => {
    const { app, written, attempts } = appWithAuditFailures(2);
    await expect(audited(app, draft, async () => 'done')).resolves.toBe('done');
    expect(attempts()).toBe(3);
    expect(written).toEqual([expect.objectContaining({ action: 'evict', outcome: 'succeeded' })]);
  });

  it('never turns a done action into a failure: an entry that cannot be written is logged whole', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { app, written } = appWithAuditFailures(Number.POSITIVE_INFINITY);
    await expect(audited(app, draft, async () => 'done')).resolves.toBe('done');
    expect(written).toEqual([]);
    expect(logged).toHaveBeenCalledOnce();
    expect(String(logged.mock.calls[0]?.[0])).toContain('"connectionId":"c1"');
    expect(String(logged.mock.calls[0]?.[0])).toContain('"outcome":"succeeded"');
  });

  it("keeps a failed action's own error when its audit write fails too", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { app } = appWithAuditFailures(Number.POSITIVE_INFINITY);
    const actionError = new Error('revokePermission failed with status 500');
    await expect(audited(app, draft, () => Promise.reject(actionError))).rejects.toBe(actionError);
  });
});
