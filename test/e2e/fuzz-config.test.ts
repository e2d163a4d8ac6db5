import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../local/stack.js';
import { type Chatter, StackSession } from './support/chat-client.js';
import {
  type Answer,
  absent,
  answerOf,
  broken,
  brokenRoom,
  expectError,
  fuzzBody,
  fuzzRoom,
  type GeneratedBody,
  nonBlank,
  notAString,
  text,
  valid,
} from './support/fuzz-bodies.js';

/**
 * Generated bodies for the endpoints that change how moderation behaves (rules, sanctions, room settings, the review
 * queue), on a stack of this file's own so what they change touches no other test. Valid bodies take effect and are
 * undone again; broken ones get 400 naming each broken field; nothing is a 5xx. Every regular expression the app
 * accepts is run against an adversarial chat line, which must still be answered promptly.
 */
const seed = 20_261_125;
const regexRoom = 'fuzz-regex';
let stack: Stack;
let session: StackSession;
let moderator: string;
let chatter: Chatter;

beforeAll(async () => {
  stack = await startStack({
    appSettings: {
      // Long lines reach the rules; refusals neither escalate nor rate-limit the chatter.
      MODERATION_MAX_LENGTH: '5000',
      MODERATION_RATE_MESSAGES: '24',
      MODERATION_RATE_WINDOW_SECONDS: '1',
      MODERATION_FLOOD_REPEATS: '24',
      MODERATION_MUTE_AFTER_STRIKES: '1000',
      MODERATION_EVICT_AFTER_STRIKES: '1000',
    },
  });
  session = new StackSession(stack.appUrl);
  moderator = await session.signIn('fuzz-config-moderator', ['moderator']);
  chatter = await session.chatter('fuzz-config-chatter');
  expect(await chatter.join(regexRoom)).toMatchObject({ type: 'joined' });
});
afterAll(async () => {
  chatter?.stop();
  await stack?.close();
});

function call(path: string, method = 'GET', body?: unknown): Promise<Answer> {
  return session
    .api(path, moderator, {
      method,
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    })
    .then(answerOf);
}

const regexAlphabet = fc.constantFrom(...'ab.*+?|()[]{}^$\\dw,1-2 '.split(''));
const patterns = fc.oneof(
  nonBlank(40),
  // Host names and links, as moderators paste them for domain rules.
  fc.domain().filter((domain) => domain.length <= 200),
  fc.webUrl().filter((url) => url.length <= 200),
  fc.string({ unit: regexAlphabet, minLength: 1, maxLength: 24 }),
  fc.constantFrom('(a+)+$', '(a|aa)+$', '(.*a){12}', '^(\\w+\\s?)*$', '(a*)*b', '.*.*.*x', 'x'.repeat(200)),
);
const ruleBody = fuzzBody({
  kind: fc.oneof(
    { weight: 4, arbitrary: valid(fc.constantFrom('word', 'regex', 'domain')) },
    broken(fc.oneof(fc.constantFrom('Word', 'phrase', ''), notAString)),
    absent(false),
  ),
  pattern: fc.oneof(
    { weight: 4, arbitrary: valid(patterns) },
    broken(fc.oneof(fc.constant(''), fc.constant('p'.repeat(201)), notAString)),
    absent(false),
  ),
  action: fc.oneof(
    { weight: 4, arbitrary: valid(fc.constantFrom('block', 'flag')) },
    broken(fc.oneof(fc.constantFrom('allow', 'Block'), notAString)),
    absent(false),
  ),
  room: fc.oneof({ weight: 4, arbitrary: valid(fc.constant(regexRoom)) }, absent(true), broken(brokenRoom)),
});

interface RuleTally {
  /** Rules the endpoint created, by kind. */
  created: Record<'word' | 'regex' | 'domain', number>;
  /** Regexes refused as unsafe. */
  unsafe: number;
  /** Adversarial chat lines sent so far (each one distinct, so flood detection never sees a repeat). */
  lines: number;
}

const newTally = (): RuleTally => ({ created: { word: 0, regex: 0, domain: 0 }, unsafe: 0, lines: 0 });

/** A line built from the pattern's own characters, the kind of input that makes a backtracking regex explode. */
function adversarialLine(pattern: string, n: number): string {
  const letters = pattern.replace(/[^a-z0-9]/gi, '') || 'a';
  return `${n} ${letters.repeat(Math.ceil(3_000 / letters.length)).slice(0, 3_000)}!`;
}

