import { odata } from '@azure/data-tables';
import type { PresenceEntry, PresenceStore, UserConnection } from '../types.js';
import { collect, deleteRow, ensureTables, key, type ModerationTables, readRow, text, unkey } from './rows.js';
import { roomOfPartition, roomPartition, roomPartitions } from './shards.js';

const connectionRowPrefix = key('connection:');
/** Just past every `connection:` row key (`%3A` → `%3B`). */
const connectionRowEnd = key('connection;');

/**
 * Who is in which room (the room's shards, `shards.ts`: a connection's row in the shard its id picks), and each
 * user's open connections (the user's partition of the bans table, rows `connection:<id>`).
 */
export class TablePresenceStore implements PresenceStore {
  constructor(private readonly tables: Pick<ModerationTables, 'presence' | 'bans'>) {}

  private ensureTables(): Promise<void> {
    return ensureTables(this.tables);
  }

  async joinRoom(entry: PresenceEntry): Promise<void> {
    await this.ensureTables();
    await this.tables.presence.upsertEntity(
      {
        partitionKey: roomPartition(entry.room, entry.connectionId),
        rowKey: key(entry.connectionId),
        userId: entry.userId,
        joinedAt: entry.joinedAt.toISOString(),
      },
      'Replace',
    );
  }

  async leaveRoom(room: string, connectionId: string): Promise<void> {
    await this.ensureTables();
    await deleteRow(this.tables.presence, roomPartition(room, connectionId), key(connectionId));
  }

  async getPresence(room: string, connectionId: string): Promise<PresenceEntry | undefined> {
    await this.ensureTables();
    const row = await readRow(this.tables.presence, roomPartition(room, connectionId), key(connectionId));
    return row
      ? { room, connectionId, userId: text(row, 'userId') ?? '', joinedAt: new Date(text(row, 'joinedAt') ?? 0) }
      : undefined;
  }

  /** The room's shards read in parallel. */
  async listRoom(room: string): Promise<PresenceEntry[]> {
    await this.ensureTables();
    const shards = await Promise.all(
      roomPartitions(room).map((partition) =>
        collect(
          this.tables.presence.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partition}` } }),
          (row) => ({
            room,
            connectionId: unkey(row.rowKey ?? ''),
            userId: text(row, 'userId') ?? '',
            joinedAt: new Date(text(row, 'joinedAt') ?? 0),
          }),
        ),
      ),
    );
    return shards.flat();
  }

  async listRooms(): Promise<{ room: string; connections: number }[]> {
    await this.ensureTables();
    const counts = new Map<string, number>();
    for await (const row of this.tables.presence.listEntities({ queryOptions: { select: ['PartitionKey'] } })) {
      const room = roomOfPartition(row.partitionKey ?? '');
      if (room === undefined) continue;
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
