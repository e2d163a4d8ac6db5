import { describe, expect, it } from 'vitest';
import type { TextAnalysis, TextAnalyzer } from '../../src/ai/content-safety.js';
import { InProcessApp, InProcessChatter } from './support/in-process.js';

const moderator = { userId: 'mod', roles: ['moderator'] };
const room = 'lobby';

async function chatterIn(app: InProcessApp, userId: string): Promise<InProcessChatter> {
  const chatter = new InProcessChatter(app, userId);
  expect((await chatter.connect()).status).toBe(200);
  expect((await chatter.join(room)).body).toMatchObject({ type: 'joined', room });
  return chatter;
}

/** Content Safety's answers, counted: what the service would say of each line. */
class ScriptedAnalyzer implements TextAnalyzer {
  readonly asked: string[] = [];
  constructor(private readonly answer: (text: string) => TextAnalysis | Error) {}
  async analyze(text: string): Promise<TextAnalysis> {
    this.asked.push(text);
    const answer = this.answer(text);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

const contentSafetyEnv = { CONTENT_SAFETY_ENDPOINT: 'https://memory.cognitiveservices.invalid' };
const severities = (violence: number): TextAnalysis => ({
  categoriesAnalysis: [
    { category: 'Hate', severity: 0 },
    { category: 'Violence', severity: violence },
  ],
});

describe('a chat line, step by step (sanctions, policy, AI screen, delivery)', () => {
  it('sanctions: a banned user is refused before the policy runs, and the refusal costs no strike', async () => {
    const app = new InProcessApp();
    const eve = await chatterIn(app, 'eve');
    const banned = await app.call('ban', moderator, {
      path: 'moderate/bans',
      body: { userId: 'eve', room, minutes: 5, reason: 'spam' },
    });
    expect(banned.status).toBe(201);
    app.advance(6_000); // past RULES_CACHE_SECONDS, so the snapshot holds the ban
    const answer = await eve.chat(room, 'shit');
    expect(answer.body).toMatchObject({ type: 'refused', rule: 'banned', strikes: 0, action: 'none' });
    expect(app.webPubSub.sentTo({ to: 'group', group: room }).slice(1)).toEqual([]);
  });

  it('AI screen: Content Safety is asked once, after the cheap filters, and its refusal leaves the counters', async () => {
    const analyzer = new ScriptedAnalyzer((text) => severities(text.includes('hurt') ? 6 : 0));
    const app = new InProcessApp(contentSafetyEnv, undefined, analyzer);
    const ann = await chatterIn(app, 'ann');
    expect((await ann.chat(room, 'I will hurt them')).body).toMatchObject({
      type: 'refused',
      rule: 'ai:Violence',
      strikes: 0,
    });
    expect((await ann.chat(room, 'shit')).body).toMatchObject({ rule: 'profanity', strikes: 1 });
    expect((await ann.chat(room, 'all good')).body).toMatchObject({ type: 'accepted' });
    // The profane line never reached the service: the cheap filters refused it first.
    expect(analyzer.asked).toEqual(['I will hurt them', 'all good']);
  });

  it('AI screen: an outage fails open by default and closed when configured, and is logged either way', async () => {
    const outage = () => new Error('no answer within 2000 ms');
    const open = new InProcessApp(contentSafetyEnv, undefined, new ScriptedAnalyzer(outage));
    expect((await (await chatterIn(open, 'olly')).chat(room, 'hello')).body).toMatchObject({ type: 'accepted' });
    const closedEnv = { ...contentSafetyEnv, CONTENT_SAFETY_FAILURE: 'closed' };
    const closed = new InProcessApp(closedEnv, undefined, new ScriptedAnalyzer(outage));
    expect((await (await chatterIn(closed, 'cleo')).chat(room, 'hello')).body).toMatchObject({
      type: 'refused',
      rule: 'ai-unavailable',
    });
  });

  it('delivery: a shadow-banned line goes to its author alone, with the usual reply and an audit entry', async () => {
    const app = new InProcessApp();
    const sid = await chatterIn(app, 'sid');
    await chatterIn(app, 'tia');
    const shadow = await app.call('shadowBan', moderator, {
      path: 'moderate/shadow-bans',
      body: { userId: 'sid', reason: 'spam' },
    });
    expect(shadow.status).toBe(201);
    app.advance(6_000);
    const groupBefore = app.webPubSub.sentTo({ to: 'group', group: room }).length;
    const answer = await sid.chat(room, 'buy my stuff');
    expect(answer.body).toMatchObject({ type: 'accepted', id: expect.any(String) });
    expect(app.webPubSub.sentTo({ to: 'group', group: room })).toHaveLength(groupBefore);
    expect(app.webPubSub.sentTo({ to: 'connection', id: sid.connectionId })).toContainEqual(
      expect.objectContaining({ type: 'chat', from: 'sid', text: 'buy my stuff' }),
    );
    const audit = await app.stores.audit.listAudit({ limit: 10 });
    expect(audit.entries).toContainEqual(
      expect.objectContaining({ action: 'shadow-deliver', rule: 'shadow-ban', target: 'sid' }),
    );
  });

  it('delivery: a line the service will not take is NotDelivered to its author, and nobody receives it', async () => {
    const app = new InProcessApp();
    const ann = await chatterIn(app, 'ann');
    const groupBefore = app.webPubSub.sentTo({ to: 'group', group: room }).length;
    app.webPubSub.failNext('send', 503);
    const answer = await ann.chat(room, 'hello');
    expect(answer.body).toMatchObject({ type: 'error', code: 'NotDelivered', id: expect.any(String) });
    expect(app.webPubSub.sentTo({ to: 'group', group: room })).toHaveLength(groupBefore);
  });

  it('delivery: a line a flag rule matches is delivered and queued for review with the rule named', async () => {
    const app = new InProcessApp();
    const ann = await chatterIn(app, 'ann');
    const added = await app.call('addRule', moderator, {
      path: 'moderate/rules',
      body: { kind: 'word', pattern: 'crypto', action: 'flag' },
    });
    expect(added.status).toBe(201);
    app.advance(6_000);
    const { id } = (await ann.chat(room, 'crypto tips inside')).body as { id: string };
    expect(app.webPubSub.sentTo({ to: 'group', group: room }).at(-1)).toMatchObject({ id, text: 'crypto tips inside' });
    const rule = `list:${(added.body as { id: string }).id}`;
    const queue = await app.call('listQueue', moderator, { path: 'moderate/queue' });
    expect(queue.body).toMatchObject({ items: [{ id: `${room}.${id}`, rules: [rule] }] });
  });
});

describe('insights', () => {
  it('counts what the chat path decided, per minute and rule, and serves it to moderators only', async () => {
    const app = new InProcessApp();
    const ann = await chatterIn(app, 'ann');
    const bob = await chatterIn(app, 'bob');
    const { id } = (await ann.chat(room, 'hello all')).body as { id: string };
    await ann.chat(room, 'shit');
    await bob.report(id, 'rude');
    await app.app.insights.flush();
    const stats = await app.call('stats', moderator, { path: 'moderate/stats?window=hour' });
    expect(stats.status).toBe(200);
    expect((stats.body as { series: unknown[] }).series.at(-1)).toMatchObject({
      delivered: 1,
      refused: 1,
      refusedByRule: { profanity: 1 },
      reported: 1,
    });
    expect(stats.body).toMatchObject({
      busiestRooms: [{ room, delivered: 1, refused: 1 }],
      topRefused: [{ userId: 'ann', refusals: 1 }],
    });
    expect((await app.call('stats', { userId: 'ann' }, { path: 'moderate/stats' })).status).toBe(403);
    expect((await app.call('stats', moderator, { path: 'moderate/stats?window=week' })).body).toMatchObject({
      code: 'InvalidQuery',
    });
  });
});

describe('live queue updates', () => {
  it('tell the moderators group of each queue change, and only moderators get a console connection', async () => {
    const app = new InProcessApp();
    const ann = await chatterIn(app, 'ann');
    const bob = await chatterIn(app, 'bob');
    const { id } = (await ann.chat(room, 'hello')).body as { id: string };
    await bob.report(id, 'rude');
    await app.call('decideQueueItem', moderator, {
      path: `moderate/queue/${room}.${id}`,
      params: { id: `${room}.${id}` },
      body: { action: 'dismiss' },
    });
    expect(app.webPubSub.sentTo({ to: 'group', group: '~moderators' })).toEqual([
      { type: 'queue-changed', change: 'added', id: `${room}.${id}`, room },
      { type: 'queue-changed', change: 'decided', id: `${room}.${id}`, room },
    ]);
    const consoleUrl = await app.call('negotiate', moderator, { path: 'negotiate?console=true' });
    const token = new URL((consoleUrl.body as { url: string }).url).searchParams.get('access_token') ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims['webpubsub.group']).toEqual(['~moderators']);
    const chatterUrl = await app.call('negotiate', { userId: 'ann' }, { path: 'negotiate' });
    const chatterToken = new URL((chatterUrl.body as { url: string }).url).searchParams.get('access_token') ?? '';
    const chatterClaims = JSON.parse(Buffer.from(chatterToken.split('.')[1] ?? '', 'base64url').toString());
    expect(chatterClaims['webpubsub.group'] ?? []).toEqual([]);
    expect((await app.call('negotiate', { userId: 'ann' }, { path: 'negotiate?console=true' })).body).toMatchObject({
      code: 'RoleRequired',
    });
  });
});

describe("a person's page", () => {
  it('shows strikes by room, sanctions in force, their latest lines, queued lines and the audit naming them', async () => {
    const app = new InProcessApp();
    const ann = await chatterIn(app, 'ann');
    const bob = await chatterIn(app, 'bob');
    await ann.chat(room, 'shit');
    const { id } = (await ann.chat(room, 'a borderline remark')).body as { id: string };
    await bob.report(id, 'rude');
    await app.call('mute', moderator, { path: 'moderate/mutes', body: { userId: 'ann', room, minutes: 5 } });
    const page = await app.call('userProfile', moderator, { path: 'moderate/users/ann', params: { userId: 'ann' } });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      userId: 'ann',
      rooms: [{ room, strikes: 1 }],
      sanctions: [{ kind: 'mute', userId: 'ann', scope: `room:${room}`, actor: 'mod' }],
      connections: [{ connectionId: ann.connectionId }],
      queued: [{ messageId: id, reports: [{ by: 'bob', reason: 'rude' }] }],
      // Newest first, as the policy decided them; the row written on each line keeps them.
      lines: [
        { room, id, text: 'a borderline remark', outcome: 'delivered' },
        { room, text: 'shit', outcome: 'refused', rules: ['profanity'] },
      ],
    });
    const actions = (page.body as { audit: { action: string; actor: string }[] }).audit.map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['refuse', 'report', 'mute']));
    // Bob's page lists the report he made.
    const bobs = await app.call('userProfile', moderator, { path: 'moderate/users/bob', params: { userId: 'bob' } });
    expect((bobs.body as { audit: { action: string; actor: string }[] }).audit).toContainEqual(
      expect.objectContaining({ action: 'report', actor: 'bob' }),
    );
    expect(
      (await app.call('userProfile', { userId: 'ann' }, { path: 'moderate/users/ann', params: { userId: 'ann' } }))
        .status,
    ).toBe(403);
  });
});

