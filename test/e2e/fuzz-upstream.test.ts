import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeConnectionState, initialConnectionState } from '../../src/events/connection-state.js';
import {
  callEventHandler,
  cloudEventHeaders,
  forgeUpstreamToken,
  injectedTarget,
  mintUpstreamToken,
  runLimited,
  tamperToken,
  type UpstreamAnswer,
  type UpstreamCall,
  type UpstreamEventType,
} from './support/upstream.js';

/**
 * Generated and mutated upstream requests against the real event handler. Each case is a well-formed event plus
 * defects; every defect knows the check that catches it and the documented answer. The handler checks in this
 * order (src/events/handle-upstream.ts), so the earliest defect decides: headers, hub, ce-time, token, connection
 * state, the connect event's user, the system event's name, the body.
 */
const seed = 20_261_123;
const target = injectedTarget();
const fuzzRoom = 'fuzz-room';
const inRoomState = encodeConnectionState(initialConnectionState(fuzzRoom));

type TokenKind =
  | 'valid'
  | 'wrong-audience'
  | 'app-identity'
  | 'unknown-key'
  | 'unknown-key-expired'
  | 'tampered-expired'
  | 'tampered-principal'
  | 'alg-none';
let tokens: Record<TokenKind, string>;

beforeAll(async () => {
  const valid = await mintUpstreamToken(target);
  const now = Math.floor(Date.now() / 1000);
  const unsignedHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  tokens = {
    valid,
    'wrong-audience': await mintUpstreamToken(target, { resource: 'api://someone-else' }),
    // A genuine token of the right audience, but for the app's own identity rather than Web PubSub's.
    'app-identity': await mintUpstreamToken(target, { clientId: 'app-local' }),
    'unknown-key': await forgeUpstreamToken(valid),
    'unknown-key-expired': await forgeUpstreamToken(valid, -3_600),
    'tampered-expired': tamperToken(valid, { exp: now - 3_600 }),
    'tampered-principal': tamperToken(valid, { oid: '00000000-0000-0000-0000-000000000000' }),
    'alg-none': `${unsignedHeader}.${valid.split('.')[1]}.x`,
  };
});

type EventKind =
  | 'connect'
  | 'connected'
  | 'disconnected'
  | 'chat-in-room'
  | 'chat-no-room'
  | 'message'
  | 'join'
  | 'report'
  | 'other';

interface Draft {
  type: UpstreamEventType;
  headers: Record<string, string>;
  authorization: string | undefined;
  body: string | Uint8Array | undefined;
}

interface Expected {
  status: number;
  code?: string;
  /** For 2xx answers: fields the JSON body must have. */
  reply?: Record<string, unknown>;
}

interface Defect extends Expected {
  /** The order in which the handler checks; the lowest stage present decides the answer. */
  stage: number;
  label: string;
  apply(draft: Draft): void;
}

interface Case {
  kind: EventKind;
  draft: () => Draft;
  success: Expected;
  defects: Defect[];
}

const visible = (max = 40) => fc.stringMatching(new RegExp(`^[!-~]{1,${max}}$`));
const word = fc.stringMatching(/^[A-Za-z0-9]{1,20}$/);
const cleanText = fc
  .array(fc.constantFrom('hello', 'world', 'coffee', 'blue', 'seven', 'moderation', 'lunch', 'tomorrow'), {
    minLength: 1,
    maxLength: 6,
  })
  .map((words) => words.join(' '));
const json = (value: unknown) => JSON.stringify(value);

function defect(stage: number, status: number, code: string, label: string, apply: (draft: Draft) => void): Defect {
  return { stage, status, code, label, apply };
}

