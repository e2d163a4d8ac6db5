import { odata } from '@azure/data-tables';
import type { PresenceEntry, PresenceStore, UserConnection } from '../types.js';
import { collect, deleteRow, ensureTables, key, type ModerationTables, readRow, text, unkey } from './rows.js';

const connectionRowPrefix = key('connection:');
/** Just past every `connection:` row key (`%3A` → `%3B`). */
const connectionRowEnd = key('connection;');

/** Who is in which room (partition by room, row by connection), and each user's open connections (the user's partition of the bans table, rows `connection:<id>`). */
export class TablePresenceStore implements PresenceStore {
  constructor(private readonly tables: Pick<ModerationTables, 'presence' | 'bans'>) {}

  private ensureTables(): Promise<void> {
    return ensureTables(this.tables);
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

  async getPresence(room: string, connectionId: string): Promise<PresenceEntry | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.presence, key(room), key(connectionId));
    return row
      ? { room, connectionId, userId: text(row, 'userId') ?? '', joinedAt: new Date(text(row, 'joinedAt') ?? 0) }
      : undefined;
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
}
