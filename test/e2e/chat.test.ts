import { describe, expect, it } from 'vitest';
import { callApi, chatterPool, eventually, handshakeStatus, postJson, signIn } from './support/chat-client.js';

const chatter = chatterPool();

describe('chat through moderation', () => {
  it('delivers clean messages to the room, and refuses profanity (also in leetspeak) before anyone sees it', async () => {
    const alice = await chatter('alice');
    const bob = await chatter('bob');
    expect(await alice.join('lobby')).toMatchObject({ type: 'joined', room: 'lobby' });
    expect(await bob.join('lobby')).toMatchObject({ type: 'joined', room: 'lobby' });
    await eventually(() => alice.notices.find((n) => n.includes('bob joined')));

    const accepted = await alice.chat('lobby', 'hello bob');
    expect(accepted).toMatchObject({ type: 'accepted' });
    const delivered = await eventually(() => bob.chats.find((m) => m.id === accepted.id));
    expect(delivered).toMatchObject({ from: 'alice', room: 'lobby', text: 'hello bob' });

    for (const text of ['you are a shit', 'you are a sh1t']) {
      const refused = await alice.chat('lobby', text);
      expect(refused).toMatchObject({ type: 'refused', rule: 'profanity' });
      expect(String(refused.message)).not.toContain('shit');
    }
    // Two strikes muted alice; bob's own line, delivered after hers would have been, shows none got through.
    expect(await alice.chat('lobby', 'still here')).toMatchObject({ type: 'refused', rule: 'muted' });
    const marker = await bob.chat('lobby', 'anyone?');
    await eventually(() => bob.chats.find((m) => m.id === marker.id));
    expect(bob.chats.map((m) => m.text)).not.toContain('you are a shit');
    expect(bob.chats.map((m) => m.text)).not.toContain('you are a sh1t');
  });

  it('refuses chat in a room the connection has not joined', async () => {
    const carol = await chatter('carol');
    expect(await carol.chat('lobby', 'hi')).toMatchObject({ type: 'refused', rule: 'not-in-room' });
  });

  it('escalates strikes to eviction with a reason, and refuses the banned user on reconnect', async () => {
    const mallory = await chatter('mallory');
    await mallory.join('arena');
    expect(await mallory.chat('arena', 'forbiddenword one')).toMatchObject({
      rule: 'blocklist',
      strikes: 1,
      action: 'none',
    });
    expect(await mallory.chat('arena', 'a secret   phrase')).toMatchObject({
      rule: 'blocklist',
      strikes: 2,
      action: 'mute',
    });
    expect(await mallory.chat('arena', 'hello?')).toMatchObject({ type: 'refused', rule: 'muted' });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // MODERATION_MUTE_SECONDS=1 in the test stack
    // The third strike evicts before the reply can arrive: the pending event fails with the connection.
    await expect(mallory.chat('arena', 'forbiddenword three')).rejects.toThrow(
      /disconnected before receive ack|not connected/,
    );
    const reason = await eventually(() => mallory.disconnectReason);
    expect(reason).toMatch(/banned until/);

    const negotiate = await callApi('/api/negotiate', mallory.cookie);
    expect(negotiate.status).toBe(403);
    expect(await negotiate.json()).toMatchObject({ code: 'Banned' });
    // A token minted before the ban still reaches the connect event, which refuses the handshake.
    expect(await handshakeStatus(mallory.joinedUrl ?? '')).toBe(403);

    const moderator = await signIn('mod-1', ['moderator']);
    const audit = (await (await callApi('/api/moderate/audit', moderator)).json()) as {
      entries: { action: string; target?: string; actor: string; outcome: string }[];
    };
    expect(audit.entries).toContainEqual(
      expect.objectContaining({ action: 'evict', target: 'mallory', actor: 'policy', outcome: 'succeeded' }),
    );
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: 'ban', target: 'mallory' }));
  });
});

