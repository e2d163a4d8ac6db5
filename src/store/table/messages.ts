import { odata } from '@azure/data-tables';
import { GroupCommit } from '../group-commit.js';
import { nearestAround } from '../messages-around.js';
import { withReport } from '../queue-reports.js';
import type { MessageRecord, MessageStore, QueueItem, QueueReport } from '../types.js';
import {
  collect,
  deleteRow,
  ensureTables,
  isStatus,
  key,
  type ModerationTables,
  type Row,
  readRow,
  text,
  unkey,
} from './rows.js';
import { roomOfPartition, roomPartition, roomPartitions } from './shards.js';

const maxTableQueryRows = 1_000;
function toMessage(row: Row): MessageRecord {
  return {
    id: unkey(row.rowKey ?? ''),
    room: roomOfPartition(row.partitionKey ?? '') ?? '',
    from: text(row, 'from') ?? '',
    connectionId: text(row, 'connectionId') ?? '',
    text: text(row, 'text') ?? '',
    ts: new Date(text(row, 'ts') ?? 0),
    expiresAt: new Date(text(row, 'expiresAt') ?? 0),
  };
}
function toQueueItem(row: Row): QueueItem {
  const room = unkey(row.partitionKey ?? '');
  const messageId = unkey(row.rowKey ?? '');
  const reports = JSON.parse(text(row, 'reports') ?? '[]') as QueueReport[];
  return {
    id: `${room}.${messageId}`,
    room,
    messageId,
    from: text(row, 'from') ?? '',
    connectionId: text(row, 'connectionId') ?? '',
    text: text(row, 'text') ?? '',
    ts: new Date(text(row, 'ts') ?? 0),
    rules: JSON.parse(text(row, 'rules') ?? '[]') as string[],
    reports,
    reportCount: Number(row.reportCount ?? reports.length),
    createdAt: new Date(text(row, 'createdAt') ?? 0),
  };
}

/**
 * Delivered messages (the room's shards, `shards.ts`, the shard picked by the message id; kept until `expiresAt`) and
 * the review queue (partition by room, row by message id: only flagged and reported lines, far fewer).
 */
export class TableMessageStore implements MessageStore {
  /** A shard's lines in one transaction per round trip: Table Storage allows 100 operations per transaction. */
  private readonly messageWrites = new GroupCommit<MessageRecord>(async (partitionKey, messages) => {
    const entities = messages.map((message) => ({
      partitionKey,
      rowKey: key(message.id),
      from: message.from,
      connectionId: message.connectionId,
      text: message.text,
      ts: message.ts.toISOString(),
      expiresAt: message.expiresAt.toISOString(),
    }));
    const [single] = entities;
    if (single && entities.length === 1) await this.tables.messages.upsertEntity(single, 'Replace');
    else await this.tables.messages.submitTransaction(entities.map((entity) => ['upsert', entity, 'Replace']));
  }, 100);

  constructor(private readonly tables: Pick<ModerationTables, 'messages' | 'queue'>) {}

  private ensureTables(): Promise<void> {
    return ensureTables(this.tables);
  }

  async recordMessage(message: MessageRecord): Promise<void> {
    await this.ensureTables();
    await this.messageWrites.write(roomPartition(message.room, message.id), message);
  }

  /** The room's 16 shards queried in parallel for the time span (`ts` is an ISO string, so it sorts as text). */
  async listMessagesAround(
    room: string,
    at: Date,
    { spanMs, limit, now }: { spanMs: number; limit: number; now: Date },
  ): Promise<{ before: MessageRecord[]; after: MessageRecord[] }> {
    await this.ensureTables();
    const from = new Date(at.getTime() - spanMs).toISOString();
    const to = new Date(at.getTime() + spanMs).toISOString();
    const shards = await Promise.all(
      roomPartitions(room).map((partition) =>
        collect(
          this.tables.messages.listEntities({
            queryOptions: { filter: odata`PartitionKey eq ${partition} and ts ge ${from} and ts le ${to}` },
          }),
          toMessage,
        ),
      ),
    );
    return nearestAround(
      shards.flat().filter((line) => line.expiresAt > now),
      at,
      limit,
    );
  }

  async getMessage(room: string, id: string, now: Date): Promise<MessageRecord | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.messages, roomPartition(room, id), key(id));
    const message = row && toMessage(row);
    return message && message.expiresAt > now ? message : undefined;
  }

  async deleteMessage(room: string, id: string): Promise<void> {
    await this.ensureTables();
    await deleteRow(this.tables.messages, roomPartition(room, id), key(id));
  }

  /** Read, merge, write with the row's ETag, and again if another report won the race. */
  async enqueue(
    message: MessageRecord,
    addition: { rules?: string[]; report?: QueueReport },
    now: Date,
  ): Promise<QueueItem> {
    await this.ensureTables();
    const partitionKey = key(message.room);
    const rowKey = key(message.id);
    for (let attempt = 0; ; attempt++) {
      const row = await readRow(this.tables.queue, partitionKey, rowKey);
      const current = row ? toQueueItem(row) : undefined;
      const item: QueueItem = {
        id: `${message.room}.${message.id}`,
        room: message.room,
        messageId: message.id,
        from: message.from,
        connectionId: message.connectionId,
        text: message.text,
        ts: message.ts,
        rules: [...new Set([...(current?.rules ?? []), ...(addition.rules ?? [])])],
        // Bounded, so a row stays far below the Table property limit however often a message is reported.
        ...withReport({ reports: current?.reports ?? [], reportCount: current?.reportCount ?? 0 }, addition.report),
        createdAt: current?.createdAt ?? now,
      };
      const entity = {
        partitionKey,
        rowKey,
        from: item.from,
        connectionId: item.connectionId,
        text: item.text,
        ts: item.ts.toISOString(),
        rules: JSON.stringify(item.rules),
        reports: JSON.stringify(item.reports),
        reportCount: item.reportCount,
        createdAt: item.createdAt.toISOString(),
      };
      try {
        if (row) await this.tables.queue.updateEntity(entity, 'Replace', { etag: row.etag });
        else await this.tables.queue.createEntity(entity);
        return item;
      } catch (error) {
        if (attempt >= 4 || !isStatus(error, 409, 412)) throw error;
      }
    }
  }

  async getQueueItem(id: string): Promise<QueueItem | undefined> {
    await this.ensureTables();
    const dot = id.indexOf('.');
    if (dot < 1) return undefined;
    const row = await readRow(this.tables.queue, key(id.slice(0, dot)), key(id.slice(dot + 1)));
    return row && toQueueItem(row);
  }

  async listQueue({ room, limit }: { room?: string; limit: number }): Promise<QueueItem[]> {
    await this.ensureTables();
    const rows = this.tables.queue.listEntities(
      room ? { queryOptions: { filter: odata`PartitionKey eq ${key(room)}` } } : {},
    );
    const items: QueueItem[] = [];
    for await (const row of rows) {
      items.push(toQueueItem(row));
      if (items.length >= maxTableQueryRows) break;
    }
    return items.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, limit);
  }

  async deleteQueueItem(id: string): Promise<void> {
    await this.ensureTables();
    const dot = id.indexOf('.');
    await deleteRow(this.tables.queue, key(id.slice(0, dot)), key(id.slice(dot + 1)));
  }
}