describe('searching recent lines', () => {
  type Found = { rooms: string[]; lines: { room: string; from: string; text: string; outcome: string }[] };
  const search = async (app: InProcessApp, query: string) => {
    const answer = await app.call('searchMessages', moderator, { path: `moderate/messages?${query}` });
    return answer.body as Found;
  };

  it('in a room: by text (any case) and author, newest first, within the minutes asked', async () => {
    const app = new InProcessApp();
    const ann = await chatterIn(app, 'ann');
    const bob = await chatterIn(app, 'bob');
    await ann.chat(room, 'Deploy is DONE');
    app.advance(2_000);
    await bob.chat(room, 'deploy failed again');
    app.advance(2_000);
    await bob.chat(room, 'lunch?');
    app.advance(1_000);
    expect((await search(app, `room=${room}&q=deploy`)).lines.map((l) => l.text)).toEqual([
      'deploy failed again',
      'Deploy is DONE',
    ]);
    expect((await search(app, `room=${room}&q=deploy&user=ann`)).lines).toEqual([
      expect.objectContaining({ room, from: 'ann', text: 'Deploy is DONE', outcome: 'delivered' }),
    ]);
    app.advance(120_000);
    expect((await search(app, `room=${room}&minutes=1`)).lines).toEqual([]);
    const invalid = await app.call('searchMessages', moderator, { path: 'moderate/messages?minutes=0' });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'InvalidQuery' } });
  });

  it('by an author in every room, refused lines too; by text in every room people chat in', async () => {
    const app = new InProcessApp();
    const ann = await chatterIn(app, 'ann');
    const bob = await chatterIn(app, 'bob');
    await ann.chat(room, 'release notes are out');
    await ann.join('annex');
    app.advance(1_000);
    await ann.chat('annex', 'shit, the release broke');
    app.advance(1_000);
    await ann.chat('annex', 'release rolled back');
    app.advance(1_000);
    await bob.chat(room, 'nice release');
    const byAnn = await search(app, 'user=ann&q=RELEASE');
    expect(byAnn.rooms).toEqual(['annex', room]);
    expect(byAnn.lines).toEqual([
      expect.objectContaining({ room: 'annex', from: 'ann', text: 'release rolled back', outcome: 'delivered' }),
      expect.objectContaining({
        room: 'annex',
        text: 'shit, the release broke',
        outcome: 'refused',
        rules: ['profanity'],
      }),
      expect.objectContaining({ room, text: 'release notes are out', outcome: 'delivered' }),
    ]);
    const everywhere = await search(app, 'q=release');
    expect(everywhere.rooms).toEqual(expect.arrayContaining([room, 'annex']));
    expect(everywhere.lines.map((line) => `${line.room} ${line.from}: ${line.text}`)).toEqual([
      `${room} bob: nice release`,
      'annex ann: release rolled back',
      `${room} ann: release notes are out`,
    ]);
    expect((await app.call('searchMessages', { userId: 'bob' }, { path: 'moderate/messages?q=x' })).status).toBe(403);
  });

  it('by an author: lines past the message retention are gone, though their row still holds them', async () => {
    const app = new InProcessApp({ MESSAGE_RETENTION_HOURS: '1' });
    const ann = await chatterIn(app, 'ann');
    await ann.chat(room, 'an old line');
    app.advance(61 * 60_000);
    expect((await search(app, 'user=ann&minutes=1440')).lines).toEqual([]);
    const page = await app.call('userProfile', moderator, { path: 'moderate/users/ann', params: { userId: 'ann' } });
    expect((page.body as { lines: unknown[] }).lines).toEqual([]);
  });
});