describe('moderator endpoints', () => {
  it('evicts a connection by POST /api/moderate/evict, bans, audits, and unbans', async () => {
    const dave = await chatter('dave');
    await dave.join('studio');
    const moderator = await signIn('mod-2', ['moderator']);
    const roster = (await (await callApi('/api/moderate/rooms/studio/connections', moderator)).json()) as {
      connections: { connectionId: string; userId: string }[];
    };
    const entry = roster.connections.find((c) => c.userId === 'dave');
    expect(entry?.connectionId).toBe(dave.connectionId);

    const evict = await postJson('/api/moderate/evict', moderator, {
      connectionId: entry?.connectionId,
      permission: 'sendToGroup',
      room: 'studio',
      reason: 'spamming links',
      banMinutes: 10,
    });
    expect(evict.status).toBe(200);
    const result = (await evict.json()) as { revokeStatus: number; closeStatus: number; bannedUntil?: string };
    expect(result).toMatchObject({ revokeStatus: 204, closeStatus: 204 });
    expect(Date.parse(result.bannedUntil ?? '')).toBeGreaterThan(Date.now());
    expect(await eventually(() => dave.disconnectReason)).toContain('spamming links');

    const audit = (await (await callApi('/api/moderate/audit?limit=20', moderator)).json()) as {
      entries: {
        action: string;
        actor: string;
        target?: string;
        reason?: string;
        outcome: string;
        steps?: unknown[];
      }[];
    };
    expect(audit.entries).toContainEqual(
      expect.objectContaining({
        action: 'evict',
        actor: 'mod-2',
        target: 'dave',
        reason: 'spamming links',
        outcome: 'succeeded',
        steps: [
          expect.objectContaining({ stepId: 'revokePermission', status: 204 }),
          expect.objectContaining({ stepId: 'evictConnection', status: 204 }),
        ],
      }),
    );
    const bans = (await (await callApi('/api/moderate/bans', moderator)).json()) as { bans: { userId: string }[] };
    expect(bans.bans.map((b) => b.userId)).toContain('dave');
    expect((await callApi('/api/moderate/bans/dave', moderator, { method: 'DELETE' })).status).toBe(204);
    expect((await callApi('/api/moderate/bans/dave', moderator, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers 404 TargetNotFound for a connection it does not know, before running the workflow', async () => {
    const frank = await chatter('frank');
    await frank.join('annex');
    const moderator = await signIn('mod-4', ['moderator']);
    const evict = (body: Record<string, unknown>) =>
      postJson('/api/moderate/evict', moderator, { permission: 'sendToGroup', reason: 'gone already', ...body });
    const answers = [
      await evict({ connectionId: 'nope', room: 'annex' }),
      await evict({ connectionId: 'nope' }),
      // A live connection, but not in the room named.
      await evict({ connectionId: frank.connectionId, room: 'elsewhere' }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(await answer.json()).toMatchObject({ code: 'TargetNotFound', message: expect.stringContaining('not') });
    }
    // A ban without a room has no roster to name the connection's user: refused, never a silent no-op.
    const banWithoutRoom = await evict({ connectionId: frank.connectionId, banMinutes: 5 });
    expect(banWithoutRoom.status).toBe(400);
    expect(await banWithoutRoom.json()).toMatchObject({ code: 'RoomRequired' });
    // Nothing ran: no evict was audited for these, and frank is still connected.
    const audit = (await (await callApi('/api/moderate/audit?limit=50', moderator)).json()) as {
      entries: { action: string; connectionId?: string }[];
    };
    const evictions = audit.entries.filter((entry) => entry.action === 'evict');
    expect(evictions.map((entry) => entry.connectionId)).not.toContain('nope');
    expect(evictions.map((entry) => entry.connectionId)).not.toContain(frank.connectionId);
    expect(frank.disconnectReason).toBeUndefined();
    // Without a room the service is asked: a live connection is evicted.
    expect((await evict({ connectionId: frank.connectionId })).status).toBe(200);
    expect(await eventually(() => frank.disconnectReason)).toContain('gone already');
  });

  it('answers 401 without a principal and 403 without the moderator role', async () => {
    const chatterCookie = await signIn('erin');
    const body = { connectionId: 'x', permission: 'sendToGroup' };
    expect((await postJson('/api/moderate/evict', undefined, body)).status).toBe(401);
    const forbidden = await postJson('/api/moderate/evict', chatterCookie, body);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 'RoleRequired' });
    expect((await postJson('/api/announce', chatterCookie, { message: 'hi' })).status).toBe(403);
    // A spoofed principal header is stripped by the platform (here: the local Easy Auth emulation).
    const spoofed = Buffer.from(
      JSON.stringify({
        claims: [
          { typ: 'roles', val: 'moderator' },
          { typ: 'name', val: 'x' },
        ],
      }),
    ).toString('base64');
    const response = await callApi('/api/moderate/bans', undefined, { headers: { 'x-ms-client-principal': spoofed } });
    expect(response.status).toBe(401);
  });

  it('answers invalid bodies with 400 and a message that names the field', async () => {
    const moderator = await signIn('mod-3', ['moderator']);
    const bad = await postJson('/api/moderate/evict', moderator, { connectionId: 'c1', permission: 'everything' });
    expect(bad.status).toBe(400);
    const error = (await bad.json()) as { code: string; message: string };
    expect(error.code).toBe('InvalidBody');
    expect(error.message).toContain('permission');
    const notJson = await callApi('/api/announce', moderator, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
    const wrongType = await callApi('/api/announce', moderator, { method: 'POST', body: 'hello' });
    expect(wrongType.status).toBe(415);
  });

  it('announces to a room and the members receive it', async () => {
    const frank = await chatter('frank');
    await frank.join('hall');
    const moderator = await signIn('mod-4', ['moderator']);
    const response = await postJson('/api/announce', moderator, { message: 'Welcome to the hall!', room: 'hall' });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { token: string; broadcastStatus: number };
    expect(result.broadcastStatus).toBe(202);
    expect(result.token.split('.')).toHaveLength(3);
    await eventually(() => frank.notices.find((n) => n === 'Welcome to the hall!'));
  });
});

describe('negotiate', () => {
  it('gives a signed-in user a least-privilege client URL and refuses anonymous callers', async () => {
    const cookie = await signIn('grace');
    const response = await callApi('/api/negotiate', cookie);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { url: string; userId: string; expiresAt: string };
    expect(body.userId).toBe('grace');
    const token = new URL(body.url).searchParams.get('access_token') ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.sub).toBe('grace');
    expect(claims.role ?? []).toEqual([]);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    expect((await callApi('/api/negotiate', undefined)).status).toBe(401);
  });
});
