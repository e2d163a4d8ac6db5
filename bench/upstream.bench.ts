/**
 * Upstream event handling: the app's handler for a user event `chat`, called in-process as the Functions Node worker
 * calls it (the library's `HttpRequest` and `InvocationContext`, the registration's `serve()`), in a room (moderation,
 * `sendToGroup` to the emulator over https with managed identity, the message record and the user's counters in
 * Azurite) and not in a room (refused without I/O); against the same in-room work written with
 * `@azure/web-pubsub-express` + `@azure/web-pubsub` + `@azure/data-tables` as a user would write it, and a bare
 * `node:http` 200. The app on the local Functions host is one more row, for reference only: Azure never runs that
 * host. Each server runs in a process of its own; rows take turns round by round. Run on demand:
 * `npm run bench -- upstream`.
 */
import { setTimeout } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startStack, upstreamAudience, webPubSubIdentity } from '../local/stack.js';
import { chatEvent } from './support/chat-event.js';
import { startBenchChild } from './support/child-process.js';
import type { RunRequest, RunResult } from './support/in-process-app.js';
import { processCpuSeconds } from './support/process-cpu.js';
import { formatNumber, formatRatio, markdownTable, median, printHeading } from './support/report.js';

const CONCURRENCY = 50;
const SECONDS = 4;
const WARMUP_SECONDS = 2;
const ROUNDS = 3;
const SETTLE_MS = 1_000;
const eventHandlerPath = '/api/webpubsub';

interface Measurement {
  eventsPerSecond: number;
  cpuMsPerEvent: number;
  p50: number;
  p99: number;
}

interface Row {
  name: string;
  what: string;
  /** For reference only: not what the app is judged by. */
  reference?: boolean;
  measure(seconds: number, round: number): Promise<Measurement>;
}

// The rate limit is each user's: at its widest (24 lines a second) the 100 rotating senders stay under it.
const stack = await startStack({
  appSettings: { MODERATION_RATE_MESSAGES: '24', MODERATION_RATE_WINDOW_SECONDS: '1' },
});
// The token the emulator itself sends: the Web PubSub identity's, for the app's audience; the app verifies it.
const token = await stack.identity.issueToken({ resource: upstreamAudience, clientId: webPubSubIdentity.clientId });
const inProcess = await startBenchChild<object>('./in-process-app.ts', {
  env: { ...process.env, ...stack.appSettings, BENCH_TOKEN: token },
});
const express = await startBenchChild<{ url: string }>('./upstream-baseline-server.ts', {
  args: ['express'],
  env: { ...process.env, ...stack.appSettings },
});
const bare = await startBenchChild<{ url: string }>('./upstream-baseline-server.ts', { args: ['bare'] });
const rotateSenders = fileURLToPath(new URL('./support/rotate-chat-sender.cjs', import.meta.url));

/** One run of the in-process child: it drives `CONCURRENCY` invocations at a time and measures its own CPU. */
function runInProcess(request: RunRequest): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: RunResult | { type: 'failed'; message: string }) => {
      inProcess.child.off('message', onMessage);
      if (message.type === 'result') resolve(message);
      else reject(new Error(`in-process app: ${message.message}`));
    };
    inProcess.child.on('message', onMessage);
    inProcess.child.send(request);
  });
}

