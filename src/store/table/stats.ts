import type { TableTransaction } from '@azure/data-tables';
import type { StatsBucket, StatsStore } from '../types.js';
import { collect, ensureTables, key, type ModerationTables, type Row, text, unkey } from './rows.js';

const hourMs = 3_600_000;
/** Table Storage takes at most 100 operations in one transaction (entity group transaction). */
const maxBatch = 100;

/** `h:2026-12-03T10`: one partition per hour, so a day's read is 24 partition queries and an hour's one or two. */
const hourPartition = (at: Date) => `h:${at.toISOString().slice(0, 13)}`;

/**
 * Insight counters: partition by hour, row `<minute>|<room>|<instance>`. An instance flushes every few seconds, one
 * transaction per hour partition for all the rooms it counted; with n instances that is about n/5 writes a second
 * on the current hour's partition, far below Table Storage's 2,000 entities a second per partition.
 */
export class TableStatsStore implements StatsStore {
  constructor(private readonly tables: Pick<ModerationTables, 'stats'>) {}

  async putBuckets(buckets: readonly StatsBucket[]): Promise<void> {
    await ensureTables(this.tables);
    const byPartition = new Map<string, StatsBucket[]>();
    for (const bucket of buckets) {
      const partition = hourPartition(bucket.minute);
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), bucket]);
    }
    const batches: Promise<unknown>[] = [];
    for (const [partitionKey, rows] of byPartition) {
      for (let at = 0; at < rows.length; at += maxBatch) {
        const actions = rows.slice(at, at + maxBatch).map((bucket): TableTransaction['actions'][number] => [
          'upsert',
          {
            partitionKey,
            rowKey: `${bucket.minute.toISOString().slice(14, 16)}|${key(bucket.room)}|${key(bucket.instance)}`,
            minute: bucket.minute.toISOString(),
            room: bucket.room,
            instance: bucket.instance,
            delivered: bucket.delivered,
            refused: JSON.stringify(bucket.refused),
            flagged: bucket.flagged,
            reported: bucket.reported,
            refusers: JSON.stringify(bucket.refusers),
          },
          'Replace',
        ]);
        batches.push(this.tables.stats.submitTransaction(actions));
      }
    }
    await Promise.all(batches);
  }

  async listBuckets(from: Date, to: Date): Promise<StatsBucket[]> {
    await ensureTables(this.tables);
    const partitions: string[] = [];
    for (let at = Math.floor(from.getTime() / hourMs) * hourMs; at < to.getTime(); at += hourMs) {
      partitions.push(hourPartition(new Date(at)));
    }
    const pages = await Promise.all(
      partitions.map((partition) =>
        collect(
          this.tables.stats.listEntities({ queryOptions: { filter: `PartitionKey eq '${partition}'` } }),
          bucketOf,
        ),
      ),
    );
    return pages.flat().filter((bucket) => bucket.minute >= from && bucket.minute < to);
  }
}

function bucketOf(row: Row): StatsBucket {
  const counts = (name: string): Record<string, number> => {
    try {
      const parsed: unknown = JSON.parse(text(row, name) ?? '{}');
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(Object.entries(parsed).filter(([, value]) => Number.isFinite(value)));
    } catch {
      return {};
    }
  };
  const [, room = '', instance = ''] = (row.rowKey ?? '').split('|');
  return {
    minute: new Date(text(row, 'minute') ?? 0),
    room: text(row, 'room') ?? unkey(room),
    instance: text(row, 'instance') ?? unkey(instance),
    delivered: Number(row.delivered ?? 0),
    refused: counts('refused'),
    flagged: Number(row.flagged ?? 0),
    reported: Number(row.reported ?? 0),
    refusers: counts('refusers'),
  };
}
