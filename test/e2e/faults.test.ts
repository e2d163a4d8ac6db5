import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hubName, type Stack, startStack } from '../../local/stack.js';
import { type Chatter, eventually, StackSession } from './support/chat-client.js';
import { answerOf } from './support/fuzz-bodies.js';

/**
 * The emulator fails the app's REST calls on purpose (429 with Retry-After, 503, slow answers, TCP resets; on every
 * n-th call or at random), on a stack of this file's own, since the shared stack's emulator lives in another process.
 */
let stack: Stack;
let session: StackSession;
let moderator: string;
let service: WebPubSubServiceClient;
const members: Chatter[] = [];
/** What the stack logged (the app's warnings and errors among it). */
const problemsLogged: string[] = [];

beforeAll(async () => {
  stack = await startStack({ log: (line) => problemsLogged.push(line) });
  session = new StackSession(stack.appUrl);
  moderator = await session.signIn('faults-moderator', ['moderator']);
  // The test's own view of the service, with a key over http: never matched by the injected faults below.
  service = new WebPubSubServiceClient(stack.emulator.connectionString, hubName, { allowInsecureConnection: true });
});
afterEach(() => stack.emulator.setFaults(undefined));
afterAll(async () => {
  for (const member of members) member.stop();
  await stack?.close();
});

const revokeCall = /^DELETE \/api\/hubs\/[^/]+\/permissions\/[^/]+\/connections\/[^/]+$/;
const closeCall = /^DELETE \/api\/hubs\/[^/]+\/connections\/[^/]+$/;
const evictCalls = new RegExp(`${revokeCall.source}|${closeCall.source}`);
/** Picks which evict calls fail in the random-fault test; any seed that makes both steps fail at least once will do. */
const FAULT_SEED = 1;

async function memberIn(room: string, userId: string): Promise<Chatter & { connectionId: string }> {
  const member = await session.chatter(userId);
  members.push(member);
  expect(await member.join(room)).toMatchObject({ type: 'joined', room });
  const { connectionId } = member;
  if (!connectionId) throw new Error(`${userId} has no connection id`);
  return Object.assign(member, { connectionId });
}

interface EvictAnswer {
  status: number;
  body: { code?: string; message?: string; revokeStatus?: number; closeStatus?: number };
  ms: number;
}

async function evict(member: Chatter, room: string, init: { banMinutes?: number; signal?: AbortSignal } = {}) {
  const started = Date.now();
  const response = await session.postJson(
    '/api/moderate/evict',
    moderator,
    {
      connectionId: member.connectionId,
      permission: 'sendToGroup',
      room,
      reason: 'fault drill',
      ...(init.banMinutes ? { banMinutes: init.banMinutes } : {}),
    },
    init.signal ? { signal: init.signal } : {},
  );
  return { status: response.status, body: await response.json(), ms: Date.now() - started } as EvictAnswer;
}

/** Waits until the app's roster of `room` no longer lists the member (its `disconnected` event was handled). */
async function leftRoster(member: Chatter & { connectionId: string }, room: string): Promise<void> {
  await eventually(async () => {
    const roster = (await (await session.api(`/api/moderate/rooms/${room}/connections`, moderator)).json()) as {
      connections: { connectionId: string }[];
    };
    return roster.connections.every((entry) => entry.connectionId !== member.connectionId) || undefined;
  });
}

interface AuditRow {
  action: string;
  outcome: 'succeeded' | 'failed';
  connectionId?: string;
  target?: string;
  error?: string;
  steps?: { stepId: string; status?: number; succeeded: boolean }[];
}

async function auditOf(connectionId: string, action = 'evict'): Promise<AuditRow[]> {
  const response = await session.api('/api/moderate/audit?limit=200', moderator);
  const { entries } = (await response.json()) as { entries: AuditRow[] };
  // Newest first in the log; oldest first here, in the order things happened.
  return entries.filter((entry) => entry.connectionId === connectionId && entry.action === action).reverse();
}

const stepsOf = (row: AuditRow | undefined) =>
  row?.steps?.map(({ stepId, status, succeeded }) => ({ stepId, status, succeeded }));
const bothSucceeded = [
  { stepId: 'revokePermission', status: 204, succeeded: true },
  { stepId: 'evictConnection', status: 204, succeeded: true },
];