/** autocannon in a worker thread at `CONCURRENCY` connections; CPU per request of the server's process. */
async function overHttp(url: string, pid: number, room: string, seconds: number): Promise<Measurement> {
  const cpuBefore = processCpuSeconds(pid);
  const result = await autocannon({
    url: `${url}${eventHandlerPath}`,
    method: 'POST',
    ...chatEvent(token, room, true),
    requests: [{ setupRequest: rotateSenders }],
    connections: CONCURRENCY,
    duration: seconds,
    workers: 1,
  });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  }
  return {
    eventsPerSecond: result.requests.total / result.duration,
    cpuMsPerEvent: ((processCpuSeconds(pid) - cpuBefore) * 1_000) / result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** The answer a server gives the benchmark's line, checked once before it is measured. */
async function expectAccepted(url: string): Promise<void> {
  const { headers, body } = chatEvent(token, 'bench-check', true, 'bench-checker', 0);
  const response = await fetch(`${url}${eventHandlerPath}`, { method: 'POST', headers, body });
  const text = await response.text();
  if (response.status !== 200 || (JSON.parse(text || '{}') as { type?: string }).type !== 'accepted') {
    throw new Error(`${url} answered ${response.status} ${text}`);
  }
}

/** A row measured in the in-process child, in rooms of its own for each round. */
const inProcessRun =
  ({ roomPrefix, ...what }: { inRoom: boolean; counted: boolean; roomPrefix: string }) =>
  (seconds: number, round: number) =>
    runInProcess({ type: 'run', ...what, seconds, concurrency: CONCURRENCY, room: `${roomPrefix}-${round}` });

// Each round gets rooms of its own: a room's message records and users' counters start empty, as for a new room.
const rows: Row[] = [
  {
    name: 'app in-process, in a room',
    what: 'token check, CloudEvents, state, rules cache, moderation, the per-user row (counters and latest lines: one conditional Table write), then `sendToGroup` and the message record in parallel, reply',
    measure: inProcessRun({ inRoom: true, counted: true, roomPrefix: 'app' }),
  },
  {
    name: 'app in-process, in a room, insight counters off',
    what: 'the row above with a recorder that counts nothing: the chat path before the insight counters (#20), to measure their cost',
    measure: inProcessRun({ inRoom: true, counted: false, roomPrefix: 'off' }),
  },
  {
    name: 'app in-process, no room',
    what: 'token check, CloudEvents, state, `not-in-room` reply (no moderation, no I/O)',
    measure: inProcessRun({ inRoom: false, counted: true, roomPrefix: 'none' }),
  },
  {
    name: 'express + SDK + data-tables, in a room',
    what: 'over HTTP: CloudEvents parsing by `WebPubSubEventHandler`, a word check, `sendToAll` to the group and a Table row in parallel (no token check, no counters)',
    measure: (seconds, round) => overHttp(express.ready.url, express.child.pid ?? 0, `express-${round}`, seconds),
  },
  {
    name: 'bare node:http 200',
    what: 'over HTTP: a fixed answer without reading the request (the ceiling of HTTP alone)',
    measure: (seconds) => overHttp(bare.ready.url, bare.child.pid ?? 0, 'bare', seconds),
  },
  {
    name: 'app on the local Functions host, in a room',
    what: 'the first row over HTTP through `local/host/` (plain `node:http` and the library classes): reference only, Azure runs its own host',
    reference: true,
    measure: (seconds, round) => overHttp(stack.appUrl, stack.appPid, `host-${round}`, seconds),
  },
];

try {
  await expectAccepted(express.ready.url);
  await expectAccepted(stack.appUrl);
  for (const row of rows) await row.measure(WARMUP_SECONDS, -1);
  const results = new Map<Row, Measurement[]>(rows.map((row) => [row, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rows) {
      // What the previous row left queued (Azurite, the emulator) finishes before this one is measured.
      await setTimeout(SETTLE_MS);
      results.get(row)?.push(await row.measure(SECONDS, round));
    }
  }
  const summary = (row: Row) => {
    const runs = results.get(row) ?? [];
    return {
      runs,
      eventsPerSecond: median(runs.map((run) => run.eventsPerSecond)),
      cpuMs: median(runs.map((run) => run.cpuMsPerEvent)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
    };
  };
  printHeading(
    'Upstream event handling (user event `chat`)',
    `${CONCURRENCY} events in flight, ${ROUNDS} rounds of ${SECONDS} s per row taken in turns after a ${WARMUP_SECONDS} s warm-up, ` +
      'each server in its own process; every answer checked once and every request 2xx. In-process rows: the ' +
      "child's own CPU time (process.cpuUsage) over the round per event, latency from building the request to " +
      "the handler's answer. HTTP rows: autocannon in a worker thread of the bench process, the server process's " +
      'CPU time (/proc, 10 ms ticks) per request, latency at 1 ms resolution. The emulator runs in the bench process, ' +
      'Azurite in its own; neither is counted. Medians of the rounds.',
  );
  console.log(
    markdownTable(
      ['row', 'what it does per event', 'events/s', 'CPU ms/event (median / by round)', 'p50 ms', 'p99 ms'],
      rows.map((row) => {
        const figures = summary(row);
        return [
          row.reference ? `${row.name} (reference)` : row.name,
          row.what,
          formatNumber(figures.eventsPerSecond),
          `${formatNumber(figures.cpuMs, 3)} / ${figures.runs.map((run) => formatNumber(run.cpuMsPerEvent, 3)).join(', ')}`,
          formatNumber(figures.p50, 1),
          formatNumber(figures.p99, 1),
        ];
      }),
    ),
  );
  const [appInRoom, uncounted, , viaExpress] = rows.map(summary);
  if (appInRoom && uncounted) {
    console.log(
      `\nThe insight counters' cost on the chat path, CPU per event: ${formatNumber(appInRoom.cpuMs, 3)} ms counted, ` +
        `${formatNumber(uncounted.cpuMs, 3)} ms not (${formatNumber(appInRoom.cpuMs - uncounted.cpuMs, 3)} ms); ` +
        'their Table writes are one batch per instance every 5 s, off the chat path.',
    );
  }
  if (appInRoom && viaExpress) {
    console.log(
      `\nThe same in-room work, CPU per event: express + SDK + data-tables ${formatNumber(viaExpress.cpuMs, 3)} ms ` +
        `(HTTP parsing included), the app in-process ${formatNumber(appInRoom.cpuMs, 3)} ms (token check and ` +
        `counters included): ${formatRatio(viaExpress.cpuMs, appInRoom.cpuMs)}.`,
    );
  }
} finally {
  await Promise.all([inProcess.close(), express.close(), bare.close()]);
  await stack.close();
}
