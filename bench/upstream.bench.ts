/**
 * Upstream event handling: requests/s and p50/p99 at 50 concurrent connections (autocannon, in a worker thread) for a
 * user event `chat`, served by the app on the local Functions host, against the official express handler, a bare
 * `node:http` server, and the app's handler served straight from `node:http` (the app without the local host's
 * layers). Each workload is measured in a server process that serves only it, as benchmark harnesses fork a fresh VM
 * per benchmark: a process keeps what V8 learnt from earlier load (which allocations to pretenure, for one), so the
 * in-room event is served by the stack's host and the no-room event by a second host; the no-room event is also
 * measured on the first host, beside the others, to show what that history costs. Run on demand:
 * `npm run bench -- upstream`.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { setTimeout } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startStack, upstreamAudience, webPubSubIdentity } from '../local/stack.js';
import { encodeConnectionState, initialConnectionState } from '../src/events/connection-state.js';
import { createModerator, initialModerationState, moderationPolicySchema } from '../src/moderation/index.js';
import { startBenchChild } from './support/child-process.js';
import { childProcessIds, processCpuSeconds } from './support/process-cpu.js';
import { formatNumber, formatRatio, markdownTable, median, printHeading, verdict } from './support/report.js';

const CONNECTIONS = 50;
const DURATION_SECONDS = 4;
const WARMUP_SECONDS = 2;
const ROUND_WARMUP_SECONDS = 1;
const ROUNDS = 5;
const SETTLE_MS = 1_000;
const ROOM_PREFIX = 'bench';
const chatText = 'the new build looks great, see you at 3pm';
/** Where the app and the express baseline serve the event handler (the bare server answers any path). */
const eventHandlerPath = '/api/webpubsub';

interface Target {
  name: string;
  what: string;
  url: string;
  /** The server's process, whose CPU time per request is measured. */
  pid: number;
  /** The request of one round (fresh `ce-time`, so a long run never looks stale). */
  request: () => ChatEvent;
  /** The reply `type` (and `rule`) the target must give, checked once before it is measured. */
  expected: { type: string; rule?: string };
  /** Absolute path of an autocannon `setupRequest` module that varies each request. */
  setupRequest?: string;
}

interface Round {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  /** The rest of the stack's CPU per request in the same round: Azurite, and this process (emulator, load worker). */
  azuriteCpuMsPerRequest: number;
  benchCpuMsPerRequest: number;
}

interface ChatEvent {
  headers: Record<string, string>;
  body: string;
}

/**
 * A user event `chat` in binary-mode CloudEvents, as the emulator sends it (protocol reference §4), for `room`; the
 * connection state puts the connection in that room, or in none (`inRoom` false). Each round gets its own room: the
 * app records every delivered line under its room, and Azurite's upserts slow down as one partition grows.
 */
function chatEvent(token: string, room: string, inRoom: boolean): ChatEvent {
  const connectionId = `bench-${randomUUID()}`;
  const headers = {
    authorization: `Bearer ${token}`,
    'ce-specversion': '1.0',
    'ce-awpsversion': '1.0',
    'ce-type': 'azure.webpubsub.user.chat',
    'ce-source': `/hubs/chat/client/${connectionId}`,
    'ce-id': randomUUID(),
    'ce-time': new Date().toISOString(),
    'ce-hub': 'chat',
    'ce-connectionid': connectionId,
    'ce-eventname': 'chat',
    'ce-userid': 'bench-user',
    'ce-connectionstate': encodeConnectionState(initialConnectionState(inRoom ? room : undefined)),
    'webhook-request-origin': '127.0.0.1',
    'content-type': 'application/json',
  };
  return { headers, body: JSON.stringify({ room, text: chatText }) };
}

async function checkAnswer(target: Target): Promise<void> {
  const { headers, body } = target.request();
  const response = await fetch(`${target.url}${eventHandlerPath}`, { method: 'POST', headers, body });
  const text = await response.text();
  const reply = JSON.parse(text || '{}') as { type?: string; rule?: string };
  if (response.status !== 200 || reply.type !== target.expected.type || reply.rule !== target.expected.rule) {
    throw new Error(`${target.name} answered ${response.status} ${text}, expected ${JSON.stringify(target.expected)}`);
  }
}

/** CPU seconds of this process (the emulator and autocannon's worker thread). */
const ownCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

