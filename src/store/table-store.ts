import { randomBytes } from 'node:crypto';
import { isRestError } from '@azure/core-rest-pipeline';
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { GroupCommit } from './group-commit.js';
import type {
  AuditEntry,
  AuditPage,
  ListRuleRecord,
  MessageRecord,
  ModerationStore,
  PresenceEntry,
  QueueItem,
  QueueReport,
  RoomSettingsRecord,
  Sanction,
  SanctionKind,
  SanctionScope,
  StoredPace,
  UserConnection,
} from './types.js';

export interface ModerationTables {
  /**
   * Per user (partition by user): bans, mutes and shadow bans (row `<kind>:<scope>`), and the user's counters:
   * `pace:<room>` (rate, flood, slow mode, strikes), `reports` (the report window), `connection:<id>` (open ones).
   * Only sanction rows have `until`, which is what `listSanctions` filters on.
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
}

/** Table keys may not hold `/ \ # ?` or control characters; percent-encoding removes them all, reversibly. */
const key = (value: string) => encodeURIComponent(value);
const unkey = (value: string) => decodeURIComponent(value);

/** Audit rows spread over 16 partitions by target user, newest first inside each (inverted-time row keys). */
const auditShards = 16;
const maxTime = 9_999_999_999_999;
function auditShard(target: string | undefined): string {
  let hash = 2166136261;
  for (const ch of target ?? '') hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  return `a${((hash >>> 0) % auditShards).toString(16)}`;
}

type Row = TableEntityResult<Record<string, unknown>>;
const text = (row: Row, name: string) => (typeof row[name] === 'string' ? (row[name] as string) : undefined);

const sanctionRowKey = (kind: SanctionKind, scope: SanctionScope) => key(`${kind}:${scope}`);
const metaPartition = '~meta';
const paceRowKey = (room: string) => key(`pace:${room}`);
const reportsRowKey = 'reports';
const connectionRowPrefix = key('connection:');
/** Just past every `connection:` row key (`%3A` → `%3B`). */
const connectionRowEnd = key('connection;');
/** The first N distinct reporters a queue item lists; later reporters are only counted. */
const listedReporters = 50;
const maxTableQueryRows = 1_000;

function toSanction(row: Row): Sanction {
  const [kind = 'ban', ...scope] = unkey(row.rowKey ?? '').split(':');
  return {
    kind: kind as SanctionKind,
    userId: unkey(row.partitionKey ?? ''),
    scope: scope.join(':') as SanctionScope,
    until: new Date(text(row, 'until') ?? 0),
    reason: text(row, 'reason') ?? '',
    actor: text(row, 'actor') ?? '',
    createdAt: new Date(text(row, 'createdAt') ?? 0),
  };
}

function toRoomSettings(row: Row): RoomSettingsRecord {
  const maxLength = row.maxLength;
  return {
    room: unkey(row.partitionKey ?? ''),
    slowModeSeconds: Number(row.slowModeSeconds ?? 0),
    ...(typeof maxLength === 'number' ? { maxLength } : {}),
    linksAllowed: row.linksAllowed !== false,
    updatedBy: text(row, 'updatedBy') ?? '',
    updatedAt: new Date(text(row, 'updatedAt') ?? 0),
  };
}

function toRule(row: Row): ListRuleRecord {
  return {
    id: row.rowKey ?? '',
    kind: text(row, 'kind') as ListRuleRecord['kind'],
    pattern: text(row, 'pattern') ?? '',
    action: text(row, 'action') as ListRuleRecord['action'],
    scope: unkey(row.partitionKey ?? '') as ListRuleRecord['scope'],
    createdBy: text(row, 'createdBy') ?? '',
    createdAt: new Date(text(row, 'createdAt') ?? 0),
  };
}

function toMessage(row: Row): MessageRecord {
  return {
    id: unkey(row.rowKey ?? ''),
    room: unkey(row.partitionKey ?? ''),
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
 * The reports after one more: a reporter already listed changes nothing (one user cannot push everyone else's
 * reports out), a new one is listed while there is room, and every report after that is only counted.
 */
export function withReport(
  item: Pick<QueueItem, 'reports' | 'reportCount'>,
  report: QueueReport | undefined,
): Pick<QueueItem, 'reports' | 'reportCount'> {
  if (!report || item.reports.some((listed) => listed.by === report.by)) return item;
  if (item.reports.length >= listedReporters) return { reports: item.reports, reportCount: item.reportCount + 1 };
  return { reports: [...item.reports, report], reportCount: item.reportCount + 1 };
}

const isStatus = (error: unknown, ...statuses: number[]) =>
  isRestError(error) && statuses.includes(error.statusCode ?? 0);

/** A point read that answers undefined for a missing row. */
async function readRow(table: TableClient, partitionKey: string, rowKey: string): Promise<Row | undefined> {
  try {
    return await table.getEntity(partitionKey, rowKey);
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/** A delete that answers false for a missing row. */
async function deleteRow(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
    return true;
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}

async function collect<T>(rows: AsyncIterable<Row>, map: (row: Row) => T): Promise<T[]> {
  const items: T[] = [];
  for await (const row of rows) items.push(map(row));
  return items;
}

function toAudit(row: Row): AuditEntry {
  const steps = text(row, 'steps');
  const optional = (name: string) => (text(row, name) === undefined ? {} : { [name]: text(row, name) });
  return {
    id: `${row.partitionKey}.${row.rowKey}`,
    at: new Date(text(row, 'at') ?? 0),
    actor: text(row, 'actor') ?? '',
    action: text(row, 'action') as AuditEntry['action'],
    outcome: text(row, 'outcome') as AuditEntry['outcome'],
    ...optional('target'),
    ...optional('connectionId'),
    ...optional('room'),
    ...optional('rule'),
    ...optional('reason'),
    ...optional('error'),
    ...(steps ? { steps: JSON.parse(steps) } : {}),
  };
}

/** Sanctions, the audit log, room presence, room settings, list rules, messages and the queue in Table Storage. */
export class TableModerationStore implements ModerationStore {
  private ready: Promise<void> | undefined;

  /** A room's lines in one transaction per round trip: Table Storage allows 100 operations per transaction. */
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

  constructor(private readonly tables: ModerationTables) {}

  /** Creates the tables once per instance (a no-op where they exist, as they do when deployed with infra/). */
  private ensureTables(): Promise<void> {
    this.ready ??= Promise.all(
      Object.values(this.tables).map((table) =>
        table.createTable().catch((error: unknown) => {
          if (!(isRestError(error) && error.statusCode === 409)) throw error;
        }),
      ),
    ).then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready;
  }

  async getSanction(
    kind: SanctionKind,
    userId: string,
    scope: SanctionScope,
    now: Date,
  ): Promise<Sanction | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.bans, key(userId), sanctionRowKey(kind, scope));
    const sanction = row && toSanction(row);
    return sanction && sanction.until > now ? sanction : undefined;
  }

  async putSanction(sanction: Sanction): Promise<void> {
    await this.ensureTables();
    await this.tables.bans.upsertEntity(
      {
        partitionKey: key(sanction.userId),
        rowKey: sanctionRowKey(sanction.kind, sanction.scope),
        until: sanction.until.toISOString(),
        reason: sanction.reason,
        actor: sanction.actor,
        createdAt: sanction.createdAt.toISOString(),
      },
      'Replace',
    );
  }

  async deleteSanction(kind: SanctionKind, userId: string, scope: SanctionScope): Promise<boolean> {
    await this.ensureTables();
    return deleteRow(this.tables.bans, key(userId), sanctionRowKey(kind, scope));
  }

  async listSanctions(now: Date, kind?: SanctionKind): Promise<Sanction[]> {
    await this.ensureTables();
    const rows = this.tables.bans.listEntities({ queryOptions: { filter: odata`until gt ${now.toISOString()}` } });
    const sanctions = (await collect(rows, toSanction)).filter((sanction) => !kind || sanction.kind === kind);
    return sanctions.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async getConfigVersion(): Promise<string> {
    await this.ensureTables();
    const row = await readRow(this.tables.rules, metaPartition, 'version');
    return (row && text(row, 'version')) ?? 'initial';
  }

  async bumpConfigVersion(): Promise<void> {
    await this.ensureTables();
    const version = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    await this.tables.rules.upsertEntity({ partitionKey: metaPartition, rowKey: 'version', version }, 'Replace');
  }

  async listRoomSettings(): Promise<RoomSettingsRecord[]> {
    await this.ensureTables();
    return collect(this.tables.rooms.listEntities(), toRoomSettings);
  }

  async getRoomSettings(room: string): Promise<RoomSettingsRecord | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.rooms, key(room), 'settings');
    return row && toRoomSettings(row);
  }

  async putRoomSettings(settings: RoomSettingsRecord): Promise<void> {
    await this.ensureTables();
    const { room, maxLength, updatedAt, ...rest } = settings;
    await this.tables.rooms.upsertEntity(
      {
        partitionKey: key(room),
        rowKey: 'settings',
        ...rest,
        ...(maxLength === undefined ? {} : { maxLength }),
        updatedAt: updatedAt.toISOString(),
      },
      'Replace',
    );
  }

  async listRules(): Promise<ListRuleRecord[]> {
    await this.ensureTables();
    const filter = odata`PartitionKey ne ${metaPartition}`;
    return collect(this.tables.rules.listEntities({ queryOptions: { filter } }), toRule);
  }

  async addRule(rule: ListRuleRecord): Promise<void> {
    await this.ensureTables();
    const { id, scope, createdAt, ...rest } = rule;
    await this.tables.rules.createEntity({
      partitionKey: key(scope),
      rowKey: id,
      ...rest,
      createdAt: createdAt.toISOString(),
    });
  }

  async deleteRule(scope: ListRuleRecord['scope'], id: string): Promise<boolean> {
    await this.ensureTables();
    return deleteRow(this.tables.rules, key(scope), id);
  }

  async recordMessage(message: MessageRecord): Promise<void> {
    await this.ensureTables();
    await this.messageWrites.write(key(message.room), message);
  }

  async getMessage(room: string, id: string, now: Date): Promise<MessageRecord | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.messages, key(room), key(id));
    const message = row && toMessage(row);
    return message && message.expiresAt > now ? message : undefined;
  }