describe('transient faults are ridden out by the SDK retry policy', () => {
  it('negotiates, joins, chats and evicts with a 503 on every 2nd REST call', async () => {
    stack.emulator.setFaults({ status: 503, retryAfterSeconds: 0, everyNth: 2 });
    const member = await memberIn('faults-a', 'faults-alice');
    expect(await member.chat('faults-a', 'hello through the faults')).toMatchObject({ type: 'accepted' });

    const answer = await evict(member, 'faults-a');
    expect(answer).toMatchObject({ status: 200, body: { revokeStatus: 204, closeStatus: 204 } });
    expect(await eventually(() => member.disconnectReason)).toContain('fault drill');
    // Half of the app's REST calls failed on the way, each ridden out by a retry.
    expect(stack.emulator.faultsInjected()).toBeGreaterThanOrEqual(3);
    stack.emulator.setFaults(undefined);
    expect(await service.connectionExists(member.connectionId)).toBe(false);
    const [row] = await auditOf(member.connectionId);
    expect(row).toMatchObject({ outcome: 'succeeded' });
    expect(stepsOf(row)).toEqual(bothSucceeded);
  });

  it("waits out a 429's Retry-After before retrying", async () => {
    const member = await memberIn('faults-b', 'faults-bob');
    // Every 2nd evict call: revoke passes, the first close is throttled for a second, its retry passes.
    stack.emulator.setFaults({ status: 429, retryAfterSeconds: 1, everyNth: 2, match: evictCalls });
    const answer = await evict(member, 'faults-b');
    expect(answer).toMatchObject({ status: 200, body: { revokeStatus: 204, closeStatus: 204 } });
    expect(answer.ms).toBeGreaterThanOrEqual(950);
    expect(stack.emulator.faultsInjected()).toBe(1);
    expect(stepsOf((await auditOf(member.connectionId))[0])).toEqual(bothSucceeded);
  });

  it('rides out slow failing answers, and a caller that gave up can safely evict again', async () => {
    const member = await memberIn('faults-c', 'faults-carol');
    stack.emulator.setFaults({ status: 503, retryAfterSeconds: 0, delayMs: 1_200, everyNth: 2, match: evictCalls });
    const impatient = evict(member, 'faults-c', { signal: AbortSignal.timeout(300) });
    await expect(impatient).rejects.toThrow(/abort|timeout/i);
    // The moderator retries while the first request is still riding out its slow fault.
    const again = await evict(member, 'faults-c');
    expect(again).toMatchObject({ status: 200, body: { revokeStatus: 204, closeStatus: 204 } });
    expect(await eventually(() => member.disconnectReason)).toContain('fault drill');
    // Both requests completed on the server side and both say so; neither pretended.
    const rows = await eventually(async () => {
      const found = await auditOf(member.connectionId);
      return found.length === 2 ? found : undefined;
    });
    for (const row of rows) expect(row).toMatchObject({ outcome: 'succeeded' });
  });
});