async function load(target: Target, seconds: number, azuritePid: number): Promise<Round> {
  const cpuBefore = processCpuSeconds(target.pid);
  const azuriteBefore = processCpuSeconds(azuritePid);
  const ownBefore = ownCpuSeconds();
  const result = await autocannon({
    url: `${target.url}${eventHandlerPath}`,
    method: 'POST',
    ...target.request(),
    ...(target.setupRequest ? { requests: [{ setupRequest: target.setupRequest }] } : {}),
    connections: CONNECTIONS,
    duration: seconds,
    // Its own thread, so the load generator does not share an event loop with the in-process emulator.
    workers: 1,
  });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${target.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  }
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: ((processCpuSeconds(target.pid) - cpuBefore) * 1_000) / result.requests.total,
    azuriteCpuMsPerRequest: ((processCpuSeconds(azuritePid) - azuriteBefore) * 1_000) / result.requests.total,
    benchCpuMsPerRequest: ((ownCpuSeconds() - ownBefore) * 1_000) / result.requests.total,
  };
}

/**
 * The moderator's own cost on the benchmark's line, in this process: the express baseline runs it on every request,
 * the app's no-room case does not, so readers can put the two on the same footing.
 */
function moderationMicroseconds(): number {
  const moderator = createModerator(moderationPolicySchema.parse({}));
  const state = initialModerationState();
  const calls = 50_000;
  for (let index = 0; index < 5_000; index++) moderator.moderate(chatText, state, index);
  const started = performance.now();
  for (let index = 0; index < calls; index++) moderator.moderate(chatText, state, index);
  return ((performance.now() - started) * 1_000) / calls;
}

const moderationCost = moderationMicroseconds();
// The rate limit is each user's: at its widest (24 lines a second) the in-room rounds' 100 rotating senders
// (support/rotate-chat-sender.cjs) stay under it at any load this machine can generate.
const stack = await startStack({
  appSettings: { MODERATION_RATE_MESSAGES: '24', MODERATION_RATE_WINDOW_SECONDS: '1' },
});
// The token the emulator itself would send: the Web PubSub identity's, for the app's audience, from the identity
// endpoint; the app verifies it (JWKS, issuer, audience, principal) on every request.
const token = await stack.identity.issueToken({ resource: upstreamAudience, clientId: webPubSubIdentity.clientId });
const startBaseline = (...args: string[]) =>
  startBenchChild<{ url: string }>('./upstream-baseline-server.ts', { args });
