import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createModerationTables } from '../../src/clients.js';
import { tableStores } from '../../src/store/table/stores.js';
import { chatterPool, eventually } from './support/chat-client.js';
import { ModeratorApi, uniqueRoom } from './support/moderation-api.js';

const chatter = chatterPool();
let moderator: ModeratorApi;
beforeAll(async () => {
  moderator = await ModeratorApi.signIn('mod-rules');
});

describe('room settings at run time', () => {
  it('slow mode refuses a second line within the cool-down, without a strike, and accepts it after', async () => {
    const room = uniqueRoom('slow');
    const put = await moderator.put(`/api/moderate/rooms/${room}/settings`, { slowModeSeconds: 1 });
    expect(put).toMatchObject({ status: 200, body: { room, slowModeSeconds: 1, linksAllowed: true } });
    expect(await moderator.get(`/api/moderate/rooms/${room}/settings`)).toMatchObject({
      status: 200,
      body: { slowModeSeconds: 1, updatedBy: 'mod-rules' },
    });
    const sam = await chatter('sam-slow', room);
    expect(await sam.chat(room, 'first')).toMatchObject({ type: 'accepted' });
    const refused = await sam.chat(room, 'second');
    expect(refused).toMatchObject({ type: 'refused', rule: 'slow-mode', strikes: 0, action: 'none' });
    expect(String(refused.message)).toMatch(/one message every 1 seconds/);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(await sam.chat(room, 'second, later')).toMatchObject({ type: 'accepted' });
  });

  it('a no-links room refuses a link (also a bare domain), a room maximum length applies, and both are audited', async () => {
    const room = uniqueRoom('nolinks');
    await moderator.put(`/api/moderate/rooms/${room}/settings`, { linksAllowed: false, maxLength: 30 });
    const lena = await chatter('lena-links', room);
    for (const text of ['see https://example.com/x', 'go to shop.example.org!']) {
      expect(await lena.chat(room, text)).toMatchObject({ type: 'refused', rule: 'links', strikes: 0 });
    }
    expect(await lena.chat(room, 'no link here, e.g. this, but too long')).toMatchObject({
      type: 'refused',
      rule: 'length',
    });
    expect(await lena.chat(room, 'plain words')).toMatchObject({ type: 'accepted' });
    const audit = await moderator.audit();
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'room-settings', actor: 'mod-rules', room, outcome: 'succeeded' }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'refuse', actor: 'policy', rule: 'links', target: 'lena-links', room }),
    );
  });

  it('rejects invalid settings with a 400 that names the field', async () => {
    const bad = await moderator.put('/api/moderate/rooms/lobby/settings', { slowModeSeconds: -1 });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toContain('slowModeSeconds');
  });
});

