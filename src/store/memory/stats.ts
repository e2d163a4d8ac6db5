import type { StatsBucket, StatsStore } from '../types.js';

export class MemoryStatsStore implements StatsStore {
  private readonly buckets = new Map<string, StatsBucket>();

  async putBuckets(buckets: readonly StatsBucket[]): Promise<void> {
    for (const bucket of buckets) {
      this.buckets.set(`${bucket.minute.toISOString()}\n${bucket.room}\n${bucket.instance}`, structuredClone(bucket));
    }
  }

  async listBuckets(from: Date, to: Date): Promise<StatsBucket[]> {
    return [...this.buckets.values()]
      .filter((bucket) => bucket.minute >= from && bucket.minute < to)
      .map((bucket) => structuredClone(bucket));
  }
}
