import { odata } from '@azure/data-tables';
import type { CounterStore, PaceRow, StoredPace } from '../types.js';
import { ensureTables, isStatus, key, type ModerationTables, type Row, readRow, text, unkey } from './rows.js';

const paceRowKey = (room: string) => key(`pace:${room}`);
const reportsRowKey = 'reports';

function paceRow(row: Row): PaceRow | undefined {
  const pace = text(row, 'pace');
  const lines = text(row, 'lines');
  return pace === undefined ? undefined : { pace, ...(lines !== undefined ? { lines } : {}) };
}

/** A user's counters: `pace:<room>` (rate, flood, slow mode, strikes) and `reports` (the report window), in the user's partition of the bans table. */
export class TableCounterStore implements CounterStore {
  constructor(private readonly tables: Pick<ModerationTables, 'bans'>) {}

  private ensureTables(): Promise<void> {
    return ensureTables(this.tables);
  }

  async getPace(userId: string, room: string): Promise<StoredPace | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.bans, key(userId), paceRowKey(room));
    const pace = row && paceRow(row);
    return pace && row?.etag ? { ...pace, etag: row.etag } : undefined;
  }

  async putPace(userId: string, room: string, row: PaceRow, etag: string | undefined): Promise<string | undefined> {
    await this.ensureTables();
    const entity = { partitionKey: key(userId), rowKey: paceRowKey(room), ...row };
    try {
      const written =
        etag === undefined
          ? await this.tables.bans.createEntity(entity)
          : await this.tables.bans.updateEntity(entity, 'Replace', { etag });
      return written.etag;
    } catch (error) {
      if (isStatus(error, 409, 412)) return undefined;
      throw error;
    }
  }

  /** One query of the user's partition for its `pace:` rows. */
  async listPaces(userId: string): Promise<(PaceRow & { room: string })[]> {
    await this.ensureTables();
    const [start, end] = [key('pace:'), key('pace;')];
    const filter = odata`PartitionKey eq ${key(userId)} and RowKey ge ${start} and RowKey lt ${end}`;
    const paces: (PaceRow & { room: string })[] = [];
    for await (const row of this.tables.bans.listEntities({ queryOptions: { filter } })) {
      const pace = paceRow(row);
      if (pace) paces.push({ room: unkey(row.rowKey ?? '').slice('pace:'.length), ...pace });
    }
    return paces;
  }

  /** A fixed window per user: read, then create or update with the ETag, again if another report won the race. */
  async countReport(userId: string, now: Date, windowMs: number): Promise<number> {
    await this.ensureTables();
    for (let attempt = 0; ; attempt++) {
      const row = await readRow(this.tables.bans, key(userId), reportsRowKey);
      const windowStart = Number(row?.windowStart ?? 0);
      const fresh = !row || now.getTime() - windowStart >= windowMs;
      const count = fresh ? 1 : Number(row.count ?? 0) + 1;
      const entity = {
        partitionKey: key(userId),
        rowKey: reportsRowKey,
        windowStart: fresh ? now.getTime() : windowStart,
        count,
      };
      try {
        if (row?.etag) await this.tables.bans.updateEntity(entity, 'Replace', { etag: row.etag });
        else await this.tables.bans.createEntity(entity);
        return count;
      } catch (error) {
        if (attempt >= 4 || !isStatus(error, 409, 412)) throw error;
      }
    }
  }
}
