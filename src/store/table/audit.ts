import { randomBytes } from 'node:crypto';
import { odata } from '@azure/data-tables';
import type { AuditEntry, AuditPage, AuditStore } from '../types.js';
import { ensureTables, type ModerationTables, type Row, text } from './rows.js';
import { shardOf } from './shards.js';

/** Audit rows spread over 16 partitions by target user, newest first inside each (inverted-time row keys). */
const auditShards = 16;
const maxTime = 9_999_999_999_999;
const auditShard = (target: string | undefined) => `a${shardOf(target ?? '', auditShards).toString(16)}`;
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

/** The audit log: 16 partitions by target user, newest first inside each (inverted-time row keys). */
export class TableAuditStore implements AuditStore {
  constructor(private readonly tables: Pick<ModerationTables, 'audit'>) {}

  private ensureTables(): Promise<void> {
    return ensureTables(this.tables);
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

  /**
   * Entries about the user are in one shard (the target's): one filtered query. Entries by the user (their reports,
   * a moderator's actions) are in every shard: a filtered query each, in parallel. Each returns its newest `limit`.
   */
  async listAuditFor(userId: string, limit: number): Promise<AuditEntry[]> {
    await this.ensureTables();
    const newest = async (filter: string) => {
      for await (const page of this.tables.audit
        .listEntities({ queryOptions: { filter } })
        .byPage({ maxPageSize: limit })) {
        return page;
      }
      return [];
    };
    const shards = Array.from({ length: auditShards }, (_, i) => `a${i.toString(16)}`);
    const pages = await Promise.all([
      newest(odata`PartitionKey eq ${auditShard(userId)} and target eq ${userId}`),
      ...shards.map((shard) => newest(odata`PartitionKey eq ${shard} and actor eq ${userId}`)),
    ]);
    const rows = new Map<string, Row>();
    for (const row of pages.flat()) rows.set(`${row.partitionKey}.${row.rowKey}`, row);
    return [...rows.values()]
      .sort((a, b) => (a.rowKey ?? '').localeCompare(b.rowKey ?? ''))
      .slice(0, limit)
      .map(toAudit);
  }
}
