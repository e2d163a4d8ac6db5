import type { StatsPoint, StatsSummary } from '../contracts.js';
import type { StatsBucket } from '../store/types.js';

export type StatsWindow = StatsSummary['window'];

const shapes = { hour: { points: 60, stepMs: 60_000 }, day: { points: 24, stepMs: 3_600_000 } } as const;

/** The window's first moment: the start of its oldest point, so that the current minute or hour is the last one. */
export function windowStart(window: StatsWindow, now: Date): Date {
  const { points, stepMs } = shapes[window];
  return new Date((Math.floor(now.getTime() / stepMs) - points + 1) * stepMs);
}

/** Sums every instance's buckets into the window's series, its busiest rooms and most refused users. */
export function summarize(
  buckets: readonly StatsBucket[],
  options: { window: StatsWindow; room?: string; now: Date },
): StatsSummary {
  const { points, stepMs } = shapes[options.window];
  const start = windowStart(options.window, options.now).getTime();
  const series: StatsPoint[] = Array.from({ length: points }, (_, n) => ({
    start: new Date(start + n * stepMs).toISOString(),
    delivered: 0,
    refused: 0,
    refusedByRule: {},
    flagged: 0,
    reported: 0,
  }));
  const rooms = new Map<string, { delivered: number; refused: number }>();
  const refusers = new Map<string, number>();
  for (const bucket of buckets) {
    const refusedHere = Object.values(bucket.refused).reduce((sum, count) => sum + count, 0);
    const room = rooms.get(bucket.room) ?? { delivered: 0, refused: 0 };
    room.delivered += bucket.delivered;
    room.refused += refusedHere;
    rooms.set(bucket.room, room);
    if (options.room !== undefined && bucket.room !== options.room) continue;
    const point = series[Math.floor((bucket.minute.getTime() - start) / stepMs)];
    if (!point) continue;
    point.delivered += bucket.delivered;
    point.refused += refusedHere;
    point.flagged += bucket.flagged;
    point.reported += bucket.reported;
    for (const [rule, count] of Object.entries(bucket.refused)) {
      point.refusedByRule[rule] = (point.refusedByRule[rule] ?? 0) + count;
    }
    for (const [userId, count] of Object.entries(bucket.refusers)) {
      refusers.set(userId, (refusers.get(userId) ?? 0) + count);
    }
  }
  return {
    window: options.window,
    ...(options.room !== undefined ? { room: options.room } : {}),
    series,
    busiestRooms: [...rooms]
      .map(([room, counts]) => ({ room, ...counts }))
      .sort((a, b) => b.delivered - a.delivered || a.room.localeCompare(b.room))
      .slice(0, 10),
    topRefused: [...refusers]
      .map(([userId, refusals]) => ({ userId, refusals }))
      .sort((a, b) => b.refusals - a.refusals || a.userId.localeCompare(b.userId))
      .slice(0, 10),
  };
}