const requiredHeaders = ['ce-specversion', 'ce-type', 'ce-hub', 'ce-connectionid', 'ce-eventname', 'ce-time'] as const;
const headerDefect: fc.Arbitrary<Defect> = fc.oneof(
  fc.constantFrom(...requiredHeaders).map((name) =>
    defect(0, 400, 'InvalidCloudEvent', `no ${name}`, (d) => {
      delete d.headers[name];
    }),
  ),
  visible()
    .filter((value) => value !== '1.0')
    .map((value) =>
      defect(0, 400, 'InvalidCloudEvent', `ce-specversion ${value}`, (d) => set(d, 'ce-specversion', value)),
    ),
  fc
    .oneof(
      visible().map((value) => `x${value}`),
      fc.constantFrom('azure.webpubsub.user.', 'azure.webpubsub.sys.', 'azure.webpubsub.other.chat'),
    )
    .map((value) => defect(0, 400, 'InvalidCloudEvent', `ce-type ${value}`, (d) => set(d, 'ce-type', value))),
  visible().map((value) =>
    defect(0, 400, 'InvalidCloudEvent', `ce-time T${value}`, (d) => set(d, 'ce-time', `T${value}`)),
  ),
  fc
    .record({
      name: fc.constantFrom(
        ['ce-connectionid', 256],
        ['ce-eventname', 128],
        ['ce-hub', 128],
        ['ce-userid', 1024],
        ['ce-connectionstate', 8192],
        ['ce-signature', 2048],
      ),
      extra: fc.integer({ min: 1, max: 500 }),
    })
    .map(({ name: [name, max], extra }) =>
      defect(0, 400, 'InvalidCloudEvent', `${name} over ${max}`, (d) => set(d, name, 'A'.repeat(max + extra))),
    ),
  fc
    .constantFrom('ce-connectionid', 'ce-eventname', 'ce-hub')
    .map((name) => defect(0, 400, 'InvalidCloudEvent', `empty ${name}`, (d) => set(d, name, ''))),
);

const hubDefect = word
  .filter((hub) => hub !== 'chat')
  .map((hub) => defect(1, 400, 'UnknownHub', `hub ${hub}`, (d) => set(d, 'ce-hub', hub)));

const staleDefect = fc
  .integer({ min: 6, max: 60 * 24 * 7 })
  .chain((minutes) => fc.constantFrom(-minutes, minutes))
  .map((minutes) =>
    defect(2, 401, 'StaleEvent', `ce-time ${minutes} min away`, (d) =>
      set(d, 'ce-time', new Date(Date.now() + minutes * 60_000).toISOString()),
    ),
  );

const tokenPart = fc.stringMatching(/^[\w-]{1,30}$/);
const tokenDefect: fc.Arbitrary<Defect> = fc.oneof(
  fc
    .oneof(
      fc.constant(undefined),
      fc.constant('Bearer'),
      fc.constant('Bearer '),
      visible().map((value) => `Basic ${value}`),
    )
    .map((authorization) =>
      defect(3, 401, 'MissingToken', `authorization ${authorization}`, (d) => {
        d.authorization = authorization;
      }),
    ),
  // A token that is there but not a JWT is invalid, not missing.
  fc
    .oneof(
      fc.stringMatching(/^[A-Za-z0-9+/=]{1,60}$/).map((value) => `Bearer ${value}`),
      fc.tuple(tokenPart, tokenPart).map(([a, b]) => `Bearer ${a}.${b}`),
    )
    .map((authorization) =>
      defect(3, 401, 'InvalidToken', `malformed token ${authorization}`, (d) => {
        d.authorization = authorization;
      }),
    ),
  fc.tuple(tokenPart, tokenPart, tokenPart).map((parts) =>
    defect(3, 401, 'InvalidToken', `junk token ${parts.join('.')}`, (d) => {
      d.authorization = `Bearer ${parts.join('.')}`;
    }),
  ),
  fc
    .constantFrom<TokenKind>(
      'wrong-audience',
      'unknown-key',
      'unknown-key-expired',
      'tampered-expired',
      'tampered-principal',
      'alg-none',
    )
    .map((kind) =>
      defect(3, 401, 'InvalidToken', `${kind} token`, (d) => {
        d.authorization = `Bearer ${tokens[kind]}`;
      }),
    ),
  fc.constant(
    defect(3, 401, 'UnexpectedPrincipal', 'app-identity token', (d) => {
      d.authorization = `Bearer ${tokens['app-identity']}`;
    }),
  ),
);