  async deleteMessage(room: string, id: string): Promise<void> {
    await this.ensureTables();
    await deleteRow(this.tables.messages, key(room), key(id));
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

  async appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    await this.ensureTables();
    const partitionKey = auditShard(entry.target);
    const rowKey = `${String(maxTime - entry.at.getTime()).padStart(13, '0')}-${randomBytes(6).toString('hex')}`;
    const { steps, at, ...rest } = entry;
    const row: Record<string, unknown> = { partitionKey, rowKey, at: at.toISOString() };
    for (const [name, value] of Object.entries(rest)) if (value !== undefined) row[name] = value;
    if (steps) row.steps = JSON.stringify(steps);
    await this.tables.audit.createEntity(row as { partitionKey: string; rowKey: string });
    return { ...entry, id: `${partitionKey}.${rowKey}` };
  }

  /** Newest first across every shard: the top `limit` of each shard after `before`, merged. */
  async listAudit({ limit, before }: { limit: number; before?: string }): Promise<AuditPage> {
    await this.ensureTables();
    const after = before?.split('.')[1];
    const shards = Array.from({ length: auditShards }, (_, i) => `a${i.toString(16)}`);
    const perShard = await Promise.all(
      shards.map(async (shard) => {
        const filter = after ? odata`PartitionKey eq ${shard} and RowKey gt ${after}` : odata`PartitionKey eq ${shard}`;
        const rows: Row[] = [];
        for await (const page of this.tables.audit
          .listEntities({ queryOptions: { filter } })
          .byPage({ maxPageSize: limit })) {
          rows.push(...page);
          break;
        }
        return rows;
      }),
    );
    const rows = perShard
      .flat()
      .sort((a, b) => (a.rowKey ?? '').localeCompare(b.rowKey ?? ''))
      .slice(0, limit + 1);
    const entries = rows.slice(0, limit).map(toAudit);
    const last = entries.at(-1);
    return rows.length > limit && last ? { entries, next: last.id } : { entries };
  }

