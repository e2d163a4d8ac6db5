import { beforeAll, describe, expect, it } from 'vitest';
import { type Chatter, callApi, chatterPool, eventually, handshakeStatus } from './support/chat-client.js';
import { ModeratorApi, uniqueRoom } from './support/moderation-api.js';

const chatter = chatterPool();
let moderator: ModeratorApi;
beforeAll(async () => {
  moderator = await ModeratorApi.signIn('mod-sanctions');
});

/** Sends a marker line from `from` and waits until `to` has it, so every earlier delivery to `to` has arrived. */
async function flush(from: Chatter, to: Chatter, room: string): Promise<void> {
  const marker = await from.chat(room, `marker ${Math.random()}`);
  await eventually(() => to.chats.find((m) => m.id === marker.id));
}

/** A client URL from `/api/negotiate` for the signed-in user (no room in it). */
async function negotiatedUrl(cookie: string): Promise<string> {
  const response = await callApi('/api/negotiate', cookie);
  expect(response.status).toBe(200);
  return ((await response.json()) as { url: string }).url;
}

describe('mutes', () => {
  it('a moderator mutes a user in one room for a while, lists it, and unmutes', async () => {
    const room = uniqueRoom('mute');
    const otherRoom = uniqueRoom('mute-other');
    const max = await chatter('max-mute', room);
    const created = await moderator.post('/api/moderate/mutes', {
      userId: 'max-mute',
      room,
      minutes: 5,
      reason: 'cool off',
    });
    expect(created).toMatchObject({ status: 201, body: { userId: 'max-mute', scope: `room:${room}` } });
    const refused = await max.chat(room, 'hello');
    expect(refused).toMatchObject({ type: 'refused', rule: 'muted' });
    expect(String(refused.message)).toContain('cool off');
    const mutes = await moderator.get<{ mutes: { userId: string; scope: string }[] }>('/api/moderate/mutes');
    expect(mutes.body.mutes).toContainEqual(expect.objectContaining({ userId: 'max-mute', scope: `room:${room}` }));

    expect(await max.join(otherRoom)).toMatchObject({ type: 'joined' });
    expect(await max.chat(otherRoom, 'elsewhere')).toMatchObject({ type: 'accepted' });
    expect(await max.join(room)).toMatchObject({ type: 'joined' });
    expect((await moderator.delete(`/api/moderate/mutes/max-mute?room=${room}`)).status).toBe(204);
    expect((await moderator.delete(`/api/moderate/mutes/max-mute?room=${room}`)).status).toBe(404);
    expect(await max.chat(room, 'back')).toMatchObject({ type: 'accepted' });
    const audit = await moderator.audit();
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'mute', actor: 'mod-sanctions', target: 'max-mute' }),
    );
    expect(audit).toContainEqual(expect.objectContaining({ action: 'unmute', actor: 'mod-sanctions', room }));
    expect(audit).toContainEqual(expect.objectContaining({ action: 'refuse', rule: 'muted', target: 'max-mute' }));
  });
});

describe('shadow bans', () => {
  it('the shadow-banned user sees their own lines as usual; nobody else sees any, and they are not told', async () => {
    const room = uniqueRoom('shadow');
    const sid = await chatter('sid-shadow', room);
    const tia = await chatter('tia-shadow', room);
    expect(await moderator.post('/api/moderate/shadow-bans', { userId: 'sid-shadow', reason: 'spam' })).toMatchObject({
      status: 201,
      body: { scope: 'app' },
    });
    const hidden: unknown[] = [];
    for (const text of ['buy followers', 'cheap followers here']) {
      const answer = await sid.chat(room, text);
      expect(answer).toEqual({ type: 'accepted', id: expect.any(String) });
      hidden.push(answer.id);
      const own = await eventually(() => sid.chats.find((m) => m.id === answer.id));
      expect(own).toMatchObject({ type: 'chat', room, from: 'sid-shadow', text });
    }
    await flush(tia, tia, room);
    await flush(tia, sid, room);
    expect(tia.chats.filter((m) => hidden.includes(m.id))).toEqual([]);
    expect(sid.replies.map((r) => r.type)).not.toContain('refused');

    expect((await moderator.delete('/api/moderate/shadow-bans/sid-shadow')).status).toBe(204);
    const visible = await sid.chat(room, 'visible again');
    await eventually(() => tia.chats.find((m) => m.id === visible.id));
    expect(await moderator.audit()).toContainEqual(
      expect.objectContaining({ action: 'shadow-deliver', actor: 'policy', rule: 'shadow-ban', target: 'sid-shadow' }),
    );
  });
});

