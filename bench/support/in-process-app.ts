/**
 * Child-process entry for `bench/upstream.bench.ts`: the app's upstream handler called in-process, as the Functions
 * Node worker calls it (the library's `HttpRequest` and `InvocationContext`, through the registration's `serve()`),
 * with the ports a deployment has: the SDK clients with managed identity to the emulator over https, and Table
 * Storage (Azurite). Env: the stack's app settings, `BENCH_TOKEN` (the Web PubSub identity's upstream token).
 * Messages: `{ type: 'run', inRoom, seconds, concurrency, room, counted }` → `{ type: 'result', ... }`.
 */
import { randomUUID } from 'node:crypto';
import functions from '@azure/functions';
import { type App, createApp } from '../../src/app.js';
import { serve } from '../../src/http/register.js';
import { StatsRecorder } from '../../src/insights/stats-recorder.js';
import { endpoints } from '../../src/runtime.js';
import { loadSettings } from '../../src/settings.js';
import { chatEvent } from './chat-event.js';
import { reportReady } from './child-process.js';

export interface RunRequest {
  type: 'run';
  inRoom: boolean;
  seconds: number;
  concurrency: number;
  room: string;
  /** False: the insight counters count nothing, as before them (#20), to measure what they cost the chat path. */
  counted: boolean;
}

export interface RunResult {
  type: 'result';
  events: number;
  eventsPerSecond: number;
  cpuMsPerEvent: number;
  p50: number;
  p99: number;
}

const app = createApp(loadSettings(process.env));

/** A recorder that counts nothing: the chat path as it was before the insight counters. */
class UncountedRecorder extends StatsRecorder {
  override record(): void {}
}
const uncounted: App = { ...app, insights: new UncountedRecorder(app.stats, { now: app.now, warn: () => undefined }) };
const token = process.env.BENCH_TOKEN ?? '';
/** Each line comes from the next of 100 users, so no user's rate limit is reached (the bench widens it to 24/s). */
const senders = 100;
let sent = 0;

async function invoke(target: App, inRoom: boolean, room: string): Promise<number> {
  sent++;
  const { headers, body } = chatEvent(token, room, inRoom, `bench-user-${sent % senders}`, sent);
  const started = performance.now();
  const request = new functions.HttpRequest({
    method: 'POST',
    url: 'http://localhost/api/webpubsub',
    headers,
    body: { string: body },
  });
  const context = new functions.InvocationContext({ invocationId: randomUUID(), functionName: 'webpubsub' });
  const response = await serve(endpoints.handleUpstream, target, request, context);
  const reply = response.jsonBody as { type?: string; rule?: string } | undefined;
  const expected = inRoom ? reply?.type === 'accepted' : reply?.rule === 'not-in-room';
  if (response.status !== undefined && response.status !== 200) throw new Error(`answered ${response.status}`);
  if (!expected) throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
  return performance.now() - started;
}

async function run({ inRoom, seconds, concurrency, room, counted }: RunRequest): Promise<RunResult> {
  const target = counted ? app : uncounted;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) latencies.push(await invoke(target, inRoom, room));
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (fraction: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? 0;
  return {
    type: 'result',
    events: latencies.length,
    eventsPerSecond: latencies.length / elapsed,
    cpuMsPerEvent: (cpu.user + cpu.system) / 1000 / latencies.length,
    p50: at(0.5),
    p99: at(0.99),
  };
}

process.on('message', (message: RunRequest) => {
  if (message.type !== 'run') return;
  run(message).then(
    (result) => process.send?.(result),
    (error: unknown) => process.send?.({ type: 'failed', message: String(error) }),
  );
});
reportReady({}, () => undefined);
