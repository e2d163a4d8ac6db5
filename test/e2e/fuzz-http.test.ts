import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, signIn } from './support/chat-client.js';
import {
  type Answer,
  absent,
  answerOf,
  broken,
  brokenRoom,
  expectError,
  fuzzBody,
  fuzzRoom,
  nonBlank,
  notAString,
  text,
  valid,
  validRoom,
} from './support/fuzz-bodies.js';

/**
 * Generated bodies, queries and route parameters for every HTTP endpoint, called as a signed-in moderator. Each
 * generated body is built field by field, every field valid or broken on purpose, so the test knows the answer:
 * 2xx when all are valid, else 400 with a message that names each broken field. Never a 5xx.
 */
const seed = 20_261_124;
let moderator: string;

beforeAll(async () => {
  moderator = await signIn('fuzz-moderator', ['moderator']);
});

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  return answerOf(await callApi(path, moderator, { ...init, signal: AbortSignal.timeout(10_000) }));
}

const postJsonText = (path: string, text: string, contentType = 'application/json') =>
  call(path, { method: 'POST', headers: { 'content-type': contentType }, body: text });

const evictFields = {
  connectionId: fc.oneof(
    { weight: 4, arbitrary: valid(nonBlank(256)) },
    broken(fc.oneof(fc.constant(''), fc.constant('c'.repeat(257)), notAString)),
    absent(false),
  ),
  permission: fc.oneof(
    { weight: 4, arbitrary: valid(fc.constantFrom('sendToGroup', 'joinLeaveGroup')) },
    broken(fc.oneof(fc.constantFrom('SendToGroup', 'everything', ''), notAString)),
    absent(false),
  ),
  room: fc.oneof({ weight: 3, arbitrary: absent(true) }, valid(fuzzRoom), broken(brokenRoom)),
  reason: fc.oneof(
    { weight: 3, arbitrary: absent(true) },
    valid(nonBlank(500)),
    broken(fc.oneof(fc.constantFrom('', '   ', '\n\t'), fc.constant('x'.repeat(501)), notAString)),
  ),
  banMinutes: fc.oneof(
    { weight: 3, arbitrary: absent(true) },
    // The same bound as /api/moderate/bans (fuzz-config): ten years.
    valid(fc.integer({ min: 1, max: 5_256_000 })),
    broken(fc.oneof(fc.constantFrom(0, -1, 1.5, 5_256_001, Number.MAX_SAFE_INTEGER), fc.string({ maxLength: 5 }))),
  ),
};
const evictBody = fuzzBody(evictFields);

const announceFields = {
  message: fc.oneof(
    { weight: 3, arbitrary: valid(nonBlank(2_000)) },
    broken(fc.oneof(fc.constantFrom('', '  \n'), fc.constant('m'.repeat(2_001)), notAString)),
    absent(false),
  ),
  // Valid announcements go to a room nobody is in, so other tests' clients see nothing.
  room: fc.oneof({ weight: 3, arbitrary: valid(fuzzRoom) }, broken(brokenRoom)),
};
const announceBody = fuzzBody(announceFields);

/** Bodies no schema accepts before it is parsed: wrong media type, not JSON, too large. */
const unparsable = fc.oneof(
  fc.record({
    contentType: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'json', ''),
    body: fc.string({ maxLength: 200 }),
    expected: fc.constant({ status: 415, code: 'UnsupportedMediaType' }),
  }),
  fc.record({
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    body: fc.oneof(
      fc.constantFrom('', '{', '{"a":', "{'a':1}", 'undefined', 'NaN'),
      fc.string({ maxLength: 200 }).map((value) => `{${value}`),
    ),
    expected: fc.constant({ status: 400, code: 'InvalidJson' }),
  }),
  fc.record({
    contentType: fc.constant('application/json'),
    body: fc.constantFrom(64 * 1024 + 1, 500_000).map((size) => JSON.stringify({ message: 'x'.repeat(size) })),
    expected: fc.constant({ status: 413, code: 'PayloadTooLarge' }),
  }),
);