const base64 = (text: string) => Buffer.from(text).toString('base64');
const stateDefect: fc.Arbitrary<Defect> = fc
  .oneof(
    // Valid base64 of JSON that is not a connection state (an object whose room, if any, is a short string is one).
    fc
      .jsonValue({ maxDepth: 3 })
      .filter(
        (value) =>
          !(
            value !== null &&
            typeof value === 'object' &&
            !Array.isArray(value) &&
            (!('room' in value) || (typeof value.room === 'string' && value.room.length <= 64))
          ),
      )
      .map((value) => base64(json(value))),
    fc
      .constantFrom({ room: 5 }, { room: null }, { room: 'r'.repeat(65) }, { room: ['lobby'] })
      .map((value) => base64(json(value))),
    // Base64 of text that is not JSON.
    visible().map((value) => base64(`~${value}`)),
    // Not base64 at all.
    visible().map((value) => `!${value}`),
  )
  .filter((value) => value.length <= 8192)
  .map((value) =>
    defect(4, 400, 'InvalidConnectionState', `ce-connectionstate ${value.slice(0, 40)}`, (d) =>
      set(d, 'ce-connectionstate', value),
    ),
  );

const noUserDefect = fc
  .constantFrom<string | undefined>(undefined, '')
  .map((userId) =>
    defect(4.5, 401, 'NoUser', `connect with userId ${json(userId)}`, (d) =>
      userId === undefined ? delete d.headers['ce-userid'] : set(d, 'ce-userid', userId),
    ),
  );

const unknownSystemEvent = word
  .filter((name) => !['connect', 'connected', 'disconnected'].includes(name))
  .map((name) =>
    defect(4.7, 400, 'UnknownEvent', `system event ${name}`, (d) => set(d, 'ce-type', `azure.webpubsub.sys.${name}`)),
  );

const tooLarge = fc
  .constantFrom(64 * 1024 + 1, 200_000, 1_000_000)
  .map((size) => defect(5, 400, 'EventTooLarge', `${size}-byte body`, (d) => (d.body = new Uint8Array(size).fill(97))));
const notJson = fc
  .uint8Array({ maxLength: 300 })
  .map((bytes) => Uint8Array.of(0, ...bytes))
  .map((body) => defect(5, 400, 'InvalidJson', 'binary body', (d) => (d.body = body)));
const invalidRoom = fc.oneof(
  fc.constant(''),
  fc.constant('r'.repeat(65)),
  visible(20).map((value) => `${value}!`),
  fc.integer(),
  fc.constant(null),
);
const wrongShape = (shapes: fc.Arbitrary<unknown>) =>
  shapes.map((value) =>
    defect(5, 400, 'InvalidBody', `body ${json(value)?.slice(0, 60)}`, (d) => (d.body = json(value))),
  );
const chatShapes = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.record({ text: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })) }),
  fc.record({ room: invalidRoom, text: cleanText }),
  fc.constant({ room: fuzzRoom }),
);
const joinShapes = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.constant({}),
  fc.record({ room: invalidRoom }),
  fc.string().map((room) => [room]),
);
const reportShapes = fc.oneof(
  fc.integer(),
  fc.constant({}),
  fc.record({ messageId: fc.oneof(fc.constant(''), fc.constant('id with spaces'), fc.integer()), reason: cleanText }),
  fc.record({ messageId: fc.constant('abc-123'), reason: fc.oneof(fc.constant('   '), fc.constant('r'.repeat(501))) }),
);
const connectShapes = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.record({ claims: fc.oneof(fc.integer(), fc.string(), fc.constant(null)) }),
  fc.record({ claims: fc.dictionary(word, fc.oneof(fc.string(), fc.integer()), { minKeys: 1, maxKeys: 3 }) }),
);

function set(draft: Draft, name: string, value: string): void {
  draft.headers[name] = value;
}

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/octet-stream',
  'application/cloudevents+json',
  'garbage/x',
  '',
);

/**
 * A user of their own for each chat line and report: the rate limit and the report limit are the user's, and each
 * case is one user's first line (as each carries a fresh connection state).
 */
let fuzzUsers = 0;
const freshUser = () => `fuzz-user-${++fuzzUsers}`;

