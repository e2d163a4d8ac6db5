import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Stack, startStack } from '../../local/stack.js';
import { type Chatter, StackSession } from '../e2e/support/chat-client.js';
import { runLimited } from '../e2e/support/upstream.js';

/**
 * 200 concurrent chat clients on the official client, 10 rooms of 20, 50 messages each, every 10th profane: every
 * clean message reaches every other member of its room exactly once, no profane one reaches anyone, the app never
 * fails, and the app's and the emulator's heaps come back after the run.
 */
const roomCount = 10;
const soak: LoadShape = { name: 'soak', membersPerRoom: 20, messagesPerMember: 50 };
/**
 * The same crowd, few messages: the first calls load modules, fill caches, grow connection pools to the run's
 * concurrency and get the hot paths compiled. (Measured: after that, further full runs leave both heaps flat.)
 */
const warmUp: LoadShape = { name: 'warmup', membersPerRoom: 20, messagesPerMember: 2 };
const profaneEvery = 10;
const heapTolerance = 0.1;

let stack: Stack;
let session: StackSession;
let moderator: string;
const problems: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    appSettings: {
      // A policy that lets 50 messages through (HISTORY_LIMIT caps the rate at 24 per window) and never escalates.
      MODERATION_RATE_MESSAGES: '24',
      MODERATION_RATE_WINDOW_SECONDS: '1',
      MODERATION_MUTE_AFTER_STRIKES: '1000',
      MODERATION_EVICT_AFTER_STRIKES: '1000',
    },
    // Any error the host logs (a 5xx is always logged) or an upstream call the emulator could not make is a problem.
    log: (line) => {
      if (/\] error: |host error|upstream .* failed|unreachable/i.test(line)) problems.push(line);
    },
  });
  session = new StackSession(stack.appUrl);
  moderator = await session.signIn('soak-moderator', ['moderator']);
});
afterAll(() => stack?.close());

/**
 * The client's keep-alive tasks sleep out their interval even after stop() (20 s for pings, 40 s for the silence
 * check), holding the stopped client and all it received; short intervals let the heap settle within the test.
 */
