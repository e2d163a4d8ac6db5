import { isRestError } from '@azure/core-rest-pipeline';
import type { TableClient, TableEntityResult } from '@azure/data-tables';

/** The app's tables; each area's store takes the ones it uses. */
export interface ModerationTables {
  /**
   * Per user (partition by user): bans, mutes and shadow bans (row `<kind>:<scope>`), the user's counters
   * (`pace:<room>`, `reports`) and open connections (`connection:<id>`). Only sanction rows have `until`, which is
   * what `listSanctions` filters on.
   */
  bans: TableClient;
  audit: TableClient;
  presence: TableClient;
  /** Room limits: partition by room. */
  rooms: TableClient;
  /** List rules: partition by scope (`global`, `room:<room>`), and the configuration version row. */
  rules: TableClient;
  /** Delivered messages, kept for reports until `expiresAt`: partition by room. */
  messages: TableClient;
  /** The review queue: partition by room, row by message id. */
  queue: TableClient;
  /** Insight counters: partition by hour, row by minute, room and instance. */
  stats: TableClient;
}

export type Row = TableEntityResult<Record<string, unknown>>;

/** Table keys may not hold `/ \ # ?` or control characters; percent-encoding removes them all, reversibly. */
export const key = (value: string) => encodeURIComponent(value);
export const unkey = (value: string) => decodeURIComponent(value);

export const text = (row: Row, name: string) => (typeof row[name] === 'string' ? (row[name] as string) : undefined);

export const isStatus = (error: unknown, ...statuses: number[]) =>
  isRestError(error) && statuses.includes(error.statusCode ?? 0);

/** A point read that answers undefined for a missing row. */
export async function readRow(table: TableClient, partitionKey: string, rowKey: string): Promise<Row | undefined> {
  try {
    return await table.getEntity(partitionKey, rowKey);
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/** A delete that answers false for a missing row. */
export async function deleteRow(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
    return true;
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}

export async function collect<T>(rows: AsyncIterable<Row>, map: (row: Row) => T): Promise<T[]> {
  const items: T[] = [];
  for await (const row of rows) items.push(map(row));
  return items;
}

const created = new WeakMap<TableClient, Promise<void>>();

/**
 * Creates each table once per instance (a no-op where it exists, as it does when deployed with infra/); a failed
 * attempt is forgotten, so the next call tries again.
 */
export async function ensureTables(tables: Record<string, TableClient>): Promise<void> {
  await Promise.all(
    Object.values(tables).map((table) => {
      let ready = created.get(table);
      if (!ready) {
        ready = table.createTable().then(
          () => undefined,
          (error: unknown) => {
            if (isStatus(error, 409)) return;
            created.delete(table);
            throw error;
          },
        );
        created.set(table, ready);
      }
      return ready;
    }),
  );
}
