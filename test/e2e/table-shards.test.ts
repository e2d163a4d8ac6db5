import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAzuriteTable, startAzuriteTable } from '../../local/azurite.js';
import { createModerationTables } from '../../src/clients.js';
import { type ModerationTables, tableStores } from '../../src/store/table/stores.js';
import type { ModerationStores } from '../../src/store/types.js';

/**
 * Issue 23: a room's roster and message records are spread over partitions (Table Storage's target is about 2,000
 * entities a second per partition, learn.microsoft.com/azure/storage/tables/scalability-targets), while a point read
 * stays one read and a room's listing returns every row. Checked on Azurite, reading the partitions themselves.
 */
let azurite: RunningAzuriteTable;
let tables: ModerationTables;
let stores: ModerationStores;

beforeAll(async () => {
  azurite = await startAzuriteTable({ port: 0 });
  tables = createModerationTables({
    tables: { endpoint: undefined, connectionString: azurite.connectionString },
    tablePrefix: 'shards',
  });
  stores = tableStores(tables);
});
afterAll(() => azurite?.close());

async function partitionsOf(table: ModerationTables['presence']): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const row of table.listEntities({ queryOptions: { select: ['PartitionKey'] } })) {
    counts.set(row.partitionKey ?? '', (counts.get(row.partitionKey ?? '') ?? 0) + 1);
  }
  return counts;
}

describe('a busy room on Table Storage', () => {
  const joinedAt = new Date('2026-12-03T10:00:00Z');
  const connections = Array.from({ length: 200 }, (_, n) => `conn-${n}`);

  it("spreads a room's roster over its shards; one connection is one point read; the listing has everyone", async () => {
    await Promise.all(
      connections.map((connectionId, n) =>
        stores.presence.joinRoom({ room: 'stage', connectionId, userId: `viewer-${n}`, joinedAt }),
      ),
    );
    const partitions = await partitionsOf(tables.presence);
    expect([...partitions.keys()].every((partition) => partition.startsWith('stage~'))).toBe(true);
    // 200 rows over 16 shards: every shard used, none with more than a fifth of the room.
    expect(partitions.size).toBe(16);
    expect(Math.max(...partitions.values())).toBeLessThan(40);
    expect(await stores.presence.getPresence('stage', 'conn-7')).toMatchObject({ userId: 'viewer-7' });
    const roster = await stores.presence.listRoom('stage');
    expect(roster.map((entry) => entry.connectionId).sort()).toEqual([...connections].sort());
    expect(await stores.presence.listRooms()).toEqual([{ room: 'stage', connections: 200 }]);
    await stores.presence.leaveRoom('stage', 'conn-7');
    expect(await stores.presence.getPresence('stage', 'conn-7')).toBeUndefined();
  });

  it('ignores rows of the layout before sharding (one partition per room)', async () => {
    await tables.presence.upsertEntity({ partitionKey: 'stage', rowKey: 'old-conn', userId: 'old', joinedAt: '' });
    expect((await stores.presence.listRooms()).find((room) => room.room === 'stage')?.connections).toBe(199);
    expect((await stores.presence.listRoom('stage')).some((entry) => entry.connectionId === 'old-conn')).toBe(false);
  });

  it("spreads a room's message records too, and reads each back by its id", async () => {
    const ts = new Date('2026-12-03T10:00:00Z');
    const expiresAt = new Date('2026-12-04T10:00:00Z');
    const ids = Array.from({ length: 100 }, (_, n) => `m${n}`);
    await Promise.all(
      ids.map((id) =>
        stores.messages.recordMessage({ id, room: 'stage', from: 'a', connectionId: 'c', text: id, ts, expiresAt }),
      ),
    );
    const partitions = await partitionsOf(tables.messages);
    expect(partitions.size).toBeGreaterThan(8);
    for (const id of ids) {
      expect(await stores.messages.getMessage('stage', id, ts)).toMatchObject({ id, room: 'stage', text: id });
    }
  });
});
