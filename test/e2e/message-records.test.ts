import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createModerationTables } from '../../src/clients.js';
import { tableStores } from '../../src/store/table/stores.js';
import type { MessageRecord } from '../../src/store/types.js';
import { uniqueRoom } from './support/moderation-api.js';

const store = () =>
  tableStores(
    createModerationTables({
      tables: { endpoint: undefined, connectionString: inject('stack').tablesConnectionString },
      tablePrefix: 'moderator',
    }),
  ).messages;

const record = (room: string, index: number, now: Date): MessageRecord => ({
  id: randomUUID(),
  room,
  from: `user-${index % 7}`,
  connectionId: `conn-${index}`,
  text: `line ${index}: ünïcode and "quotes" & ampersands`,
  ts: now,
  expiresAt: new Date(now.getTime() + 3_600_000),
});

describe('message records on Azurite (group commit)', () => {
  it('stores every one of a burst of concurrent lines in a room, across transactions of at most 100', async () => {
    const messages = store();
    const now = new Date();
    const rooms = [uniqueRoom('burst'), uniqueRoom('burst')];
    // 250 lines at once in one room: one lone write, then batches of 100, 100 and 49; a second room alongside.
    const burst = Array.from({ length: 250 }, (_, index) => record(rooms[0] as string, index, now));
    const other = Array.from({ length: 30 }, (_, index) => record(rooms[1] as string, index, now));
    await Promise.all([...burst, ...other].map((message) => messages.recordMessage(message)));

    const reader = store();
    for (const message of [...burst, ...other]) {
      expect(await reader.getMessage(message.room, message.id, now)).toEqual(message);
    }
  });
});
