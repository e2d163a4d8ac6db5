import { randomBytes } from 'node:crypto';
import { odata } from '@azure/data-tables';
import type { ConfigurationStore, ListRuleRecord, RoomSettingsRecord } from '../types.js';
import {
  collect,
  deleteRow,
  ensureTables,
  key,
  type ModerationTables,
  type Row,
  readRow,
  text,
  unkey,
} from './rows.js';

const metaPartition = '~meta';
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

/** List rules (partition by scope, and the configuration version row) and room limits (partition by room). */
export class TableConfigurationStore implements ConfigurationStore {
  constructor(private readonly tables: Pick<ModerationTables, 'rules' | 'rooms'>) {}

  private ensureTables(): Promise<void> {
    return ensureTables(this.tables);
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
}
