import { randomUUID } from 'node:crypto';
import type { StatsBucket, StatsStore } from '../store/types.js';

/** What happened to a line, as the insights count it. */
export type LineOutcome =
  | { kind: 'delivered'; room: string; flagged: boolean }
  | { kind: 'refused'; room: string; rule: string; userId: string }
  | { kind: 'reported'; room: string };

export interface StatsRecorderOptions {
  now: () => Date;
  /** How often the counts are written: one batch per instance per interval. Default 5 s. */
  flushMs?: number;
  warn: (message: string) => void;
}

/** Users kept per bucket before the flush keeps the top ones; beyond it, new users are not counted by name. */
const maxTrackedRefusers = 1_000;
const refusersPerBucket = 20;
/** Minutes kept after their last flush, for a late line of the minute; older ones are let go. */
const keptMinutes = 2;

interface LiveBucket {
  bucket: StatsBucket;
  refusers: Map<string, number>;
  dirty: boolean;
}

/**
 * Counts lines in this instance's memory and writes them in a batch every few seconds, so the chat path pays an
 * increment, not a Table write: at most one transaction per hour partition per instance per interval. Each instance
 * writes rows of its own (a random instance id), cumulative for the minute, so a write is idempotent and no two
 * instances write one row; readers sum them. An instance that stops loses at most its last interval's counts.
 */
export class StatsRecorder {
  private readonly instance = randomUUID().slice(0, 8);
  private readonly live = new Map<string, LiveBucket>();
  private readonly flushMs: number;
  private lastFlush: number;
  /** Writes run one after another; a flush asked for during one runs after it, with what came since. */
  private writes: Promise<void> = Promise.resolve();
  private flushDue = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: StatsStore,
    private readonly options: StatsRecorderOptions,
  ) {
    this.flushMs = options.flushMs ?? 5_000;
    this.lastFlush = options.now().getTime();
    // Also when traffic stops; unref'd so an idle process can exit.
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  record(outcome: LineOutcome): void {
    const now = this.options.now();
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const id = `${minute.getTime()}\n${outcome.room}`;
    let live = this.live.get(id);
    if (!live) {
      const bucket: StatsBucket = {
        minute,
        room: outcome.room,
        instance: this.instance,
        delivered: 0,
        refused: {},
        flagged: 0,
        reported: 0,
        refusers: {},
      };
      live = { bucket, refusers: new Map(), dirty: true };
      this.live.set(id, live);
    }
    live.dirty = true;
    const { bucket } = live;
    if (outcome.kind === 'delivered') {
      bucket.delivered += 1;
      if (outcome.flagged) bucket.flagged += 1;
    } else if (outcome.kind === 'refused') {
      const refused = bucket.refused as Record<string, number>;
      refused[outcome.rule] = (refused[outcome.rule] ?? 0) + 1;
      const known = live.refusers.get(outcome.userId);
      if (known !== undefined || live.refusers.size < maxTrackedRefusers) {
        live.refusers.set(outcome.userId, (known ?? 0) + 1);
      }
    } else bucket.reported += 1;
    if (!this.flushDue && now.getTime() - this.lastFlush >= this.flushMs) {
      this.flushDue = true;
      void this.flush().finally(() => {
        this.flushDue = false;
      });
    }
  }

  /** Writes what changed since the last write, after any write under way. Failures are logged and retried next time. */
  flush(): Promise<void> {
    this.writes = this.writes.then(() => this.write());
    return this.writes;
  }

  private async write(): Promise<void> {
    const now = this.options.now().getTime();
    this.lastFlush = now;
    const changed = [...this.live.values()].filter((live) => live.dirty);
    for (const live of changed) live.dirty = false;
    if (changed.length > 0) {
      const buckets = changed.map(({ bucket, refusers }) => ({
        ...bucket,
        refused: { ...bucket.refused },
        refusers: Object.fromEntries([...refusers].sort((a, b) => b[1] - a[1]).slice(0, refusersPerBucket)),
      }));
      try {
        await this.store.putBuckets(buckets);
      } catch (error) {
        for (const live of changed) live.dirty = true;
        this.options.warn(`Insight counters not written (retried at the next flush): ${String(error)}`);
      }
    }
    for (const [id, live] of this.live) {
      if (!live.dirty && now - live.bucket.minute.getTime() > keptMinutes * 60_000) this.live.delete(id);
    }
  }
}