const express = await startBaseline('express');
const bare = await startBaseline('bare');
const direct = await startBenchChild<{ url: string }>('./direct-app-server.ts', {
  env: { ...process.env, ...stack.appSettings },
});
try {
  const noRoomHost = await stack.startAppHost();
  const [azuritePid] = childProcessIds(process.pid, 'azurite');
  if (
    azuritePid === undefined ||
    express.child.pid === undefined ||
    bare.child.pid === undefined ||
    direct.child.pid === undefined
  ) {
    throw new Error('A server process id is missing.');
  }
  let rooms = 0;
  // The event outside any room, which the app refuses without I/O, and the one the baselines accept.
  const noRoomEvent = {
    request: () => chatEvent(token, ROOM_PREFIX, false),
    expected: { type: 'refused', rule: 'not-in-room' },
  };
  const baselineEvent = { request: () => chatEvent(token, ROOM_PREFIX, true), expected: { type: 'accepted' } };
  const inRoomTarget: Target = {
    name: 'app: chat in a room',
    what:
      'token check, CloudEvents parsing, state decode, rules cache, moderation, then in parallel `sendToGroup` ' +
      "(https to the emulator, managed identity) and the message record (Azurite; the room's concurrent lines " +
      'group-committed, one Table transaction per round trip), reply',
    url: stack.appUrl,
    pid: stack.appPid,
    request: () => chatEvent(token, `${ROOM_PREFIX}-${++rooms}`, true),
    expected: { type: 'accepted' },
    setupRequest: fileURLToPath(new URL('./support/rotate-chat-sender.cjs', import.meta.url)),
  };
  const noRoomTarget: Target = {
    name: 'app: chat, no room',
    what:
      'token check, CloudEvents parsing, state decode, body parse, `not-in-room` reply (no moderation, no I/O), ' +
      'on a second local host that serves only this event, as each baseline serves only its own',
    url: noRoomHost.url,
    pid: noRoomHost.pid,
    ...noRoomEvent,
  };
  const sharedHostTarget: Target = {
    name: 'app: chat, no room, on the in-room host',
    what: 'the same, on the host of the in-room row, between its rounds',
    url: stack.appUrl,
    pid: stack.appPid,
    ...noRoomEvent,
  };
  const hostlessTarget: Target = {
    name: "app's handler on bare node:http",
    what:
      'the same handler and request and context objects as on the local host, called straight from `node:http` ' +
      "(served in the check phase as the host serves, body read, headers into a Map, the host's response " +
      'conversion; no URL parsing, routing or App Service Authentication): the app on a host that costs next to nothing',
    url: direct.ready.url,
    pid: direct.child.pid,
    ...noRoomEvent,
  };
  const expressTarget: Target = {
    name: 'express WebPubSubEventHandler',
    what: 'CloudEvents parsing, the same moderator, `res.success` (no token or signature check, no I/O)',
    url: express.ready.url,
    pid: express.child.pid,
    ...baselineEvent,
  };
  const bareTarget: Target = {
    name: 'bare node:http 200',
    what: 'answers 200 with a fixed JSON body without reading the request (the ceiling)',
    url: bare.ready.url,
    pid: bare.child.pid,
    ...baselineEvent,
  };
  const targets = [inRoomTarget, noRoomTarget, sharedHostTarget, hostlessTarget, expressTarget, bareTarget];
  for (const target of targets) {
    await checkAnswer(target);
    await load(target, WARMUP_SECONDS, azuritePid);
  }
  const rounds = new Map<Target, Round[]>(targets.map((target) => [target, []]));
  // Targets take turns round by round, so load from other processes on this shared machine hits all of them alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) {
      // Work the previous target left queued (Azurite, the emulator) finishes before this one is measured.
      await setTimeout(SETTLE_MS);
      // A server left idle while the others ran has shrunk its young generation (V8 sizes it by recent allocation):
      // unmeasured load first brings it back to the size it works at.
      await load(target, ROUND_WARMUP_SECONDS, azuritePid);
      rounds.get(target)?.push(await load(target, DURATION_SECONDS, azuritePid));
    }
  }
  const summary = (target: Target) => {
    const runs = rounds.get(target) ?? [];
    return {
      runs,
      bestRps: Math.max(...runs.map((run) => run.requestsPerSecond)),
      medianRps: median(runs.map((run) => run.requestsPerSecond)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      bestP99: Math.min(...runs.map((run) => run.p99)),
      cpuMs: median(runs.map((run) => run.cpuMsPerRequest)),
      azuriteCpuMs: median(runs.map((run) => run.azuriteCpuMsPerRequest)),
      benchCpuMs: median(runs.map((run) => run.benchCpuMsPerRequest)),
    };
  };
  type Summary = ReturnType<typeof summary>;
  const inRoom = summary(inRoomTarget);
  const noRoom = summary(noRoomTarget);
  const noRoomShared = summary(sharedHostTarget);
  const hostless = summary(hostlessTarget);
  const viaExpress = summary(expressTarget);
  const viaBare = summary(bareTarget);

  printHeading(
    'Upstream event handling (`POST /api/webpubsub`, user event `chat`)',
    `autocannon in a worker thread, ${CONNECTIONS} connections, keep-alive, ${ROUNDS} rounds of ${DURATION_SECONDS} s per ` +
      `target taken in turns (${SETTLE_MS / 1_000} s of rest, then ${ROUND_WARMUP_SECONDS} s of unmeasured load, before each) after a ${WARMUP_SECONDS} s warm-up; every answer checked once and every request 2xx. ` +
      `The app runs on the local Functions host (its own process, \`startStack()\`) for the in-room event, and on a ` +
      `second host with the same settings (\`stack.startAppHost()\`) for the no-room event; the emulator in the bench ` +
      `process; the baselines each in their own process. Each request carries a Web PubSub identity bearer token ` +
      `from the local identity endpoint and a \`ce-connectionState\` the app minted (a room set, a new one each round, or no room), ` +
      `the same state every time, so the policy always accepts. The room has no members: \`sendToGroup\` reaches ` +
      `the emulator and stops there. Latencies: autocannon's, 1 ms resolution. Server CPU ms/request: the server ` +
      `process's user + system time (/proc, every thread, 10 ms ticks) over the round, divided by its requests (median).`,
  );
  console.log(
    markdownTable(
      [
        'target',
        'what it does per request',
        'req/s best',
        'req/s median',
        'req/s by round',
        'p50 ms',
        'p99 ms (median / best)',
        'server CPU ms/request (median / by round)',
      ],
      targets.map((target) => {
        const figures = summary(target);
        return [
          target.name,
          target.what,
          formatNumber(figures.bestRps),
          formatNumber(figures.medianRps),
          figures.runs.map((run) => formatNumber(run.requestsPerSecond)).join(', '),
          formatNumber(figures.p50),
          `${formatNumber(figures.p99)} / ${formatNumber(figures.bestP99)}`,
          `${formatNumber(figures.cpuMs, 3)} / ${figures.runs.map((run) => formatNumber(run.cpuMsPerRequest, 3)).join(', ')}`,
        ];
      }),
    ),
  );
  const ratioRow = (name: string, app: Summary, baseline: Summary, factor: number) => [
    name,
    formatRatio(app.medianRps, baseline.medianRps),
    verdict(app.medianRps >= factor * baseline.medianRps, `≥ ${factor}×`),
  ];
  const p99Row = (name: string, app: Summary) => [
    `${name} p99 (median)`,
    `${formatNumber(app.p99)} ms`,
    verdict(app.p99 <= 10, '≤ 10 ms'),
  ];
  // The targets are for an event answered without I/O, as the baselines answer it; in a room the app also delivers
  // the line and records it, so its rows are shown beside them, not judged by them.
  const referenceRow = (note: string) => (name: string, value: string) => [name, value, `for reference: ${note}`];
  const inRoomRow = referenceRow('also `sendToGroup` and a Table write, which the baselines do not do');
  const sharedHostRow = referenceRow(
    'the same event on a host that also served the in-room rounds, and keeps what V8 learnt from them',
  );
  const stackCpuMs = inRoom.cpuMs + inRoom.azuriteCpuMs + inRoom.benchCpuMs;
  // The express row moderates and the no-room row does not: adding the moderator's own cost compares the same work.
  const noRoomModeratedCpuMs = noRoom.cpuMs + moderationCost / 1_000;
  console.log(
    `\nIn a room, the rest of the stack's CPU per message (medians): Azurite ${formatNumber(inRoom.azuriteCpuMs, 3)} ms, ` +
      `this process (emulator and autocannon) ${formatNumber(inRoom.benchCpuMs, 3)} ms; with the app's ` +
      `${formatNumber(inRoom.cpuMs, 3)} ms that is ${formatNumber(stackCpuMs, 3)} ms of CPU per message on ` +
      `${availableParallelism()} cores, a ceiling of about ${formatNumber((availableParallelism() * 1_000) / stackCpuMs)} ` +
      `messages/s on this machine. The moderator alone on this line: ${formatNumber(moderationCost, 1)} µs per call ` +
      '(in-process; the express baseline runs it, the no-room case does not).',
  );
  console.log('\nRatios of median req/s (and, steadier on a shared machine, of CPU time per request):\n');
  console.log(
    markdownTable(
      ['ratio', 'value', 'target'],
      [
        inRoomRow('app in room / express', formatRatio(inRoom.medianRps, viaExpress.medianRps)),
        ratioRow('app no room / express', noRoom, viaExpress, 2.5),
        sharedHostRow(
          'app no room on the in-room host / express',
          formatRatio(noRoomShared.medianRps, viaExpress.medianRps),
        ),
        inRoomRow('app in room / bare', formatRatio(inRoom.medianRps, viaBare.medianRps)),
        ratioRow('app no room / bare', noRoom, viaBare, 0.5),
        ['express CPU per request / app no room', formatRatio(viaExpress.cpuMs, noRoom.cpuMs), 'for the 2.5× target'],
        sharedHostRow(
          'express CPU per request / app no room on the in-room host',
          formatRatio(viaExpress.cpuMs, noRoomShared.cpuMs),
        ),
        inRoomRow('express CPU per request / app in room', formatRatio(viaExpress.cpuMs, inRoom.cpuMs)),
        [
          'express CPU per request / (app no room + the moderator)',
          formatRatio(viaExpress.cpuMs, noRoomModeratedCpuMs),
          verdict(viaExpress.cpuMs >= 2.5 * noRoomModeratedCpuMs, '≥ 2.5×, the same work on both sides'),
        ],
        inRoomRow('app in room p99 (median)', `${formatNumber(inRoom.p99)} ms`),
        p99Row('app no room', noRoom),
      ],
    ),
  );
  console.log(
    "\nWhat the targets allow on this machine: the app's handler on the no-room event served straight from " +
      '`node:http`, as on a host that costs next to nothing. The app on the local host runs at ' +
      `${formatRatio(noRoom.medianRps, hostless.medianRps)} of its throughput, with ` +
      `${formatRatio(noRoom.cpuMs, hostless.cpuMs)} of its CPU per request.\n`,
  );
  console.log(
    markdownTable(
      ['ratio', 'value', 'target'],
      [
        ratioRow("app's handler on bare node:http / express", hostless, viaExpress, 2.5),
        ratioRow("app's handler on bare node:http / bare", hostless, viaBare, 0.5),
        p99Row("app's handler on bare node:http", hostless),
      ],
    ),
  );
} finally {
  await Promise.all([express.close(), bare.close(), direct.close()]);
  await stack.close();
}
