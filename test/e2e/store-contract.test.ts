import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAzuriteTable, startAzuriteTable } from '../../local/azurite.js';
import { createModerationTables } from '../../src/clients.js';
import { MemoryModerationStore } from '../../src/store/memory-store.js';
import { TableModerationStore } from '../../src/store/table-store.js';
import type { MessageRecord, ModerationStore } from '../../src/store/types.js';

/**
 * One contract for both stores: what the in-process tests learn from the memory store holds for Table Storage
 * (Azurite) too, and the two cannot drift apart.
 */
let azurite: RunningAzuriteTable;
let tablePrefix = 0;
beforeAll(async () => {
  azurite = await startAzuriteTable({ port: 0 });
});
afterAll(() => azurite?.close());

const kinds: [string, () => ModerationStore][] = [
  ['memory', () => new MemoryModerationStore()],
  [
    'Table Storage (Azurite)',
    () =>
      new TableModerationStore(
        createModerationTables({
          tables: { endpoint: undefined, connectionString: azurite.connectionString },
          tablePrefix: `contract${++tablePrefix}`,
        }),
      ),
  ],
];

const now = new Date('2026-12-03T10:00:00Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
/** Characters Table keys may not hold (`/ \ # ?`) and non-ASCII: every store keeps them as given. */
const oddUser = 'ann/b\\c#d?é 😀';

const message = (id: string, room = 'lobby', expiresIn = 60): MessageRecord => ({
  id,
  room,
  from: oddUser,
  connectionId: `conn-${id}`,
  text: `line ${id}`,
  ts: now,
  expiresAt: minutes(expiresIn),
});

describe.each(kinds)('the moderation store contract: %s', (_kind, create) => {
  let store: ModerationStore;
  beforeAll(() => {
    store = create();
  });

  it('keeps sanctions by kind and scope until they expire, newest first, and lifts them once', async () => {
    const base = { userId: oddUser, reason: 'spam', actor: 'mod' };
    await store.putSanction({ ...base, kind: 'ban', scope: 'app', until: minutes(10), createdAt: minutes(-2) });
    await store.putSanction({ ...base, kind: 'mute', scope: 'room:lobby', until: minutes(5), createdAt: minutes(-1) });
    await store.putSanction({ ...base, kind: 'shadow-ban', scope: 'app', until: minutes(-1), createdAt: minutes(-3) });
    expect(await store.getSanction('ban', oddUser, 'app', now)).toMatchObject({ ...base, until: minutes(10) });
    expect(await store.getSanction('ban', oddUser, 'room:lobby', now)).toBeUndefined();
    expect(await store.getSanction('mute', oddUser, 'room:lobby', minutes(6))).toBeUndefined();
    expect(await store.getSanction('shadow-ban', oddUser, 'app', now)).toBeUndefined();
    expect((await store.listSanctions(now)).map((s) => s.kind)).toEqual(['mute', 'ban']);
    expect((await store.listSanctions(now, 'ban')).map((s) => s.scope)).toEqual(['app']);
    expect(await store.deleteSanction('ban', oddUser, 'app')).toBe(true);
    expect(await store.deleteSanction('ban', oddUser, 'app')).toBe(false);
    expect(await store.getSanction('ban', oddUser, 'app', now)).toBeUndefined();
  });

  it('changes the configuration version on every bump', async () => {
    const first = await store.getConfigVersion();
    await store.bumpConfigVersion();
    const second = await store.getConfigVersion();
    await store.bumpConfigVersion();
    expect(second).not.toBe(first);
    expect(await store.getConfigVersion()).not.toBe(second);
  });

  it('replaces room settings whole, an unset maximum length included', async () => {
    const settings = { room: 'lobby', slowModeSeconds: 30, linksAllowed: false, updatedBy: 'mod', updatedAt: now };
    await store.putRoomSettings({ ...settings, maxLength: 80 });
    expect(await store.getRoomSettings('lobby')).toEqual({ ...settings, maxLength: 80 });
    await store.putRoomSettings(settings);
    expect(await store.getRoomSettings('lobby')).toEqual(settings);
    expect(await store.getRoomSettings('nowhere')).toBeUndefined();
    expect(await store.listRoomSettings()).toEqual([settings]);
  });

  it('adds list rules once per scope and id, lists and deletes them', async () => {
    const rule = {
      id: 'a1b2c3d4e5f6',
      kind: 'word',
      pattern: 'spam',
      action: 'block',
      scope: 'room:lobby',
      createdBy: 'mod',
      createdAt: now,
    } as const;
    await store.addRule(rule);
    await store.addRule({ ...rule, scope: 'global', action: 'flag' });
    await expect(store.addRule(rule)).rejects.toThrow();
    const listed = await store.listRules();
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([rule, { ...rule, scope: 'global', action: 'flag' }]));
    expect(await store.deleteRule('room:lobby', rule.id)).toBe(true);
    expect(await store.deleteRule('room:lobby', rule.id)).toBe(false);
    expect(await store.listRules()).toEqual([{ ...rule, scope: 'global', action: 'flag' }]);
  });

  it('keeps delivered messages until they expire or are deleted', async () => {
    await Promise.all([store.recordMessage(message('m1')), store.recordMessage(message('m2', 'lobby', -1))]);
    expect(await store.getMessage('lobby', 'm1', now)).toEqual(message('m1'));
    expect(await store.getMessage('lobby', 'm2', now)).toBeUndefined();
    expect(await store.getMessage('other', 'm1', now)).toBeUndefined();
    await store.deleteMessage('lobby', 'm1');
    expect(await store.getMessage('lobby', 'm1', now)).toBeUndefined();
  });

  it('merges rules and reports into one queue item per message, and lists newest first by room', async () => {
    const report = (by: string) => ({ by, reason: 'rude', at: now.toISOString() });
    await store.enqueue(message('q1'), { rules: ['list:a'] }, minutes(1));
    await store.enqueue(message('q1'), { rules: ['list:a', 'list:b'], report: report('bob') }, minutes(2));
    const merged = await store.enqueue(message('q1'), { report: report('carol') }, minutes(3));
    expect(merged).toMatchObject({ id: 'lobby.q1', rules: ['list:a', 'list:b'], createdAt: minutes(1) });
    expect(merged.reports.map((r) => r.by)).toEqual(['bob', 'carol']);
    expect(await store.getQueueItem('lobby.q1')).toEqual(merged);
    await store.enqueue(message('q2', 'annex'), { rules: ['list:c'] }, minutes(4));
    expect((await store.listQueue({ limit: 10 })).map((item) => item.id)).toEqual(['annex.q2', 'lobby.q1']);
    expect((await store.listQueue({ limit: 1 })).map((item) => item.id)).toEqual(['annex.q2']);
    expect((await store.listQueue({ room: 'lobby', limit: 10 })).map((item) => item.id)).toEqual(['lobby.q1']);
    await store.deleteQueueItem('lobby.q1');
    expect(await store.getQueueItem('lobby.q1')).toBeUndefined();
    expect(await store.getQueueItem('no-dot')).toBeUndefined();
  });

  it('appends audit entries and pages through them newest first', async () => {
    for (let i = 0; i < 5; i++) {
      const entry = await store.appendAudit({
        at: minutes(i),
        actor: 'mod',
        action: 'ban',
        target: `user-${i % 2}`,
        outcome: i === 4 ? 'failed' : 'succeeded',
        ...(i === 4 ? { error: 'no answer', steps: [{ stepId: 'x', status: 500, succeeded: false }] } : {}),
      });
      expect(entry.id).toEqual(expect.any(String));
    }
    const first = await store.listAudit({ limit: 3 });
    expect(first.entries.map((entry) => entry.target)).toEqual(['user-0', 'user-1', 'user-0']);
    expect(first.entries[0]).toMatchObject({ outcome: 'failed', error: 'no answer', steps: [{ stepId: 'x' }] });
    expect(first.next).toEqual(expect.any(String));
    const second = await store.listAudit({ limit: 3, ...(first.next ? { before: first.next } : {}) });
    expect(second.entries.map((entry) => entry.at)).toEqual([minutes(1), minutes(0)]);
    expect(second.next).toBeUndefined();
  });

  it('keeps presence per room: one point read for a connection, the roster, and counts per room', async () => {
    const entry = (room: string, connectionId: string) => ({ room, connectionId, userId: oddUser, joinedAt: now });
    await store.joinRoom(entry('lobby', 'c1'));
    await store.joinRoom(entry('lobby', 'c/2'));
    await store.joinRoom(entry('annex', 'c1'));
    expect(await store.getPresence('lobby', 'c/2')).toEqual(entry('lobby', 'c/2'));
    expect(await store.getPresence('annex', 'c/2')).toBeUndefined();
    expect((await store.listRoom('lobby')).map((e) => e.connectionId).sort()).toEqual(['c/2', 'c1']);
    expect(await store.listRooms()).toEqual([
      { room: 'annex', connections: 1 },
      { room: 'lobby', connections: 2 },
    ]);
    await store.leaveRoom('lobby', 'c1');
    await store.leaveRoom('lobby', 'never-joined');
    expect(await store.listRoom('lobby')).toEqual([entry('lobby', 'c/2')]);
  });
});