describe('a step that finally fails is named, audited as failed, and can be retried', () => {
  it('evictConnection answering 503 every time: 502 naming the step; the ban (done) and the eviction (not) audited as such', async () => {
    const member = await memberIn('faults-d', 'faults-dave');
    stack.emulator.setFaults({ status: 503, retryAfterSeconds: 0, match: closeCall });
    const failed = await evict(member, 'faults-d', { banMinutes: 5 });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ code: 'UpstreamStepFailed' });
    expect(failed.body.message).toContain('revoke-permission-and-evict/evictConnection');
    expect(failed.body.message).toContain('503');

    stack.emulator.setFaults(undefined);
    expect(await service.connectionExists(member.connectionId)).toBe(true);
    const [evictRow] = await auditOf(member.connectionId);
    expect(evictRow).toMatchObject({ outcome: 'failed', target: 'faults-dave' });
    expect(stepsOf(evictRow)).toEqual([
      { stepId: 'revokePermission', status: 204, succeeded: true },
      { stepId: 'evictConnection', status: 503, succeeded: false },
    ]);
    // The ban ran before the workflow and did take effect: it is audited as done, and it is in force.
    expect(await auditOf(member.connectionId, 'ban')).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
    const bans = await session.api('/api/moderate/bans', moderator);
    const bansText = await bans.text();
    expect(bans.status, bansText).toBe(200);
    expect((JSON.parse(bansText) as { bans: { userId: string }[] }).bans.map((ban) => ban.userId)).toContain(
      'faults-dave',
    );

    const retried = await evict(member, 'faults-d', { banMinutes: 5 });
    expect(retried).toMatchObject({ status: 200, body: { revokeStatus: 204, closeStatus: 204 } });
    expect(await eventually(() => member.disconnectReason)).toContain('banned until');
    expect((await auditOf(member.connectionId)).map((row) => row.outcome)).toEqual(['failed', 'succeeded']);
    // Once more, with the connection gone from the room's roster: 404, and nothing runs.
    await leftRoster(member, 'faults-d');
    expect(await evict(member, 'faults-d')).toMatchObject({ status: 404, body: { code: 'TargetNotFound' } });
  });

  it('revokePermission reset at the TCP level every time: 502 naming it, evictConnection never attempted', async () => {
    const member = await memberIn('faults-e', 'faults-erin');
    stack.emulator.setFaults({ status: 503, reset: true, match: revokeCall });
    const failed = await evict(member, 'faults-e');
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ code: 'UpstreamStepFailed' });
    expect(failed.body.message).toContain('revoke-permission-and-evict/revokePermission');
    stack.emulator.setFaults(undefined);
    expect(await service.connectionExists(member.connectionId)).toBe(true);
    const [row] = await auditOf(member.connectionId);
    expect(row).toMatchObject({ outcome: 'failed' });
    expect(row?.steps).toEqual([expect.objectContaining({ stepId: 'revokePermission', succeeded: false })]);
    expect((await evict(member, 'faults-e')).status).toBe(200);
  });

  it('negotiate with every generateToken failing: 502 naming negotiate/generateToken, and it works again after', async () => {
    stack.emulator.setFaults({ status: 503, retryAfterSeconds: 0, match: /:generateToken$/ });
    const cookie = await session.signIn('faults-kim');
    const failed = await answerOf(await session.api('/api/negotiate', cookie));
    expect(failed.status, failed.text).toBe(502);
    expect(failed.body).toMatchObject({
      code: 'UpstreamStepFailed',
      message: expect.stringContaining('generateToken'),
    });
    stack.emulator.setFaults(undefined);
    expect((await session.api('/api/negotiate', cookie)).status).toBe(200);
  });

  it('announce with every broadcast failing: 502 naming generate-token-then-broadcast/broadcast, audited as failed', async () => {
    stack.emulator.setFaults({ status: 503, retryAfterSeconds: 0, match: /^POST .*\/:send$/ });
    const response = await session.postJson('/api/announce', moderator, {
      message: 'drill announcement',
      room: 'faults-f',
    });
    expect(response.status).toBe(502);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('UpstreamStepFailed');
    expect(body.message).toContain('generate-token-then-broadcast/broadcast');
    stack.emulator.setFaults(undefined);
    const { entries } = (await (await session.api('/api/moderate/audit?limit=200', moderator)).json()) as {
      entries: (AuditRow & { reason?: string })[];
    };
    const row = entries.find((entry) => entry.action === 'announce' && entry.reason === 'drill announcement');
    expect(row).toMatchObject({ outcome: 'failed' });
    expect(stepsOf(row)).toEqual([
      { stepId: 'generateToken', status: 200, succeeded: true },
      { stepId: 'broadcast', status: 503, succeeded: false },
    ]);
  });
});

describe('a sanction whose immediate effect fails', () => {
  it('an app ban that cannot close the connections: 502 UpstreamCallFailed, the ban in force, audited as failed', async () => {
    const member = await memberIn('faults-ban', 'faults-bo');
    stack.emulator.setFaults({ status: 503, retryAfterSeconds: 0, match: /^POST .*\/users\/[^/]+\/:closeConnections/ });
    const ban = { userId: 'faults-bo', minutes: 5, reason: 'drill ban' };
    const { status, body } = await answerOf(await session.postJson('/api/moderate/bans', moderator, ban));
    expect(status).toBe(502);
    expect(body).toMatchObject({ code: 'UpstreamCallFailed' });
    expect(stack.emulator.faultsInjected()).toBe(4);
    // Stored and announced to every instance before the close was tried: the user is refused all the same.
    expect((await session.api('/api/negotiate', member.cookie)).status).toBe(403);
    expect(await member.chat('faults-ban', 'still here')).toMatchObject({ type: 'refused', rule: 'banned' });
    const audit = (await (await session.api('/api/moderate/audit?limit=200', moderator)).json()) as {
      entries: (AuditRow & { reason?: string })[];
    };
    const row = audit.entries.find((entry) => entry.action === 'ban' && entry.target === 'faults-bo');
    expect(row).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/503|Service Unavailable/i) });
    // Banning again once the service is back closes the connection.
    stack.emulator.setFaults(undefined);
    expect((await session.postJson('/api/moderate/bans', moderator, ban)).status).toBe(201);
    expect(await eventually(() => member.disconnectReason)).toMatch(/drill ban/);
  });
});

