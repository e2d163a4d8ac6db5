import { randomBytes } from 'node:crypto';
import { isRestError } from '@azure/core-rest-pipeline';
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { AuditEntry, AuditPage, Ban, ModerationStore, PresenceEntry } from './types.js';

export interface ModerationTables {
  bans: TableClient;
  audit: TableClient;
  presence: TableClient;
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

function toBan(row: Row): Ban {
  return {
    userId: unkey(row.partitionKey ?? ''),
    until: new Date(text(row, 'until') ?? 0),
    reason: text(row, 'reason') ?? '',
    actor: text(row, 'actor') ?? '',
    createdAt: new Date(text(row, 'createdAt') ?? 0),
  };
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

/** Bans, the audit log and room presence in Azure Table Storage. */
export class TableModerationStore implements ModerationStore {
  private ready: Promise<void> | undefined;

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

  async getBan(userId: string, now: Date): Promise<Ban | undefined> {
    await this.ensureTables();
    try {
      const ban = toBan(await this.tables.bans.getEntity(key(userId), 'app'));
      return ban.until > now ? ban : undefined;
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async putBan(ban: Ban): Promise<void> {
    await this.ensureTables();
    await this.tables.bans.upsertEntity(
      {
        partitionKey: key(ban.userId),
        rowKey: 'app',
        until: ban.until.toISOString(),
        reason: ban.reason,
        actor: ban.actor,
        createdAt: ban.createdAt.toISOString(),
      },
      'Replace',
    );
  }

  async deleteBan(userId: string): Promise<boolean> {
    await this.ensureTables();
    try {
      await this.tables.bans.deleteEntity(key(userId), 'app');
      return true;
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return false;
      throw error;
    }
  }

  async listBans(now: Date): Promise<Ban[]> {
    await this.ensureTables();
    const bans: Ban[] = [];
    const rows = this.tables.bans.listEntities({ queryOptions: { filter: odata`until gt ${now.toISOString()}` } });
    for await (const row of rows) bans.push(toBan(row));
    return bans.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
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
    try {
      await this.tables.presence.deleteEntity(key(room), key(connectionId));
    } catch (error) {
      if (!(isRestError(error) && error.statusCode === 404)) throw error;
    }
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