describe('fuzzing the moderation configuration as a moderator (own stack)', () => {
  /** Posts a rule and checks the answer; a rule that was added is tried (regexes) and deleted again. */
  async function checkRule({ body, brokenFields }: GeneratedBody, seen: RuleTally): Promise<void> {
    const answer = await call('/api/moderate/rules', 'POST', body);
    if (brokenFields.length > 0) return expectError(answer, 400, 'InvalidBody', brokenFields);
    if (answer.status !== 201) {
      // What the schema cannot see: an unsafe regex, a domain that is not a host name, a word that is only spaces.
      if (body.kind === 'regex') {
        seen.unsafe++;
        return expectError(answer, 400, 'UnsafePattern', ['pattern']);
      }
      if (body.kind === 'word') expect(String(body.pattern).trim(), answer.text).toBe('');
      return expectError(answer, 400, 'InvalidBody', ['pattern']);
    }
    const rule = answer.body as { id: string; kind: 'word' | 'regex' | 'domain' };
    expect(rule).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{12}$/), kind: body.kind });
    seen.created[rule.kind]++;
    if (rule.kind === 'regex') {
      const started = Date.now();
      const reply = await chatter.chat(regexRoom, adversarialLine(String(body.pattern), seen.lines++));
      expect(['accepted', 'refused', 'flagged']).toContain(reply.type);
      expect(Date.now() - started, `regex ${String(body.pattern)}`).toBeLessThan(1_500);
    }
    expect((await call(`/api/moderate/rules/${rule.id}`, 'DELETE')).status).toBe(204);
    expectError(await call(`/api/moderate/rules/${rule.id}`, 'DELETE'), 404, 'RuleNotFound');
  }

  it('POST /api/moderate/rules: 201 then deletable, or a 400 naming every broken field', async () => {
    const seen = newTally();
    await fc.assert(
      fc.asyncProperty(ruleBody, (generated) => checkRule(generated, seen)),
      { seed, numRuns: 100 },
    );
    // Valid bodies of every kind were created, not only refused.
    for (const count of Object.values(seen.created)) expect(count).toBeGreaterThan(0);
  });

  it('regex rules: unsafe ones are refused with the reason; every accepted one answers an adversarial line fast', async () => {
    const seen = newTally();
    const regexRule = patterns.map((pattern) => ({
      body: { kind: 'regex', pattern, action: 'flag', room: regexRoom },
      brokenFields: [],
    }));
    await fc.assert(
      fc.asyncProperty(regexRule, (generated) => checkRule(generated, seen)),
      { seed, numRuns: 150 },
    );
    // The generator reaches both sides of the safety check.
    expect(seen.created.regex).toBeGreaterThan(10);
    expect(seen.unsafe).toBeGreaterThan(10);
  });

  it('POST /api/moderate/{bans,mutes,shadow-bans}: 201 then liftable once, or a 400 naming every broken field', async () => {
    const kinds = fc.constantFrom(
      { path: 'bans', roomRequired: false, notFound: 'NotBanned' },
      { path: 'mutes', roomRequired: true, notFound: 'NotMuted' },
      { path: 'shadow-bans', roomRequired: false, notFound: 'NotShadowBanned' },
    );
    const sanction = kinds.chain((kind) =>
      fc.record({
        kind: fc.constant(kind),
        generated: fuzzBody({
          userId: fc.oneof(
            { weight: 4, arbitrary: valid(text(0, 60).map((id) => `fuzz-${id}`)) },
            broken(fc.oneof(fc.constant(''), fc.constant('u'.repeat(1_025)), notAString)),
            absent(false),
          ),
          room: fc.oneof({ weight: 3, arbitrary: valid(fuzzRoom) }, absent(!kind.roomRequired), broken(brokenRoom)),
          minutes: fc.oneof(
            { weight: 2, arbitrary: absent(kind.path !== 'bans') },
            valid(fc.integer({ min: 1, max: 5_256_000 })),
            broken(fc.oneof(fc.constantFrom(0, -5, 2.5, 5_256_001), fc.string({ maxLength: 4 }))),
          ),
          reason: fc.oneof(
            { weight: 3, arbitrary: absent(true) },
            valid(nonBlank(500)),
            broken(fc.oneof(fc.constantFrom('', '  '), notAString)),
          ),
        }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(sanction, async ({ kind, generated: { body, brokenFields } }) => {
        const answer = await call(`/api/moderate/${kind.path}`, 'POST', body);
        if (brokenFields.length > 0) return expectError(answer, 400, 'InvalidBody', brokenFields);
        expect(answer.status, answer.text).toBe(201);
        const where = body.room ? `?room=${encodeURIComponent(String(body.room))}` : '';
        const lift = `/api/moderate/${kind.path}/${encodeURIComponent(String(body.userId))}${where}`;
        const lifted = await call(lift, 'DELETE');
        expect(lifted.status, lifted.text).toBe(204);
        expectError(await call(lift, 'DELETE'), 404, kind.notFound);
      }),
      { seed, numRuns: 150 },
    );
  });

  it('PUT /api/moderate/rooms/{room}/settings: the settings read back, or a 400 naming every broken field', async () => {
    const settings = fuzzBody({
      slowModeSeconds: fc.oneof(
        absent(true),
        valid(fc.integer({ min: 0, max: 86_400 })),
        broken(fc.oneof(fc.constantFrom(-1, 86_401, 0.5), fc.string({ maxLength: 3 }))),
      ),
      maxLength: fc.oneof(
        absent(true),
        valid(fc.integer({ min: 1, max: 100_000 })),
        broken(fc.oneof(fc.constantFrom(0, 100_001, 1.5), fc.constant(null))),
      ),
      linksAllowed: fc.oneof(absent(true), valid(fc.boolean()), broken(fc.oneof(fc.constantFrom('true', 0, 1)))),
    });
    await fc.assert(
      fc.asyncProperty(fuzzRoom, settings, async (room, { body, brokenFields }) => {
        const path = `/api/moderate/rooms/${room}/settings`;
        const answer = await call(path, 'PUT', body);
        if (brokenFields.length > 0) return expectError(answer, 400, 'InvalidBody', brokenFields);
        expect(answer.status, answer.text).toBe(200);
        // The room's own limit reads back as written; it may only tighten the app's (MODERATION_MAX_LENGTH, 5000 here).
        const effectiveMaxLength = Math.min(typeof body.maxLength === 'number' ? body.maxLength : 5_000, 5_000);
        const expected = { slowModeSeconds: 0, linksAllowed: true, ...body, effectiveMaxLength };
        expect(answer.body).toMatchObject(expected);
        expect((await call(path)).body).toMatchObject(expected);
      }),
      { seed, numRuns: 100 },
    );
  });

  it('the review queue: any query and any item id; 400 names the parameter, unknown items are 404', async () => {
    const queueId = fc.oneof(
      fc
        .tuple(fuzzRoom, fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/))
        .map(([room, id]) => ({ id: `${room}.${id}`, ok: true })),
      text(1, 80)
        .filter((id) => id !== '.' && id !== '..' && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.[A-Za-z0-9-]{1,64}$/.test(id))
        .map((id) => ({ id, ok: false })),
    );
    const decision = fuzzBody({
      action: fc.oneof(
        { weight: 3, arbitrary: valid(fc.constantFrom('dismiss', 'delete', 'mute', 'ban')) },
        broken(fc.oneof(fc.constantFrom('approve', ''), notAString)),
        absent(false),
      ),
      scope: fc.oneof(absent(true), valid(fc.constantFrom('room', 'app')), broken(fc.constantFrom('global', 1))),
    });
    const limit = fc.option(fc.oneof(fc.integer({ min: -2, max: 250 }).map(String), fc.string({ maxLength: 4 })), {
      nil: undefined,
    });
    await fc.assert(
      fc.asyncProperty(queueId, decision, limit, async ({ id, ok }, { body, brokenFields }, limitValue) => {
        const query = limitValue === undefined ? '' : `?limit=${encodeURIComponent(limitValue)}`;
        const listed = await call(`/api/moderate/queue${query}`);
        const number = limitValue === undefined ? 50 : Number(limitValue);
        if (Number.isInteger(number) && number >= 1 && number <= 200) expect(listed.status, listed.text).toBe(200);
        else expectError(listed, 400, 'InvalidQuery', ['limit']);

        const answer = await call(`/api/moderate/queue/${encodeURIComponent(id)}`, 'POST', body);
        if (!ok) return expectError(answer, 400, 'InvalidQueueId', ['id']);
        if (brokenFields.length > 0) return expectError(answer, 400, 'InvalidBody', brokenFields);
        expectError(answer, 404, 'QueueItemNotFound');
      }),
      { seed, numRuns: 100 },
    );
  });
});
