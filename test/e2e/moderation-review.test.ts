import { WebPubSubClient } from '@azure/web-pubsub-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Chatter, chatterPool, eventually, type Reply, sharedSession } from './support/chat-client.js';
import { ModeratorApi, uniqueRoom } from './support/moderation-api.js';

const chatter = chatterPool();
let moderator: ModeratorApi;
beforeAll(async () => {
  moderator = await ModeratorApi.signIn('mod-review');
});

interface QueueItemJson {
  id: string;
  room: string;
  messageId: string;
  from: string;
  text: string;
  rules: string[];
  reports: { by: string; reason: string }[];
}

const queue = async (room: string) =>
  (await moderator.get<{ items: QueueItemJson[] }>(`/api/moderate/queue?room=${room}`)).body.items;
const deletionOf = (c: Chatter, id: string): Reply | undefined =>
  c.replies.find((r) => r.type === 'deleted' && r.id === id);

describe('reports and the review queue', () => {
  it('a report puts a delivered message in the queue; deleting it reaches every page', async () => {
    const room = uniqueRoom('review');
    const amy = await chatter('amy-review', room);
    const ben = await chatter('ben-review', room);
    const cat = await chatter('cat-review', room);
    const accepted = await amy.chat(room, 'a rude but clean line');
    const id = String(accepted.id);
    await eventually(() => ben.chats.find((m) => m.id === id) && cat.chats.find((m) => m.id === id));

    expect(await ben.send('report', { messageId: id, reason: 'rude' })).toEqual({
      type: 'reported',
      messageId: id,
      queueId: `${room}.${id}`,
    });
    expect(await cat.send('report', { messageId: id, reason: 'rude too' })).toMatchObject({ type: 'reported' });
    const [item] = await queue(room);
    expect(item).toMatchObject({ id: `${room}.${id}`, from: 'amy-review', text: 'a rude but clean line', rules: [] });
    expect(item?.reports.map((r) => [r.by, r.reason])).toEqual([
      ['ben-review', 'rude'],
      ['cat-review', 'rude too'],
    ]);

    const decided = await moderator.post(`/api/moderate/queue/${room}.${id}`, { action: 'delete', reason: 'rude' });
    expect(decided).toEqual({ status: 200, body: { id: `${room}.${id}`, action: 'delete' } });
    for (const page of [amy, ben, cat]) {
      expect(await eventually(() => deletionOf(page, id))).toEqual({ type: 'deleted', id, room });
    }
    expect(await queue(room)).toEqual([]);
    expect(await ben.send('report', { messageId: id, reason: 'again' })).toMatchObject({
      type: 'error',
      code: 'UnknownMessage',
    });
    const audit = await moderator.audit();
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'report', actor: 'ben-review', target: 'amy-review', rule: 'report', room }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'delete-message', actor: 'mod-review', target: 'amy-review', room }),
    );
  });

  it('a flag rule delivers the message and queues it; muting its author from the queue refuses their next line', async () => {
    const room = uniqueRoom('flag');
    const rule = await moderator.post<{ id: string }>('/api/moderate/rules', {
      kind: 'word',
      pattern: 'crypto',
      action: 'flag',
      room,
    });
    const dan = await chatter('dan-flag', room);
    const eve = await chatter('eve-flag', room);
    const accepted = await dan.chat(room, 'buy my Crypto');
    expect(accepted).toMatchObject({ type: 'accepted' });
    await eventually(() => eve.chats.find((m) => m.id === accepted.id));
    const [item] = await eventually(async () => {
      const items = await queue(room);
      return items.length > 0 ? items : undefined;
    });
    expect(item).toMatchObject({ messageId: accepted.id, from: 'dan-flag', rules: [`list:${rule.body.id}`] });

    const muted = await moderator.post<{ until: string }>(`/api/moderate/queue/${item?.id}`, {
      action: 'mute',
      minutes: 1,
    });
    expect(muted).toMatchObject({ status: 200, body: { action: 'mute' } });
    expect(Date.parse(muted.body.until)).toBeGreaterThan(Date.now());
    const refused = await dan.chat(room, 'hello?');
    expect(refused).toMatchObject({ type: 'refused', rule: 'muted' });
    expect(String(refused.message)).toMatch(/A moderator muted you/);
    expect(await queue(room)).toEqual([]);
    const audit = await moderator.audit();
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'flag', actor: 'policy', rule: `list:${rule.body.id}`, target: 'dan-flag' }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'mute', actor: 'mod-review', target: 'dan-flag', room }),
    );
    await moderator.delete(`/api/moderate/rules/${rule.body.id}`);
  });

  it('dismisses an item, and answers 404 for an unknown one and 400 for a bad action', async () => {
    const room = uniqueRoom('dismiss');
    const fay = await chatter('fay-dismiss', room);
    const gus = await chatter('gus-dismiss', room);
    const accepted = await fay.chat(room, 'fine line');
    await gus.send('report', { messageId: accepted.id, reason: 'not sure' });
    const id = `${room}.${accepted.id}`;
    expect(await moderator.post(`/api/moderate/queue/${id}`, { action: 'explode' })).toMatchObject({ status: 400 });
    expect(await moderator.post(`/api/moderate/queue/${id}`, { action: 'dismiss' })).toMatchObject({ status: 200 });
    expect(await queue(room)).toEqual([]);
    expect(await moderator.post(`/api/moderate/queue/${id}`, { action: 'dismiss' })).toMatchObject({
      status: 404,
      body: { code: 'QueueItemNotFound' },
    });
    expect(await moderator.audit()).toContainEqual(
      expect.objectContaining({ action: 'dismiss', actor: 'mod-review', target: 'fay-dismiss', rule: 'report' }),
    );
  });
});

describe('live queue updates for moderators', () => {
  it('a moderator console connection hears of queue changes through Web PubSub; a chatter cannot ask to', async () => {
    const room = uniqueRoom('live');
    const session = sharedSession();
    const cookie = await session.signIn('mod-live', ['moderator']);
    const notices: unknown[] = [];
    const console = new WebPubSubClient(
      {
        getClientAccessUrl: async () => {
          const response = await session.api('/api/negotiate?console=true', cookie);
          expect(response.status).toBe(200);
          return ((await response.json()) as { url: string }).url;
        },
      },
      { autoReconnect: false },
    );
    console.on('group-message', (event) => notices.push(event.message.data));
    await console.start();
    try {
      const amy = await chatter('amy-live', room);
      const ben = await chatter('ben-live', room);
      const { id } = await amy.chat(room, 'a line to report');
      await eventually(() => ben.chats.find((m) => m.id === id));
      await ben.send('report', { messageId: String(id), reason: 'rude' });
      const queueId = `${room}.${String(id)}`;
      await eventually(() => notices.find((n) => (n as { change?: string }).change === 'added'));
      await moderator.post(`/api/moderate/queue/${queueId}`, { action: 'dismiss' });
      await eventually(() => notices.find((n) => (n as { change?: string }).change === 'decided'));
      expect(notices).toEqual([
        { type: 'queue-changed', change: 'added', id: queueId, room },
        { type: 'queue-changed', change: 'decided', id: queueId, room },
      ]);
      // Chatters in the room heard none of it.
      expect([...amy.replies, ...ben.replies].filter((r) => r.type === 'queue-changed')).toEqual([]);
      const chatterCookie = await session.signIn('amy-live');
      const refused = await session.api('/api/negotiate?console=true', chatterCookie);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'RoleRequired' });
    } finally {
      console.stop();
    }
  });
});