describe('a Web PubSub outage while chatting', () => {
  it('a line the service will not take is answered as not delivered; the author stays connected and can go on', async () => {
    const author = await memberIn('faults-h', 'faults-hank');
    const reader = await memberIn('faults-h', 'faults-iris');
    stack.emulator.setFaults({ status: 503, retryAfterSeconds: 0, match: /^POST .*\/groups\/faults-h\/:send$/ });
    const refused = await author.chat('faults-h', 'lost in the outage');
    expect(refused).toMatchObject({ type: 'error', code: 'NotDelivered', message: expect.any(String) });
    expect(author.disconnectReason).toBeUndefined();

    stack.emulator.setFaults(undefined);
    const accepted = await author.chat('faults-h', 'after the outage');
    expect(accepted).toMatchObject({ type: 'accepted' });
    await eventually(() => reader.chats.find((line) => line.id === accepted.id));
    expect(reader.chats.map((line) => line.text)).toEqual(['after the outage']);
    expect(problemsLogged.some((line) => line.includes('NotDelivered') || line.includes('not delivered'))).toBe(true);
  });
});

describe('a Web PubSub outage while joining', () => {
  it('a join the service will not complete is answered JoinFailed, the connection stays, and joining again works', async () => {
    const member = await session.chatter('faults-jack');
    members.push(member);
    stack.emulator.setFaults({ status: 503, retryAfterSeconds: 0, match: /^PUT .*\/groups\/faults-j\/connections\// });
    const failed = await member.join('faults-j');
    expect(failed).toMatchObject({ type: 'error', code: 'JoinFailed', room: 'faults-j' });
    expect(String(failed.message)).toContain('addConnection');
    expect(member.disconnectReason).toBeUndefined();
    // Not in the room: the service has no group membership, and the app does not think otherwise.
    expect(await service.groupExists('faults-j')).toBe(false);
    expect(await member.chat('faults-j', 'am I in?')).toMatchObject({ type: 'refused', rule: 'not-in-room' });

    stack.emulator.setFaults(undefined);
    expect(await member.join('faults-j')).toMatchObject({ type: 'joined', room: 'faults-j' });
    expect(await member.chat('faults-j', 'now I am')).toMatchObject({ type: 'accepted' });
  });
});

describe('random faults: every answer and every audit entry tells the truth', () => {
  it('evict calls failing at random (seeded): 200 or a named 502, never 500; the log and the service agree', async () => {
    const crowd = await Promise.all(Array.from({ length: 6 }, (_, i) => memberIn('faults-g', `faults-crowd-${i}`)));
    // Three in four calls fail, so the SDK's three retries sometimes run out; one eviction at a time, so the seed
    // decides which calls fail and every run takes both paths below.
    stack.emulator.setFaults({
      status: 503,
      retryAfterSeconds: 0,
      fraction: 0.75,
      seed: FAULT_SEED,
      match: evictCalls,
    });
    const answers: EvictAnswer[] = [];
    for (const member of crowd) answers.push(await evict(member, 'faults-g'));
    stack.emulator.setFaults(undefined);

    const failedSteps = new Set<string>();
    for (const [index, answer] of answers.entries()) {
      const member = crowd[index] as (typeof crowd)[number];
      const [row] = await auditOf(member.connectionId);
      const gone = !(await service.connectionExists(member.connectionId));
      if (answer.status === 200) {
        expect(row).toMatchObject({ outcome: 'succeeded' });
        expect(stepsOf(row)).toEqual(bothSucceeded);
        expect(gone).toBe(true);
      } else {
        expect(answer.status).toBe(502);
        expect(answer.body.message).toMatch(/^revoke-permission-and-evict\/(revokePermission|evictConnection) failed/);
        expect(row).toMatchObject({ outcome: 'failed' });
        const failedStep = row?.steps?.find((step) => !step.succeeded)?.stepId ?? '';
        failedSteps.add(failedStep);
        expect(answer.body.message).toContain(`/${failedStep} failed`);
        // A failed eviction did not close the connection: no retried close went through.
        expect(gone).toBe(false);
      }
    }
    expect(answers.map((answer) => answer.status)).toContain(200);
    expect([...failedSteps].sort()).toEqual(['evictConnection', 'revokePermission']);
    // Evicting everyone again, with the faults gone, finishes the job whatever happened the first time; those already
    // evicted have left the roster and are 404 TargetNotFound, before any call to the service.
    const evicted = crowd.filter((_, index) => answers[index]?.status === 200);
    await Promise.all(evicted.map((member) => leftRoster(member, 'faults-g')));
    const again = await Promise.all(crowd.map((member) => evict(member, 'faults-g')));
    expect(again.map((answer) => answer.status)).toEqual(answers.map((answer) => (answer.status === 200 ? 404 : 200)));
    for (const member of crowd) expect(await service.connectionExists(member.connectionId)).toBe(false);
  });
});