describe('list rules at run time', () => {
  it('a regex rule added at run time blocks within seconds, names only its id, and stops when deleted', async () => {
    const room = uniqueRoom('regex');
    const rita = await chatter('rita-regex', room);
    const watcher = await chatter('walt-regex', room);
    expect(await rita.chat(room, 'call 555-1234 now')).toMatchObject({ type: 'accepted' });

    const added = await moderator.post<{ id: string; scope: string }>('/api/moderate/rules', {
      kind: 'regex',
      pattern: '\\b\\d{3}-\\d{4}\\b',
      action: 'block',
      room,
    });
    expect(added).toMatchObject({ status: 201, body: { scope: `room:${room}`, kind: 'regex', action: 'block' } });
    const rule = `list:${added.body.id}`;
    const refused = await eventually(async () => {
      const answer = await rita.chat(room, `call 555-${Math.floor(1000 + Math.random() * 8999)} please`);
      return answer.type === 'refused' ? answer : undefined;
    }, 6_000);
    expect(refused).toMatchObject({ rule, strikes: 1 });
    expect(String(refused.message)).not.toMatch(/\\d|555/);
    const marker = await rita.chat(room, 'marker line');
    await eventually(() => watcher.chats.find((m) => m.id === marker.id));
    expect(watcher.chats.filter((m) => /call 555-\d{4} please/.test(m.text))).toEqual([]);

    const listed = await moderator.get<{ rules: { id: string }[] }>(`/api/moderate/rules?room=${room}`);
    expect(listed.body.rules.map((r) => r.id)).toContain(added.body.id);
    expect((await moderator.delete(`/api/moderate/rules/${added.body.id}`)).status).toBe(204);
    expect((await moderator.delete(`/api/moderate/rules/${added.body.id}`)).status).toBe(404);
    expect(await watcher.chat(room, 'call 555-0000 again')).toMatchObject({ type: 'accepted' });
    const audit = await moderator.audit();
    expect(audit).toContainEqual(expect.objectContaining({ action: 'add-rule', actor: 'mod-rules', rule }));
    expect(audit).toContainEqual(expect.objectContaining({ action: 'delete-rule', actor: 'mod-rules', rule }));
    expect(audit).toContainEqual(expect.objectContaining({ action: 'refuse', actor: 'policy', rule }));
    expect(JSON.stringify(audit.filter((entry) => entry.rule === rule))).not.toContain('\\d{3}');
  });

  it('word and domain rules: block refuses (subdomains too), a global word applies in every room', async () => {
    const room = uniqueRoom('words');
    const word = await moderator.post<{ id: string }>('/api/moderate/rules', {
      kind: 'word',
      pattern: 'zorblax',
      action: 'block',
    });
    const domain = await moderator.post<{ id: string; pattern: string }>('/api/moderate/rules', {
      kind: 'domain',
      pattern: 'https://Spam.Example/',
      action: 'block',
      room,
    });
    expect(domain).toMatchObject({ status: 201, body: { pattern: 'spam.example' } });
    const wes = await chatter('wes-words', room);
    expect(await wes.chat(room, 'you ZORBLAX')).toMatchObject({ rule: `list:${word.body.id}` });
    expect(await wes.chat(room, 'visit http://www.spam.example/deal')).toMatchObject({
      rule: `list:${domain.body.id}`,
    });
    // Two strikes muted wes; another member shows look-alike domains pass.
    const vic = await chatter('vic-words', room);
    expect(await vic.chat(room, 'notspam.example is fine')).toMatchObject({ type: 'accepted' });
    // In a room with no rules of its own the global word still blocks, and the room's domain does not.
    const elsewhere = uniqueRoom('words-elsewhere');
    const zoe = await chatter('zoe-words', elsewhere);
    expect(await zoe.chat(elsewhere, 'visit spam.example')).toMatchObject({ type: 'accepted' });
    expect(await zoe.chat(elsewhere, 'zorblax again')).toMatchObject({ rule: `list:${word.body.id}` });
    await moderator.delete(`/api/moderate/rules/${word.body.id}`);
    await moderator.delete(`/api/moderate/rules/${domain.body.id}`);
  });

  it('a rule written by another instance (straight to Table Storage) applies within RULES_CACHE_SECONDS', async () => {
    // The shared stack runs with the default of 5 s and nothing invalidates this host's cache: only the TTL and the
    // configuration version can bring the change in.
    const otherInstance = tableStores(
      createModerationTables({
        tables: { endpoint: undefined, connectionString: inject('stack').tablesConnectionString },
        tablePrefix: 'moderator',
      }),
    ).configuration;
    const room = uniqueRoom('ttl');
    const tom = await chatter('tom-ttl', room);
    expect(await tom.chat(room, 'quuxword here')).toMatchObject({ type: 'accepted' });
    const id = 'abcdef012345';
    await otherInstance.addRule({
      id,
      kind: 'word',
      pattern: 'quuxword',
      action: 'block',
      scope: `room:${room}`,
      createdBy: 'mod-elsewhere',
      createdAt: new Date(),
    });
    await otherInstance.bumpConfigVersion();
    const written = Date.now();
    // Probe sparingly (the rate limit counts accepted lines): once now, then from just before the TTL runs out.
    const probe = () => tom.chat(room, `quuxword ${Math.random()}`);
    let answer = await probe();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    while (answer.type === 'accepted' && Date.now() - written < 7_000) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      answer = await probe();
    }
    expect(answer).toMatchObject({ type: 'refused', rule: `list:${id}` });
    expect(Date.now() - written).toBeLessThan(6_500);
    expect((await moderator.delete(`/api/moderate/rules/${id}`)).status).toBe(204);
  });

  it.each([
    ['(?=free)f\\w+', /lookahead and lookbehind assertions are not supported/],
    ['(x)\\1', /backreferences are not supported/],
    ['a{1001}', /linear-time engine cannot use it/],
    ['(unclosed', /not a valid regular expression/],
  ])(
    'rejects the pattern %s the linear-time engine cannot run with a 400 UnsafePattern that says why',
    async (pattern, why) => {
      const answer = await moderator.post('/api/moderate/rules', { kind: 'regex', pattern, action: 'block' });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('UnsafePattern');
      expect(String(answer.body.message)).toMatch(why);
    },
  );
});