const quickKeepAlive = { keepAliveIntervalInMs: 2_000, keepAliveTimeoutInMs: 6_000 };

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** The test process's own heap (the emulator runs in it) after a full GC. */
function localHeap(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

async function openConnections(): Promise<number> {
  const response = await session.api('/api/moderate/rooms', moderator);
  const { rooms } = (await response.json()) as { rooms: { connections: number }[] };
  return rooms.reduce((sum, room) => sum + room.connections, 0);
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One member's story of the run, kept small: ids it sent and how often it saw each id. */
interface MemberRecord {
  room: string;
  userId: string;
  accepted: string[];
  refusedProfane: number;
  seen: Map<string, number>;
  sawProfanity: boolean;
  disconnected: boolean;
}

interface LoadShape {
  /** Prefixes room and user names, so runs do not share rooms. */
  name: string;
  membersPerRoom: number;
  messagesPerMember: number;
}

async function runLoad({ name, membersPerRoom, messagesPerMember }: LoadShape): Promise<LoadReport> {
  const joinStarted = Date.now();
  const members: Chatter[] = [];
  const records: MemberRecord[] = [];
  let stopping = false;
  await runLimited(
    Array.from({ length: roomCount * membersPerRoom }, (_, index) => async () => {
      const room = `${name}-${index % roomCount}`;
      const userId = `${name}-${index % roomCount}-${Math.floor(index / roomCount)}`;
      const member = await session.chatter(userId, { client: quickKeepAlive });
      const record: MemberRecord = {
        room,
        userId,
        accepted: [],
        refusedProfane: 0,
        seen: new Map(),
        sawProfanity: false,
        disconnected: false,
      };
      // Chat lines reach the room as group messages.
      member.client.on('group-message', (event) => {
        const data = event.message.data as { type?: string; id?: string; text?: string };
        if (data?.type !== 'chat' || !data.id) return;
        record.seen.set(data.id, (record.seen.get(data.id) ?? 0) + 1);
        if (data.text?.includes('shit')) record.sawProfanity = true;
      });
      member.client.on('disconnected', () => {
        if (!stopping) record.disconnected = true;
      });
      expect(await member.join(room)).toMatchObject({ type: 'joined', room });
      members.push(member);
      records.push(record);
    }),
    25,
  );
  const joinMs = Date.now() - joinStarted;
  // Only the chat lines count below; drop what the joins brought.
  for (const member of members) member.chats.length = 0;

  const sendStarted = Date.now();
  await Promise.all(
    members.map(async (member, index) => {
      const record = records[index] as MemberRecord;
      for (let n = 0; n < messagesPerMember; n++) {
        // The 2nd line of every 10: the warm-up's two lines take both paths too.
        const profane = n % profaneEvery === 1;
        const text = profane ? `this is shit number ${n}` : `hello from ${member.userId} number ${n}`;
        const reply = await member.chat(record.room, text);
        if (profane) {
          expect(reply).toMatchObject({ type: 'refused', rule: 'profanity' });
          record.refusedProfane++;
        } else {
          expect(reply, `${member.userId} #${n}`).toMatchObject({ type: 'accepted' });
          record.accepted.push(reply.id as string);
        }
      }
    }),
  );
  const sendMs = Date.now() - sendStarted;

  // Every member expects every other member's accepted lines in its room.
  const acceptedInRoom = new Map<string, number>();
  for (const record of records) {
    acceptedInRoom.set(record.room, (acceptedInRoom.get(record.room) ?? 0) + record.accepted.length);
  }
  await until(
    () => records.every((record) => record.seen.size >= (acceptedInRoom.get(record.room) ?? 0)),
    60_000,
    'every chat line to arrive',
  );
  const deliverMs = Date.now() - sendStarted;
  // A moment more, so a duplicate arriving late would be counted.
  await new Promise((resolve) => setTimeout(resolve, 500));

  stopping = true;
  for (const member of members) member.stop();
  await until(async () => (await openConnections()) === 0, 30_000, 'every connection to leave');
  const sum = (count: (record: MemberRecord) => number) => records.reduce((total, record) => total + count(record), 0);
  return {
    clients: records.length,
    sent: records.length * messagesPerMember,
    accepted: sum((record) => record.accepted.length),
    refusedProfane: sum((record) => record.refusedProfane),
    deliveries: sum((record) => [...record.seen.values()].reduce((a, b) => a + b, 0)),
    joinMs,
    sendMs,
    deliverMs,
    wrong: judge(records),
  };
}

/** The figures of a run, and what was wrong with it; the members and their records are gone by then. */
interface LoadReport {
  clients: number;
  sent: number;
  accepted: number;
  refusedProfane: number;
  deliveries: number;
  joinMs: number;
  sendMs: number;
  deliverMs: number;
  wrong: string[];
}

/** Checks every member's story: each clean line of its room once, nothing from other rooms, no profanity. */
function judge(records: readonly MemberRecord[]): string[] {
  const idsByRoom = new Map<string, Set<string>>();
  for (const record of records) {
    const ids = idsByRoom.get(record.room) ?? new Set<string>();
    for (const id of record.accepted) ids.add(id);
    idsByRoom.set(record.room, ids);
  }
  const wrong: string[] = [];
  for (const record of records) {
    const roomIds = idsByRoom.get(record.room) ?? new Set<string>();
    // The app sends to the whole group, so the sender gets its own line back too: once, like everyone else.
    for (const id of roomIds) {
      const count = record.seen.get(id) ?? 0;
      if (count !== 1) wrong.push(`${record.userId} saw ${id} ${count} times`);
    }
    for (const id of record.seen.keys()) if (!roomIds.has(id)) wrong.push(`${record.userId} got ${id} of another room`);
    if (record.sawProfanity) wrong.push(`${record.userId} saw profanity`);
    if (record.disconnected) wrong.push(`${record.userId} was dropped during the run`);
  }
  return wrong;
}

/** Measures until the heap is back within the tolerance (idle keep-alive sockets close after 5 s) or time is up. */
async function settledHeap(measure: () => Promise<number>, baseline: number): Promise<{ heap: number; ms: number }> {
  const started = Date.now();
  let heap = await measure();
  while (heap > baseline * (1 + heapTolerance) && Date.now() - started < 15_000) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    heap = await measure();
  }
  return { heap, ms: Date.now() - started };
}

it('200 clients × 50 messages in 10 rooms: exactly-once delivery, no profanity, no failures, heaps recover', async () => {
  expect((await runLoad(warmUp)).wrong).toEqual([]);
  // Stopped clients are held until their keep-alive tasks' sleeps end (2 s here).
  await new Promise((resolve) => setTimeout(resolve, 2 * quickKeepAlive.keepAliveIntervalInMs));
  const appBefore = await stack.appMemoryUsage();
  const localBefore = localHeap();

  const report = await runLoad(soak);
  console.log(
    [
      `soak: ${report.clients} clients in ${roomCount} rooms joined in ${report.joinMs} ms`,
      `sent ${report.sent} messages (${report.accepted} accepted, ${report.refusedProfane} refused as profane) in ${report.sendMs} ms: ${Math.round((report.sent / report.sendMs) * 1000)} events/s`,
      `${report.deliveries} deliveries, the last ${report.deliverMs} ms after the first send: ${Math.round((report.deliveries / report.deliverMs) * 1000)} deliveries/s`,
    ].join('\n'),
  );
  expect(report.wrong.slice(0, 20)).toEqual([]);
  expect(report.clients).toBe(roomCount * soak.membersPerRoom);
  expect(report.accepted).toBe(report.sent * (1 - 1 / profaneEvery));
  expect(report.refusedProfane).toBe(report.sent / profaneEvery);
  expect(report.deliveries).toBe(report.accepted * soak.membersPerRoom);
  expect(problems).toEqual([]);

  const app = await settledHeap(async () => (await stack.appMemoryUsage()).heapUsed, appBefore.heapUsed);
  const local = await settledHeap(async () => localHeap(), localBefore);
  const appRss = (await stack.appMemoryUsage()).rss;
  console.log(
    [
      `app heap ${mib(appBefore.heapUsed)} → ${mib(app.heap)} MiB (settled in ${app.ms} ms; rss ${mib(appBefore.rss)} → ${mib(appRss)} MiB)`,
      `test process (emulator) heap ${mib(localBefore)} → ${mib(local.heap)} MiB (settled in ${local.ms} ms)`,
    ].join('\n'),
  );
  expect(app.heap).toBeLessThanOrEqual(appBefore.heapUsed * (1 + heapTolerance));
  expect(local.heap).toBeLessThanOrEqual(localBefore * (1 + heapTolerance));
});
