import { describe, expect, it } from 'vitest';
import { StatsRecorder } from '../../../src/insights/stats-recorder.js';
import { summarize } from '../../../src/insights/summary.js';
import { MemoryStatsStore } from '../../../src/store/memory/stats.js';
import type { StatsBucket } from '../../../src/store/types.js';

/** A memory store that counts its writes: the chat path must not pay one per line. */
class CountingStore extends MemoryStatsStore {
  writes = 0;
  override async putBuckets(buckets: readonly StatsBucket[]): Promise<void> {
    this.writes++;
    await super.putBuckets(buckets);
  }
}

const start = new Date('2026-12-03T10:00:00Z').getTime();

describe('insight counters', () => {
  it('cost the chat path one batched write per instance per interval, however many lines', async () => {
    let clock = start;
    const store = new CountingStore();
    const recorder = new StatsRecorder(store, { now: () => new Date(clock), flushMs: 5_000, warn: () => {} });
    // 1,000 lines over 10 s in three rooms.
    for (let n = 0; n < 1_000; n++) {
      clock = start + n * 10;
      recorder.record({ kind: 'delivered', room: `room-${n % 3}`, flagged: n % 100 === 0 });
      if (n % 10 === 0) recorder.record({ kind: 'refused', room: 'room-0', rule: 'profanity', userId: `u${n % 7}` });
    }
    await recorder.flush();
    expect(store.writes).toBeLessThanOrEqual(3);
    const summary = summarize(await store.listBuckets(new Date(start), new Date(start + 60_000)), {
      window: 'hour',
      now: new Date(clock),
    });
    const point = summary.series.at(-1);
    expect(point).toMatchObject({ delivered: 1_000, refused: 100, flagged: 10, refusedByRule: { profanity: 100 } });
    expect(summary.busiestRooms.map((room) => room.room)).toEqual(['room-0', 'room-1', 'room-2']);
    expect(summary.topRefused[0]).toEqual({ userId: 'u0', refusals: 15 });
  });

  it('keeps counting when a write fails, and writes it all at the next flush', async () => {
    let fail = true;
    const warnings: string[] = [];
    const store = new MemoryStatsStore();
    const flaky = {
      putBuckets: async (buckets: readonly StatsBucket[]) => {
        if (fail) throw new Error('503 Server Busy');
        await store.putBuckets(buckets);
      },
      listBuckets: store.listBuckets.bind(store),
    };
    const recorder = new StatsRecorder(flaky, { now: () => new Date(start), warn: (w) => warnings.push(w) });
    recorder.record({ kind: 'reported', room: 'lobby' });
    await recorder.flush();
    expect(warnings).toEqual([expect.stringContaining('503 Server Busy')]);
    recorder.record({ kind: 'reported', room: 'lobby' });
    fail = false;
    await recorder.flush();
    expect(await store.listBuckets(new Date(start), new Date(start + 60_000))).toMatchObject([{ reported: 2 }]);
  });

  it('sums every instance and places each bucket at its minute, or its hour for a day', () => {
    const now = new Date('2026-12-03T10:30:20Z');
    const bucket = (minute: string, instance: string, delivered: number): StatsBucket => ({
      minute: new Date(minute),
      room: 'lobby',
      instance,
      delivered,
      refused: { rate: 1 },
      flagged: 0,
      reported: 0,
      refusers: { ann: 1 },
    });
    const buckets = [
      bucket('2026-12-03T10:30:00Z', 'a', 2),
      bucket('2026-12-03T10:30:00Z', 'b', 3),
      bucket('2026-12-03T09:31:00Z', 'a', 7),
      bucket('2026-12-02T11:00:00Z', 'a', 1),
    ];
    const hour = summarize(buckets, { window: 'hour', now });
    expect(hour.series).toHaveLength(60);
    expect(hour.series[0]?.start).toBe('2026-12-03T09:31:00.000Z');
    expect(hour.series[0]?.delivered).toBe(7);
    expect(hour.series.at(-1)).toMatchObject({ start: '2026-12-03T10:30:00.000Z', delivered: 5, refused: 2 });
    const day = summarize(buckets, { window: 'day', now });
    expect(day.series).toHaveLength(24);
    expect(day.series[0]).toMatchObject({ start: '2026-12-02T11:00:00.000Z', delivered: 1 });
    expect(day.series.at(-1)).toMatchObject({ start: '2026-12-03T10:00:00.000Z', delivered: 5 });
    expect(day.topRefused).toEqual([{ userId: 'ann', refusals: 4 }]);
    expect(summarize(buckets, { window: 'hour', now, room: 'other' }).series.every((p) => p.delivered === 0)).toBe(
      true,
    );
  });
});
