import { describe, expect, it } from 'vitest';
import type { ChatLine } from '../../src/contracts.js';
import { InProcessApp, InProcessChatter } from './support/in-process.js';

const moderator = { userId: 'mod', roles: ['moderator'] };

async function chatterIn(app: InProcessApp, userId: string, room: string): Promise<InProcessChatter> {
  const chatter = new InProcessChatter(app, userId);
  expect((await chatter.connect()).status).toBe(200);
  expect((await chatter.join(room)).body).toMatchObject({ type: 'joined', room });
  return chatter;
}

describe('chat in-process (memory ports)', () => {
  it('joins a room through provision-client-and-join-group and delivers a clean line to it once', async () => {
    const app = new InProcessApp();
    const alice = await chatterIn(app, 'alice', 'lobby');
    expect(app.webPubSub.connections.get(alice.connectionId)?.groups).toEqual(new Set(['lobby']));
    expect(app.webPubSub.sentTo({ to: 'group', group: 'lobby' })).toEqual(['alice joined lobby']);

    const answer = await alice.chat('lobby', 'hello there');
    expect(answer.body).toMatchObject({ type: 'accepted', id: expect.any(String) });
    const lines = app.webPubSub.sentTo({ to: 'group', group: 'lobby' }).slice(1) as ChatLine[];
    expect(lines).toEqual([
      {
        type: 'chat',
        id: (answer.body as { id: string }).id,
        room: 'lobby',
        from: 'alice',
        text: 'hello there',
        ts: expect.any(String),
      },
    ]);
    expect(await app.stores.messages.getMessage('lobby', lines[0]?.id ?? '', app.app.now())).toMatchObject({
      text: 'hello there',
    });
  });

  it('refuses profanity with a strike, mutes, then evicts and bans: nothing refused reaches the room', async () => {
    const app = new InProcessApp();
    const mallory = await chatterIn(app, 'mallory', 'lobby');
    const sentBefore = app.webPubSub.sent.length;
    const first = await mallory.chat('lobby', 'you are a shit');
    expect(first.body).toMatchObject({ type: 'refused', rule: 'profanity', strikes: 1, action: 'none' });
    const second = await mallory.chat('lobby', 'shit again');
    expect(second.body).toMatchObject({ type: 'refused', strikes: 2, action: 'mute' });
    app.advance(61_000);
    await mallory.chat('lobby', 'shit thrice');
    expect(app.webPubSub.sent.slice(sentBefore)).toEqual([]);
    expect(app.webPubSub.connections.has(mallory.connectionId)).toBe(false);
    expect(await app.stores.sanctions.getSanction('ban', 'mallory', 'app', app.app.now())).toMatchObject({
      actor: 'policy',
    });
    expect((await new InProcessChatter(app, 'mallory').connect()).status).toBe(403);
  });

  it('queues a reported line for review, and a moderator deletes it for everyone', async () => {
    const app = new InProcessApp();
    const alice = await chatterIn(app, 'alice', 'lobby');
    const bob = await chatterIn(app, 'bob', 'lobby');
    const { id } = (await alice.chat('lobby', 'a borderline remark')).body as { id: string };
    expect((await bob.report(id, 'rude')).body).toMatchObject({
      type: 'reported',
      messageId: id,
      queueId: `lobby.${id}`,
    });
    const queue = await app.call('listQueue', moderator, { path: 'moderate/queue' });
    expect(queue.body).toMatchObject({ items: [{ id: `lobby.${id}`, reports: [{ by: 'bob', reason: 'rude' }] }] });
    const decided = await app.call('decideQueueItem', moderator, {
      path: `moderate/queue/lobby.${id}`,
      params: { id: `lobby.${id}` },
      body: { action: 'delete' },
    });
    expect(decided).toMatchObject({ status: 200, body: { id: `lobby.${id}`, action: 'delete' } });
    expect(app.webPubSub.sentTo({ to: 'group', group: 'lobby' }).at(-1)).toEqual({
      type: 'deleted',
      id,
      room: 'lobby',
    });
    expect(await app.stores.messages.getMessage('lobby', id, app.app.now())).toBeUndefined();
  });
});

describe('moderator endpoints in-process', () => {
  it('evicts a connection in a room and bans its user; an unknown one is 404 before any call to the service', async () => {
    const app = new InProcessApp();
    const dave = await chatterIn(app, 'dave', 'studio');
    // The roster's items name their room too, as the README's table says.
    const roster = await app.call('roomConnections', moderator, {
      path: 'moderate/rooms/studio/connections',
      params: { room: 'studio' },
    });
    expect(roster.body).toEqual({
      room: 'studio',
      connections: [{ room: 'studio', connectionId: dave.connectionId, userId: 'dave', joinedAt: expect.any(String) }],
    });
    const unknown = await app.call('evict', moderator, {
      path: 'moderate/evict',
      body: { connectionId: 'nope', permission: 'sendToGroup', room: 'studio' },
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'TargetNotFound' } });
    const evicted = await app.call('evict', moderator, {
      path: 'moderate/evict',
      body: {
        connectionId: dave.connectionId,
        permission: 'sendToGroup',
        room: 'studio',
        reason: 'spam',
        banMinutes: 10,
      },
    });
    expect(evicted).toMatchObject({
      status: 200,
      body: { revokeStatus: 204, closeStatus: 204, bannedUntil: expect.any(String) },
    });
    expect(app.webPubSub.connections.has(dave.connectionId)).toBe(false);
    const bans = await app.call('listBans', moderator, { path: 'moderate/bans' });
    expect(bans.body).toMatchObject({ bans: [{ userId: 'dave', scope: 'app', reason: 'spam' }] });
    const audit = await app.call('audit', moderator, { path: 'moderate/audit' });
    expect((audit.body as { entries: { action: string }[] }).entries.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['ban', 'evict']),
    );
  });

  it('answers 401 without a principal and 403 RoleRequired for a chatter', async () => {
    const app = new InProcessApp();
    expect(await app.call('listBans', undefined, { path: 'moderate/bans' })).toMatchObject({ status: 401 });
    expect(await app.call('listBans', { userId: 'erin' }, { path: 'moderate/bans' })).toMatchObject({
      status: 403,
      body: { code: 'RoleRequired' },
    });
  });

  it('negotiates a client URL for a signed-in user and refuses a banned one', async () => {
    const app = new InProcessApp();
    const negotiated = await app.call('negotiate', { userId: 'alice' });
    expect(negotiated).toMatchObject({
      status: 200,
      body: { userId: 'alice', url: expect.stringMatching(/^wss:\/\/.+access_token=/) },
    });
    await app.call('ban', moderator, { path: 'moderate/bans', body: { userId: 'alice', minutes: 5 } });
    expect(await app.call('negotiate', { userId: 'alice' })).toMatchObject({ status: 403, body: { code: 'Banned' } });
  });
});
