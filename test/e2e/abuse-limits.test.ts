import { beforeAll, describe, expect, it } from 'vitest';
import { Chatter, callApi, chatterPool, eventually, handshakeStatus } from './support/chat-client.js';
import { ModeratorApi, uniqueRoom } from './support/moderation-api.js';

/**
 * Issue 21's attacks on the limits, as a chatter made them: reconnecting to wipe strikes and mutes, several
 * connections to multiply slow mode and the rate limit, and one user flooding the review queue with reports. The test
 * stack runs the defaults (5 lines in 10 s, 5 connections, 20 reports an hour) with MODERATION_MUTE_SECONDS=1.
 */
const chatter = chatterPool();
const uniqueUser = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
let moderator: ModeratorApi;
beforeAll(async () => {
  moderator = await ModeratorApi.signIn('mod-limits');
});

describe('strikes and mutes belong to the user', () => {
  it('keeps strikes and the automatic mute across reconnects, and bans at the third strike', async () => {
    const room = uniqueRoom('reconnect');
    const user = uniqueUser('reconnector');
    const first = await chatter(user, room);
    expect(await first.chat(room, 'forbiddenword one')).toMatchObject({ rule: 'blocklist', strikes: 1 });
    expect(await first.chat(room, 'forbiddenword two')).toMatchObject({ strikes: 2, action: 'mute' });
    first.stop();

    // A fresh connection used to start from 0 strikes, unmuted: 1, 2 (mute), 1, 2… and never a ban.
    const second = await chatter(user, room);
    expect(await second.chat(room, 'forbiddenword three')).toMatchObject({ type: 'refused', rule: 'muted' });
    const mutes = (await moderator.get<{ mutes: { userId: string; actor: string }[] }>('/api/moderate/mutes')).body;
    expect(mutes.mutes).toContainEqual(expect.objectContaining({ userId: user, actor: 'policy' }));
    second.stop();

    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the mute lasts 1 s on the test stack
    const third = await chatter(user, room);
    await expect(third.chat(room, 'forbiddenword four')).rejects.toThrow(
      /disconnected before receive ack|not connected/,
    );
    expect(await eventually(() => third.disconnectReason)).toMatch(/banned until/);
    expect((await callApi('/api/negotiate', third.cookie)).status).toBe(403);
  });
});

describe("a user's limits hold across their connections", () => {
  it('slow mode holds for a second connection and for a reconnect', async () => {
    const room = uniqueRoom('slow');
    expect((await moderator.put(`/api/moderate/rooms/${room}/settings`, { slowModeSeconds: 30 })).status).toBe(200);
    const user = uniqueUser('slowpoke');
    const first = await chatter(user, room);
    const second = await chatter(user, room);
    await eventually(async () => ((await first.chat(room, 'first line')).type === 'accepted' ? true : undefined));
    expect(await second.chat(room, 'from another tab')).toMatchObject({ type: 'refused', rule: 'slow-mode' });
    first.stop();
    second.stop();
    const again = await chatter(user, room);
    expect(await again.chat(room, 'after reconnecting')).toMatchObject({ type: 'refused', rule: 'slow-mode' });
  });

  it('lets 5 lines in 10 s through however many connections send them (3 connections got 13 through)', async () => {
    const room = uniqueRoom('rate');
    const user = uniqueUser('flooder');
    const connections = await Promise.all([chatter(user, room), chatter(user, room), chatter(user, room)]);
    // Distinct words in every line, so none is refused as a repeat.
    const words = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike'.split(' ');
    const replies = await Promise.all(words.map((word, i) => connections[i % 3]?.chat(room, `${word} says hello`)));
    const accepted = replies.filter((reply) => reply?.type === 'accepted');
    expect(accepted.length).toBeLessThanOrEqual(5);
    expect(accepted.length).toBeGreaterThan(0);
    // Every third rate refusal is a strike, and two strikes mute: the flood ends muted.
    const refusals = replies.filter((reply) => reply?.type === 'refused').map((reply) => reply?.rule);
    expect(refusals).toHaveLength(13 - accepted.length);
    expect(refusals.every((rule) => rule === 'rate' || rule === 'muted')).toBe(true);
  });

  it('refuses a connection over MAX_CONNECTIONS_PER_USER at connect, with the reason, until one closes', async () => {
    const user = uniqueUser('hoarder');
    const open = await Promise.all(Array.from({ length: 5 }, () => Chatter.connect(user)));
    const negotiate = await callApi('/api/negotiate', open[0]?.cookie);
    const { url } = (await negotiate.json()) as { url: string };
    expect(await handshakeStatus(url)).toBe(403);
    open[0]?.stop();
    expect(await eventually(async () => ((await handshakeStatus(url)) === 101 ? 101 : undefined))).toBe(101);
    for (const connection of open) connection.stop();
  });
});

describe('reports', () => {
  it('limits reports per user and keeps each reporter once in the queue item', async () => {
    const room = uniqueRoom('reports');
    const author = await chatter(uniqueUser('author'), room);
    const flooder = await chatter(uniqueUser('reporter'), room);
    const other = await chatter(uniqueUser('witness'), room);
    const { id } = await author.chat(room, 'a perfectly ordinary line');
    await eventually(() => flooder.chats.find((m) => m.id === id));
    const answers = [];
    for (let i = 0; i < 25; i++) answers.push(await flooder.send('report', { messageId: id, reason: `spam ${i}` }));
    expect(answers.slice(0, 20).every((answer) => answer.type === 'reported')).toBe(true);
    expect(answers.slice(20)).toEqual(
      Array.from({ length: 5 }, () => expect.objectContaining({ type: 'error', code: 'TooManyReports' })),
    );
    expect(await other.send('report', { messageId: id, reason: 'rude' })).toMatchObject({ type: 'reported' });
    const items = (
      await moderator.get<{ items: { reports: { by: string }[]; reportCount: number }[] }>(
        `/api/moderate/queue?room=${room}`,
      )
    ).body.items;
    expect(items[0]?.reports.map((report) => report.by)).toEqual([flooder.userId, other.userId]);
    expect(items[0]?.reportCount).toBe(2);
  });
});
