import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAzuriteTable, startAzuriteTable } from '../../local/azurite.js';
import { createModerationTables } from '../../src/clients.js';
import { memoryStores } from '../../src/store/memory/stores.js';
import { tableStores } from '../../src/store/table/stores.js';
import type { MessageRecord, ModerationStores } from '../../src/store/types.js';

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

const kinds: [string, () => ModerationStores][] = [
  ['memory', memoryStores],
  [
    'Table Storage (Azurite)',
    () =>
      tableStores(
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
  let stores: ModerationStores;
  beforeAll(() => {
    stores = create();
  });

  it('keeps sanctions by kind and scope until they expire, newest first, and lifts them once', async () => {
    const base = { userId: oddUser, reason: 'spam', actor: 'mod' };
    await stores.sanctions.putSanction({
      ...base,
      kind: 'ban',
      scope: 'app',
      until: minutes(10),
      createdAt: minutes(-2),
    });
    await stores.sanctions.putSanction({
      ...base,
      kind: 'mute',
      scope: 'room:lobby',
      until: minutes(5),
      createdAt: minutes(-1),
    });
    await stores.sanctions.putSanction({
      ...base,
      kind: 'shadow-ban',
      scope: 'app',
      until: minutes(-1),
      createdAt: minutes(-3),
    });
    expect(await stores.sanctions.getSanction('ban', oddUser, 'app', now)).toMatchObject({
      ...base,
      until: minutes(10),
    });
    expect(await stores.sanctions.getSanction('ban', oddUser, 'room:lobby', now)).toBeUndefined();
    expect(await stores.sanctions.getSanction('mute', oddUser, 'room:lobby', minutes(6))).toBeUndefined();
    expect(await stores.sanctions.getSanction('shadow-ban', oddUser, 'app', now)).toBeUndefined();
    expect((await stores.sanctions.listSanctions(now)).map((s) => s.kind)).toEqual(['mute', 'ban']);
    expect((await stores.sanctions.listSanctions(now, 'ban')).map((s) => s.scope)).toEqual(['app']);
    expect(await stores.sanctions.deleteSanction('ban', oddUser, 'app')).toBe(true);
    expect(await stores.sanctions.deleteSanction('ban', oddUser, 'app')).toBe(false);
    expect(await stores.sanctions.getSanction('ban', oddUser, 'app', now)).toBeUndefined();
  });

  it('changes the configuration version on every bump', async () => {
    const first = await stores.configuration.getConfigVersion();
    await stores.configuration.bumpConfigVersion();
    const second = await stores.configuration.getConfigVersion();
    await stores.configuration.bumpConfigVersion();
    expect(second).not.toBe(first);
    expect(await stores.configuration.getConfigVersion()).not.toBe(second);
  });

  it('replaces room settings whole, an unset maximum length included', async () => {
    const settings = { room: 'lobby', slowModeSeconds: 30, linksAllowed: false, updatedBy: 'mod', updatedAt: now };
    await stores.configuration.putRoomSettings({ ...settings, maxLength: 80 });
    expect(await stores.configuration.getRoomSettings('lobby')).toEqual({ ...settings, maxLength: 80 });
    await stores.configuration.putRoomSettings(settings);
    expect(await stores.configuration.getRoomSettings('lobby')).toEqual(settings);
    expect(await stores.configuration.getRoomSettings('nowhere')).toBeUndefined();
    expect(await stores.configuration.listRoomSettings()).toEqual([settings]);
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
    await stores.configuration.addRule(rule);
    await stores.configuration.addRule({ ...rule, scope: 'global', action: 'flag' });
    await expect(stores.configuration.addRule(rule)).rejects.toThrow();
    const listed = await stores.configuration.listRules();
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([rule, { ...rule, scope: 'global', action: 'flag' }]));
    expect(await stores.configuration.deleteRule('room:lobby', rule.id)).toBe(true);
    expect(await stores.configuration.deleteRule('room:lobby', rule.id)).toBe(false);
    expect(await stores.configuration.listRules()).toEqual([{ ...rule, scope: 'global', action: 'flag' }]);
  });

  it('keeps delivered messages until they expire or are deleted', async () => {
    await Promise.all([
      stores.messages.recordMessage(message('m1')),
      stores.messages.recordMessage(message('m2', 'lobby', -1)),
    ]);
    expect(await stores.messages.getMessage('lobby', 'm1', now)).toEqual(message('m1'));
    expect(await stores.messages.getMessage('lobby', 'm2', now)).toBeUndefined();
    expect(await stores.messages.getMessage('other', 'm1', now)).toBeUndefined();
    await stores.messages.deleteMessage('lobby', 'm1');
    expect(await stores.messages.getMessage('lobby', 'm1', now)).toBeUndefined();
  });

  it('merges rules and reports into one queue item per message, and lists newest first by room', async () => {
    const report = (by: string) => ({ by, reason: 'rude', at: now.toISOString() });
    await stores.messages.enqueue(message('q1'), { rules: ['list:a'] }, minutes(1));
    await stores.messages.enqueue(message('q1'), { rules: ['list:a', 'list:b'], report: report('bob') }, minutes(2));
    const merged = await stores.messages.enqueue(message('q1'), { report: report('carol') }, minutes(3));
    expect(merged).toMatchObject({ id: 'lobby.q1', rules: ['list:a', 'list:b'], createdAt: minutes(1) });
    expect(merged.reports.map((r) => r.by)).toEqual(['bob', 'carol']);
    expect(await stores.messages.getQueueItem('lobby.q1')).toEqual(merged);
    await stores.messages.enqueue(message('q2', 'annex'), { rules: ['list:c'] }, minutes(4));
    expect((await stores.messages.listQueue({ limit: 10 })).map((item) => item.id)).toEqual(['annex.q2', 'lobby.q1']);
    expect((await stores.messages.listQueue({ limit: 1 })).map((item) => item.id)).toEqual(['annex.q2']);
    expect((await stores.messages.listQueue({ room: 'lobby', limit: 10 })).map((item) => item.id)).toEqual([
      'lobby.q1',
    ]);
    await stores.messages.deleteQueueItem('lobby.q1');
    expect(await stores.messages.getQueueItem('lobby.q1')).toBeUndefined();
    expect(await stores.messages.getQueueItem('no-dot')).toBeUndefined();
  });

  it('appends audit entries and pages through them newest first', async () => {
    for (let i = 0; i < 5; i++) {
      const entry = await stores.audit.appendAudit({
        at: minutes(i),
        actor: 'mod',
        action: 'ban',
        target: `user-${i % 2}`,
        outcome: i === 4 ? 'failed' : 'succeeded',
        ...(i === 4 ? { error: 'no answer', steps: [{ stepId: 'x', status: 500, succeeded: false }] } : {}),
      });
      expect(entry.id).toEqual(expect.any(String));
    }
    const first = await stores.audit.listAudit({ limit: 3 });
    expect(first.entries.map((entry) => entry.target)).toEqual(['user-0', 'user-1', 'user-0']);
    expect(first.entries[0]).toMatchObject({ outcome: 'failed', error: 'no answer', steps: [{ stepId: 'x' }] });
    expect(first.next).toEqual(expect.any(String));
    const second = await stores.audit.listAudit({ limit: 3, ...(first.next ? { before: first.next } : {}) });
    expect(second.entries.map((entry) => entry.at)).toEqual([minutes(1), minutes(0)]);
    expect(second.next).toBeUndefined();
  });

  it('keeps presence per room: one point read for a connection, the roster, and counts per room', async () => {
    const entry = (room: string, connectionId: string) => ({ room, connectionId, userId: oddUser, joinedAt: now });
    await stores.presence.joinRoom(entry('lobby', 'c1'));
    await stores.presence.joinRoom(entry('lobby', 'c/2'));
    await stores.presence.joinRoom(entry('annex', 'c1'));
    expect(await stores.presence.getPresence('lobby', 'c/2')).toEqual(entry('lobby', 'c/2'));
    expect(await stores.presence.getPresence('annex', 'c/2')).toBeUndefined();
    expect((await stores.presence.listRoom('lobby')).map((e) => e.connectionId).sort()).toEqual(['c/2', 'c1']);
    expect(await stores.presence.listRooms()).toEqual([
      { room: 'annex', connections: 1 },
      { room: 'lobby', connections: 2 },
    ]);
    await stores.presence.leaveRoom('lobby', 'c1');
    await stores.presence.leaveRoom('lobby', 'never-joined');
    expect(await stores.presence.listRoom('lobby')).toEqual([entry('lobby', 'c/2')]);
  });

  it("writes a user's counters only over the version it read, and counts reports in a window", async () => {
    expect(await stores.counters.getPace(oddUser, 'lobby')).toBeUndefined();
    const first = await stores.counters.putPace(oddUser, 'lobby', { pace: '{"n":1}' }, undefined);
    expect(first).toEqual(expect.any(String));
    // A second writer that read nothing, or read the first version after it changed, loses.
    expect(await stores.counters.putPace(oddUser, 'lobby', { pace: '{"n":9}' }, undefined)).toBeUndefined();
    const second = await stores.counters.putPace(oddUser, 'lobby', { pace: '{"n":2}', lines: '[1]' }, first);
    expect(second).toEqual(expect.any(String));
    expect(await stores.counters.putPace(oddUser, 'lobby', { pace: '{"n":9}' }, first)).toBeUndefined();
    expect(await stores.counters.getPace(oddUser, 'lobby')).toEqual({ pace: '{"n":2}', lines: '[1]', etag: second });
    expect(await stores.counters.getPace(oddUser, 'annex')).toBeUndefined();
    const hour = 3_600_000;
    expect(await stores.counters.countReport(oddUser, now, hour)).toBe(1);
    expect(await stores.counters.countReport(oddUser, minutes(30), hour)).toBe(2);
    expect(await stores.counters.countReport(oddUser, minutes(61), hour)).toBe(1);
  });

  it("keeps each user's open connections", async () => {
    await stores.presence.registerConnection(oddUser, { connectionId: 'c1', connectedAt: now });
    await stores.presence.registerConnection(oddUser, { connectionId: 'c/2', connectedAt: minutes(1) });
    await stores.presence.registerConnection('someone-else', { connectionId: 'c3', connectedAt: now });
    const open = await stores.presence.listConnections(oddUser);
    expect(open.sort((a, b) => a.connectionId.localeCompare(b.connectionId))).toEqual([
      { connectionId: 'c/2', connectedAt: minutes(1) },
      { connectionId: 'c1', connectedAt: now },
    ]);
    await stores.presence.unregisterConnection(oddUser, 'c1');
    await stores.presence.unregisterConnection(oddUser, 'never-registered');
    expect(await stores.presence.listConnections(oddUser)).toEqual([{ connectionId: 'c/2', connectedAt: minutes(1) }]);
  });

  it('lists each reporter of a queued line once, and counts every report', async () => {
    const report = (by: string) => ({ by, reason: 'rude', at: now.toISOString() });
    await stores.messages.enqueue(message('r1'), { report: report('bob') }, now);
    await stores.messages.enqueue(message('r1'), { report: report('bob') }, now);
    const item = await stores.messages.enqueue(message('r1'), { report: report('carol') }, now);
    expect(item.reports.map((r) => r.by)).toEqual(['bob', 'carol']);
    expect(item.reportCount).toBe(2);
    expect(await stores.messages.getQueueItem('lobby.r1')).toMatchObject({ reportCount: 2 });
  });

  it('keeps insight buckets per minute, room and instance: a bucket written again replaces it; read by time range', async () => {
    const bucket = (minute: Date, instance: string, delivered: number) => ({
      minute,
      room: oddUser,
      instance,
      delivered,
      refused: { profanity: 2, 'list:ab12': 1 },
      flagged: 1,
      reported: 0,
      refusers: { [oddUser]: 3 },
    });
    // Across an hour boundary (10:59 and 11:00), from two instances.
    const late = new Date('2026-12-03T10:59:00Z');
    const next = new Date('2026-12-03T11:00:00Z');
    await stores.stats.putBuckets([bucket(late, 'i1', 4), bucket(late, 'i2', 5), bucket(next, 'i1', 1)]);
    await stores.stats.putBuckets([bucket(late, 'i1', 6)]);
    const read = await stores.stats.listBuckets(new Date('2026-12-03T10:30:00Z'), new Date('2026-12-03T11:01:00Z'));
    const key = (b: { minute: Date; instance: string }) => `${b.minute.toISOString()} ${b.instance}`;
    expect(read.sort((a, b) => key(a).localeCompare(key(b)))).toEqual([
      bucket(late, 'i1', 6),
      bucket(late, 'i2', 5),
      bucket(next, 'i1', 1),
    ]);
    expect(await stores.stats.listBuckets(next, new Date('2026-12-03T12:00:00Z'))).toEqual([bucket(next, 'i1', 1)]);
  });

  it("reads a room's lines around a moment: the nearest on each side, oldest first, within the span", async () => {
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    const line = (id: string, seconds: number, room = 'around') => ({ ...message(id, room), ts: at(seconds) });
    for (const [id, seconds] of [
      ['far', -900],
      ['b3', -30],
      ['b2', -20],
      ['b1', -10],
      ['x', 0],
      ['a1', 10],
      ['a2', 20],
    ] as const) {
      await stores.messages.recordMessage(line(id, seconds));
    }
    await stores.messages.recordMessage(line('other', 5, 'elsewhere'));
    const around = await stores.messages.listMessagesAround('around', now, { spanMs: 600_000, limit: 2, now });
    expect(around.before.map((m) => m.id)).toEqual(['b2', 'b1']);
    expect(around.after.map((m) => m.id)).toEqual(['a1', 'a2']);
    expect(around.after[0]).toMatchObject({ room: 'around', from: oddUser, ts: at(10) });
    const wide = await stores.messages.listMessagesAround('around', now, { spanMs: 600_000, limit: 10, now });
    expect(wide.before.map((m) => m.id)).toEqual(['b3', 'b2', 'b1']);
  });

  it("lists a user's counters by room, and the audit entries naming them as target or actor, newest first", async () => {
    const user = `${oddUser}-person`;
    expect(await stores.counters.putPace(user, 'room-a', { pace: '{"n":1}', lines: '[]' }, undefined)).toBeDefined();
    expect(await stores.counters.putPace(user, 'room/b', { pace: '{"n":2}' }, undefined)).toBeDefined();
    await stores.counters.putPace('someone-else', 'room-a', { pace: '{"n":3}' }, undefined);
    const paces = await stores.counters.listPaces(user);
    expect(paces.sort((a, b) => a.room.localeCompare(b.room))).toEqual([
      { room: 'room-a', pace: '{"n":1}', lines: '[]' },
      { room: 'room/b', pace: '{"n":2}' },
    ]);
    const base = { outcome: 'succeeded', room: 'room-a' } as const;
    await stores.audit.appendAudit({ ...base, at: minutes(1), actor: 'policy', action: 'refuse', target: user });
    await stores.audit.appendAudit({ ...base, at: minutes(2), actor: user, action: 'report', target: 'bob' });
    await stores.audit.appendAudit({ ...base, at: minutes(3), actor: 'mod', action: 'mute', target: user });
    await stores.audit.appendAudit({ ...base, at: minutes(4), actor: 'mod', action: 'mute', target: 'carol' });
    const named = await stores.audit.listAuditFor(user, 10);
    expect(named.map((entry) => [entry.action, entry.actor, entry.target])).toEqual([
      ['mute', 'mod', user],
      ['report', user, 'bob'],
      ['refuse', 'policy', user],
    ]);
    expect(await stores.audit.listAuditFor(user, 2)).toHaveLength(2);
  });
});
