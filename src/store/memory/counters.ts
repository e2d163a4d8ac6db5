import type { CounterStore, PaceRow, StoredPace } from '../types.js';

export class MemoryCounterStore implements CounterStore {
  private readonly paces = new Map<string, StoredPace>();
  private readonly reports = new Map<string, { windowStart: number; count: number }>();
  private writes = 0;

  async getPace(userId: string, room: string): Promise<StoredPace | undefined> {
    const stored = this.paces.get(`${userId}\n${room}`);
    return stored && { ...stored };
  }

  /** Conditional on the ETag, as Table Storage's update (and create, when there is none) are. */
  async putPace(userId: string, room: string, row: PaceRow, etag: string | undefined): Promise<string | undefined> {
    const id = `${userId}\n${room}`;
    if (this.paces.get(id)?.etag !== etag) return undefined;
    const next = `W/"${++this.writes}"`;
    this.paces.set(id, { ...row, etag: next });
    return next;
  }

  async listPaces(userId: string): Promise<(PaceRow & { room: string })[]> {
    return [...this.paces]
      .filter(([id]) => id.startsWith(`${userId}\n`))
      .map(([id, { etag: _etag, ...row }]) => ({ room: id.slice(userId.length + 1), ...row }));
  }

  async countReport(userId: string, now: Date, windowMs: number): Promise<number> {
    const current = this.reports.get(userId);
    const fresh = !current || now.getTime() - current.windowStart >= windowMs;
    const next = fresh ? { windowStart: now.getTime(), count: 1 } : { ...current, count: current.count + 1 };
    this.reports.set(userId, next);
    return next.count;
  }
}