  async getPace(userId: string, room: string): Promise<StoredPace | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.bans, key(userId), paceRowKey(room));
    const pace = row && text(row, 'pace');
    return pace !== undefined && row?.etag ? { pace, etag: row.etag } : undefined;
  }

  async putPace(userId: string, room: string, pace: string, etag: string | undefined): Promise<string | undefined> {
    await this.ensureTables();
    const entity = { partitionKey: key(userId), rowKey: paceRowKey(room), pace };
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

  async listConnections(userId: string): Promise<UserConnection[]> {
    await this.ensureTables();
    const filter = odata`PartitionKey eq ${key(userId)} and RowKey ge ${connectionRowPrefix} and RowKey lt ${connectionRowEnd}`;
    return collect(this.tables.bans.listEntities({ queryOptions: { filter } }), (row) => ({
      connectionId: unkey(row.rowKey ?? '').slice('connection:'.length),
      connectedAt: new Date(text(row, 'connectedAt') ?? 0),
    }));
  }

  async registerConnection(userId: string, connection: UserConnection): Promise<void> {
    await this.ensureTables();
    await this.tables.bans.upsertEntity(
      {
        partitionKey: key(userId),
        rowKey: key(`connection:${connection.connectionId}`),
        connectedAt: connection.connectedAt.toISOString(),
      },
      'Replace',
    );
  }

  async unregisterConnection(userId: string, connectionId: string): Promise<void> {
    await this.ensureTables();
    await deleteRow(this.tables.bans, key(userId), key(`connection:${connectionId}`));
  }

  async joinRoom(entry: PresenceEntry): Promise<void> {
    await this.ensureTables();
    await this.tables.presence.upsertEntity(
      {
        partitionKey: key(entry.room),
        rowKey: key(entry.connectionId),
        userId: entry.userId,
        joinedAt: entry.joinedAt.toISOString(),
      },
      'Replace',
    );
  }

  async leaveRoom(room: string, connectionId: string): Promise<void> {
    await this.ensureTables();
    await deleteRow(this.tables.presence, key(room), key(connectionId));
  }

  async listRoom(room: string): Promise<PresenceEntry[]> {
    await this.ensureTables();
    const entries: PresenceEntry[] = [];
    const rows = this.tables.presence.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${key(room)}` } });
    for await (const row of rows) {
      entries.push({
        room,
        connectionId: unkey(row.rowKey ?? ''),
        userId: text(row, 'userId') ?? '',
        joinedAt: new Date(text(row, 'joinedAt') ?? 0),
      });
    }
    return entries;
  }

  async listRooms(): Promise<{ room: string; connections: number }[]> {
    await this.ensureTables();
    const counts = new Map<string, number>();
    for await (const row of this.tables.presence.listEntities({ queryOptions: { select: ['PartitionKey'] } })) {
      const room = unkey(row.partitionKey ?? '');
      counts.set(room, (counts.get(room) ?? 0) + 1);
    }
    return [...counts]
      .map(([room, connections]) => ({ room, connections }))
      .sort((a, b) => a.room.localeCompare(b.room));
  }
}