describe('bans', () => {
  it('a room ban removes the user from that room and refuses join there, but not elsewhere or on connect', async () => {
    const room = uniqueRoom('roomban');
    const elsewhere = uniqueRoom('roomban-other');
    const rob = await chatter('rob-roomban', room);
    const una = await chatter('una-roomban', room);
    const banned = await moderator.post('/api/moderate/bans', {
      userId: 'rob-roomban',
      room,
      minutes: 5,
      reason: 'trolling',
    });
    expect(banned).toMatchObject({ status: 201, body: { scope: `room:${room}`, reason: 'trolling' } });
    expect(await eventually(() => rob.replies.find((r) => r.type === 'banned'))).toMatchObject({ room });
    expect(await rob.chat(room, 'still here?')).toMatchObject({ type: 'refused', rule: 'banned' });
    // Out of the group: una's line reaches una (and would reach rob at the same time) but not rob.
    const seen = rob.chats.length;
    await flush(una, una, room);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rob.chats.length).toBe(seen);
    expect(await rob.join(room)).toMatchObject({ type: 'refused', rule: 'banned', room });
    // The token from rob's earlier join carries the room: connecting with it would put him back in the group.
    expect(await handshakeStatus(rob.joinedUrl ?? '')).toBe(403);
    // A token without the room connects as usual.
    expect(await handshakeStatus(await negotiatedUrl(rob.cookie))).toBe(101);
    expect(await rob.join(elsewhere)).toMatchObject({ type: 'joined', room: elsewhere });
    expect(await rob.chat(elsewhere, 'fine here')).toMatchObject({ type: 'accepted' });

    const bans = await moderator.get<{ bans: { userId: string; scope: string }[] }>('/api/moderate/bans');
    expect(bans.body.bans).toContainEqual(expect.objectContaining({ userId: 'rob-roomban', scope: `room:${room}` }));
    expect((await moderator.delete('/api/moderate/bans/rob-roomban')).status).toBe(404);
    expect((await moderator.delete(`/api/moderate/bans/rob-roomban?room=${room}`)).status).toBe(204);
    expect(await rob.join(room)).toMatchObject({ type: 'joined', room });
  });

  it('an app ban closes the user’s connections and refuses negotiate and connect until unbanned', async () => {
    const room = uniqueRoom('appban');
    const amos = await chatter('amos-appban', room);
    const banned = await moderator.post('/api/moderate/bans', { userId: 'amos-appban', minutes: 5, reason: 'abuse' });
    expect(banned).toMatchObject({ status: 201, body: { scope: 'app' } });
    expect(await eventually(() => amos.disconnectReason)).toMatch(/Banned until .*: abuse/);
    const negotiate = await callApi('/api/negotiate', amos.cookie);
    expect(negotiate.status).toBe(403);
    expect(await negotiate.json()).toMatchObject({ code: 'Banned' });
    // A token minted before the ban does not connect either.
    expect(await handshakeStatus(amos.joinedUrl ?? '')).toBe(403);
    expect((await moderator.delete('/api/moderate/bans/amos-appban')).status).toBe(204);
    expect(await handshakeStatus(await negotiatedUrl(amos.cookie))).toBe(101);
    const audit = await moderator.audit();
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'ban', actor: 'mod-sanctions', target: 'amos-appban', outcome: 'succeeded' }),
    );
    expect(audit).toContainEqual(expect.objectContaining({ action: 'unban', target: 'amos-appban' }));
  });
});