/** A well-formed event of each kind, with its answer and the defects that apply to it. */
const wellFormed: fc.Arbitrary<Omit<Case, 'defects'> & { defectPool: fc.Arbitrary<Defect>[] }> = fc.oneof(
  fc
    .record({
      userId: fc.oneof(word, visible(1024)),
      group: fc.option(fc.oneof(word, visible()), { nil: undefined }),
      contentType,
    })
    .map(({ userId, group, contentType: type }) => ({
      kind: 'connect' as const,
      draft: () =>
        draftOf(
          'connect',
          { userId, contentType: type },
          json({ claims: group ? { 'webpubsub.group': [group] } : {} }),
        ),
      success: { status: 200, reply: { userId } },
      defectPool: [noUserDefect, tooLarge, notJson, wrongShape(connectShapes)],
    })),
  fc.constantFrom('connected', 'disconnected').map((type) => ({
    kind: type,
    draft: () => draftOf(type, { userId: 'fuzz-user' }, type === 'connected' ? '{}' : json({ reason: 'bye' })),
    success: { status: 204 },
    defectPool: [unknownSystemEvent],
  })),
  fc.record({ text: cleanText, named: fc.boolean(), contentType }).map(({ text, named, contentType: type }) => ({
    kind: 'chat-in-room' as const,
    draft: () =>
      draftOf(
        'user.chat',
        { userId: freshUser(), connectionState: inRoomState, contentType: type },
        json(named ? { room: fuzzRoom, text } : { text }),
      ),
    success: { status: 200, reply: { type: 'accepted' } },
    defectPool: [tooLarge, notJson, wrongShape(chatShapes)],
  })),
  cleanText.map((text) => ({
    kind: 'chat-no-room' as const,
    draft: () => draftOf('user.chat', { userId: 'fuzz-user' }, json({ room: fuzzRoom, text })),
    success: { status: 200, reply: { type: 'refused', rule: 'not-in-room' } },
    defectPool: [tooLarge, notJson, wrongShape(chatShapes)],
  })),
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => ({
    kind: 'message' as const,
    draft: () => draftOf('user.message', { userId: 'fuzz-user', contentType: 'application/octet-stream' }, bytes),
    success: { status: 200, reply: { type: 'refused', rule: 'not-in-room' } },
    defectPool: [tooLarge],
  })),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,30}$/).map((room) => ({
    kind: 'join' as const,
    draft: () => draftOf('user.join', { userId: 'fuzz-user' }, json({ room })),
    // The service does not know these generated connections: the workflow's addConnection step fails (404), which
    // the client is told in a reply (an error status would make the service drop a real connection).
    success: { status: 200, reply: { type: 'error', code: 'JoinFailed', room } },
    defectPool: [tooLarge, notJson, wrongShape(joinShapes)],
  })),
  fc.record({ messageId: fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/), reason: cleanText }).map((report) => ({
    kind: 'report' as const,
    draft: () => draftOf('user.report', { userId: freshUser(), connectionState: inRoomState }, json(report)),
    success: { status: 200, reply: { type: 'error', code: 'UnknownMessage', messageId: report.messageId } },
    defectPool: [tooLarge, notJson, wrongShape(reportShapes)],
  })),
  fc
    .record({ name: word.filter((name) => !['join', 'chat', 'message', 'report'].includes(name)), body: fc.string() })
    .map(({ name, body }) => ({
      kind: 'other' as const,
      draft: () => draftOf(`user.${name}`, { userId: 'fuzz-user' }, body),
      success: { status: 200, reply: { type: 'error', code: 'UnknownEvent' } },
      defectPool: [tooLarge],
    })),
);

function draftOf(
  type: UpstreamEventType,
  options: { userId?: string; connectionState?: string; contentType?: string },
  body: string | Uint8Array,
): Draft {
  const headers = cloudEventHeaders({
    type,
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.connectionState === undefined ? {} : { connectionState: options.connectionState }),
    overrides: options.contentType === undefined ? {} : { 'content-type': options.contentType },
  });
  return { type, headers, authorization: `Bearer ${tokens.valid}`, body };
}

const commonDefects = [headerDefect, hubDefect, staleDefect, tokenDefect, stateDefect];