describe('fuzzing the HTTP API as a moderator', () => {
  it('POST /api/moderate/evict: 404 for valid bodies naming no connection, 400 naming every broken field', async () => {
    await fc.assert(
      fc.asyncProperty(evictBody, async ({ body, brokenFields }) => {
        const answer = await postJsonText('/api/moderate/evict', JSON.stringify(body));
        if (brokenFields.length > 0) return expectError(answer, 400, 'InvalidBody', brokenFields);
        // A ban needs the room's roster to name the user; without a room it is refused before anything runs.
        if (body.banMinutes !== undefined && body.room === undefined)
          return expectError(answer, 400, 'RoomRequired', []);
        // Generated connections do not exist: the app asks before running the workflow (whose steps answer 204).
        expect(answer.status, answer.text).toBe(404);
        expect(answer.body).toMatchObject({ code: 'TargetNotFound' });
      }),
      { seed, numRuns: 150 },
    );
  });

  it('POST /api/announce: 200 for valid bodies, 400 naming every broken field', async () => {
    await fc.assert(
      fc.asyncProperty(announceBody, async ({ body, brokenFields }) => {
        const answer = await postJsonText('/api/announce', JSON.stringify(body));
        if (brokenFields.length > 0) return expectError(answer, 400, 'InvalidBody', brokenFields);
        expect(answer.status, answer.text).toBe(200);
        expect(answer.body).toMatchObject({ broadcastStatus: 202, token: expect.any(String) });
      }),
      { seed, numRuns: 150 },
    );
  });

  it('evict and announce: arbitrary JSON, wrong media types, broken JSON and huge bodies get their 4xx', async () => {
    const path = fc.constantFrom('/api/moderate/evict', '/api/announce');
    const anyJson = fc
      .jsonValue({ maxDepth: 3 })
      .filter((value) => !(value !== null && typeof value === 'object' && !Array.isArray(value)))
      .map((value) => ({
        contentType: 'application/json',
        body: JSON.stringify(value),
        expected: { status: 400, code: 'InvalidBody' },
      }));
    await fc.assert(
      fc.asyncProperty(path, fc.oneof(unparsable, anyJson), async (target, { contentType, body, expected }) => {
        const answer = await postJsonText(target, body, contentType);
        expectError(answer, expected.status, expected.code, expected.code === 'InvalidBody' ? ['body'] : []);
      }),
      { seed, numRuns: 150 },
    );
  });

  it('GET /api/moderate/audit: any limit and before; 400 InvalidQuery names the parameter', async () => {
    const limit = fc.option(
      fc.oneof(
        fc.integer({ min: -5, max: 300 }).map(String),
        fc.constantFrom('', ' 7 ', '1e2', '0x10', '2.5', 'NaN', 'Infinity', '-0'),
        fc.string({ maxLength: 10 }),
      ),
      { nil: undefined },
    );
    const before = fc.option(fc.oneof(text(0, 100), text(101, 140), fc.constant("a0.0000'--")), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(limit, before, async (limitValue, beforeValue) => {
        const query = new URLSearchParams();
        if (limitValue !== undefined) query.set('limit', limitValue);
        if (beforeValue !== undefined) query.set('before', beforeValue);
        const answer = await call(`/api/moderate/audit?${query}`);
        const number = limitValue === undefined ? 50 : Number(limitValue);
        const brokenFields = [
          ...(Number.isInteger(number) && number >= 1 && number <= 200 ? [] : ['limit']),
          ...(beforeValue !== undefined && beforeValue.length > 100 ? ['before'] : []),
        ];
        if (brokenFields.length > 0) return expectError(answer, 400, 'InvalidQuery', brokenFields);
        expect(answer.status, answer.text).toBe(200);
        const page = answer.body as { entries: unknown[] };
        expect(page.entries.length).toBeLessThanOrEqual(number);
      }),
      { seed, numRuns: 80 },
    );
  });

  it('route parameters: any room for .../rooms/{room}/connections and any user for DELETE .../bans/{userId}', async () => {
    const anyText = fc.oneof(
      text(1, 80),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }),
      text(1025, 1100),
    );
    // `.` and `..` are dot segments: the URL itself changes, no longer naming the parameter.
    const param = fc.oneof(validRoom, anyText).filter((value) => value !== '.' && value !== '..');
    await fc.assert(
      fc.asyncProperty(param, fc.boolean(), async (value, asRoom) => {
        const encoded = encodeURIComponent(value);
        if (asRoom) {
          const answer = await call(`/api/moderate/rooms/${encoded}/connections`);
          if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value)) return expectError(answer, 400, 'InvalidRoom', ['room']);
          expect(answer.status, answer.text).toBe(200);
          expect(answer.body).toMatchObject({ room: value, connections: expect.any(Array) });
        } else {
          const answer = await call(`/api/moderate/bans/${encoded}`, { method: 'DELETE' });
          if (value.length > 1024) return expectError(answer, 400, 'InvalidUserId', ['userId']);
          expectError(answer, 404, 'NotBanned');
        }
      }),
      { seed, numRuns: 200 },
    );
  });

  it('Authorization: a bearer token that is not a valid token for the API is 401 InvalidToken whatever the session', async () => {
    const endpoint = fc.constantFrom(
      { method: 'GET', path: '/api/negotiate' },
      { method: 'GET', path: '/api/moderate/bans' },
      { method: 'GET', path: '/api/moderate/audit?limit=1' },
      { method: 'GET', path: '/api/moderate/rules' },
    );
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/);
    const authorization = fc.oneof(
      fc.tuple(segment, segment, segment).map((parts) => `Bearer ${parts.join('.')}`),
      fc.stringMatching(/^[!-~]{1,80}$/).map((token) => `Bearer ${token}`),
      fc
        .tuple(fc.constantFrom('Basic', 'Negotiate', 'bearer'), fc.stringMatching(/^[!-~]{0,40}$/))
        .map(([scheme, value]) => `${scheme} ${value}`.trim()),
    );
    await fc.assert(
      fc.asyncProperty(endpoint, authorization, async ({ method, path }, header) => {
        const answer = await call(path, { method, headers: { authorization: header } });
        // A bearer token is the caller's claim of who they are: it is checked, never ignored for the session.
        if (/^Bearer \S+$/i.test(header)) expectError(answer, 401, 'InvalidToken');
        else expect(answer.status, answer.text).toBe(200);
      }),
      { seed, numRuns: 100 },
    );
  });

  it('endpoints without input ignore whatever query and body they get', async () => {
    const endpoint = fc.constantFrom(
      { method: 'GET', path: '/api/negotiate' },
      { method: 'POST', path: '/api/negotiate' },
      { method: 'GET', path: '/api/moderate/bans' },
      { method: 'GET', path: '/api/moderate/rooms' },
    );
    const query = fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), {
      maxKeys: 4,
    });
    await fc.assert(
      fc.asyncProperty(endpoint, query, fc.string({ maxLength: 200 }), async ({ method, path }, params, body) => {
        const answer = await call(`${path}?${new URLSearchParams(params)}`, {
          method,
          ...(method === 'POST' ? { body, headers: { 'content-type': 'application/json' } } : {}),
        });
        expect(answer.status, answer.text).toBe(200);
      }),
      { seed, numRuns: 100 },
    );
  });
});