/** A well-formed event with 1-3 defects drawn from the checks that apply to it. */
const defectiveCase: fc.Arbitrary<Case> = wellFormed.chain(({ defectPool, ...rest }) =>
  fc
    .array(fc.oneof(...commonDefects, ...defectPool), { minLength: 1, maxLength: 3 })
    .map((defects) => ({ ...rest, defects })),
);
const validCase: fc.Arbitrary<Case> = wellFormed.map(({ defectPool: _, ...rest }) => ({ ...rest, defects: [] }));

function expectedOf(testCase: Case): Expected & { label: string } {
  const first = [...testCase.defects].sort((a, b) => a.stage - b.stage)[0];
  return first ?? { ...testCase.success, label: `well-formed ${testCase.kind}` };
}

function callOf(testCase: Case): UpstreamCall {
  const draft = testCase.draft();
  // The defect that decides the answer is applied last, so it stands where two touch the same header or the body.
  for (const d of [...testCase.defects].sort((a, b) => a.stage - b.stage).reverse()) d.apply(draft);
  const headers = {
    ...draft.headers,
    ...(draft.authorization === undefined ? {} : { authorization: draft.authorization }),
  };
  return { headers, ...(draft.body === undefined ? {} : { body: draft.body }) };
}

/** Fails with the case's story: which defects, what was expected, what came back. */
function checkAnswer(testCase: Case, answer: UpstreamAnswer): void {
  const expected = expectedOf(testCase);
  const story = `${testCase.kind} with [${testCase.defects.map((d) => d.label).join('; ')}] → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, story).toBeLessThan(500);
  expect(answer.status, story).toBe(expected.status);
  if (expected.code) {
    expect(answer.json, story).toMatchObject({ code: expected.code, message: expect.any(String) });
    expect((answer.json as { message: string }).message.length, story).toBeGreaterThan(0);
  }
  if (expected.reply) expect(answer.json, story).toMatchObject(expected.reply);
  if (testCase.kind === 'connect' && answer.status === 200) {
    expect(answer.headers.get('ce-connectionstate'), story).toBeTruthy();
  }
}

async function run(testCase: Case): Promise<void> {
  checkAnswer(testCase, await callEventHandler(target.appUrl, callOf(testCase)));
}

describe('fuzzing the event handler (POST /api/webpubsub)', () => {
  it('answers every defective request with the documented 4xx and a { code, message } body', async () => {
    await fc.assert(fc.asyncProperty(defectiveCase, run), { seed, numRuns: 550 });
  });

  it('answers every well-formed, authentic event as documented', async () => {
    await fc.assert(fc.asyncProperty(validCase, run), { seed, numRuns: 250 });
  });

  it('answers the abuse-protection handshake only for the Web PubSub host', async () => {
    const origin = fc.oneof(
      fc.constant({ value: '127.0.0.1', allowed: true }),
      fc.constant({ value: 'example.com, 127.0.0.1', allowed: true }),
      visible(60)
        .filter((value) => !value.split(',').some((part) => part.trim().toLowerCase() === '127.0.0.1'))
        .map((value) => ({ value, allowed: false })),
      fc.constant({ value: undefined, allowed: false }),
    );
    await fc.assert(
      fc.asyncProperty(origin, async ({ value, allowed }) => {
        const answer = await callEventHandler(target.appUrl, {
          method: 'OPTIONS',
          headers: value === undefined ? {} : { 'webhook-request-origin': value },
        });
        if (allowed) {
          expect(answer.status).toBe(200);
          expect(answer.headers.get('webhook-allowed-origin')).toBe('127.0.0.1');
        } else {
          expect(answer.status).toBe(403);
          expect(answer.json).toMatchObject({ code: 'OriginNotAllowed', message: expect.any(String) });
        }
      }),
      { seed, numRuns: 200 },
    );
  });

  it('stays correct under concurrent bursts of mixed requests (8 in flight)', async () => {
    const burst = fc.array(fc.oneof(defectiveCase, validCase), { minLength: 8, maxLength: 16 });
    await fc.assert(
      fc.asyncProperty(burst, async (cases) => {
        await runLimited(
          cases.map((testCase) => () => run(testCase)),
          8,
        );
      }),
      { seed, numRuns: 30 },
    );
  });
});
