/**
 * The emulator alone: N raw `ws` clients (`json.webpubsub.azure.v1`) in one group, `sendToGroup` over REST with the
 * official `@azure/web-pubsub` client; delivered messages/s and delivery latency. Run on demand:
 * `npm run bench -- fan-out`.
 */
import { execSync } from 'node:child_process';
import { WebPubSubServiceClient } from '@azure/web-pubsub';
import WebSocket from 'ws';
import { startBenchChild } from './support/child-process.js';
import {
  formatNumber,
  markdownTable,
  median,
  printHeading,
  quantile,
  summarizeLatencies,
  verdict,
} from './support/report.js';

const HUB = 'fanout';
const GROUP = 'everyone';
const CONNECT_CONCURRENCY = 100;
const SINGLE_BROADCASTS = 5;
const SUSTAINED_ROUNDS = 3;
const SENDS_IN_FLIGHT = 4;
/** Client counts and how many broadcasts a sustained round sends to them (about 300,000 deliveries each). */
const SIZES = [
  { clients: 100, broadcasts: 2_000 },
  { clients: 1_000, broadcasts: 300 },
  { clients: 5_000, broadcasts: 60 },
];

/** Receive times of the broadcasts of one measurement, by sequence number. */
class DeliveryLog {
  readonly latencies: number[] = [];
  private readonly sentAt = new Map<number, number>();
  private readonly remaining = new Map<number, number>();
  private readonly done = new Map<number, () => void>();
  lastReceivedAt = 0;

  constructor(private readonly clients: number) {}

  /** Resolves when every client has the broadcast. */
  expect(sequence: number, sentAt: number): Promise<void> {
    this.sentAt.set(sequence, sentAt);
    this.remaining.set(sequence, this.clients);
    return new Promise((resolve) => this.done.set(sequence, resolve));
  }

  received(sequence: number, at: number): void {
    const sentAt = this.sentAt.get(sequence);
    const remaining = this.remaining.get(sequence);
    if (sentAt === undefined || remaining === undefined) return;
    this.latencies.push(at - sentAt);
    this.lastReceivedAt = at;
    if (remaining > 1) this.remaining.set(sequence, remaining - 1);
    else this.done.get(sequence)?.();
  }
}

/** Opens `count` clients in the group (the token's `webpubsub.group` claim), `CONNECT_CONCURRENCY` at a time. */
async function connectClients(url: string, count: number, onMessage: (sequence: number) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(url, 'json.webpubsub.azure.v1');
      sockets.push(socket);
      socket.once('error', reject);
      socket.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as { type: string; event?: string; data?: string };
        if (frame.type === 'message') onMessage(Number(frame.data));
        else if (frame.event === 'connected') resolve();
      });
    });
  for (let started = 0; started < count; started += CONNECT_CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count - started) }, open));
  }
  return sockets;
}

async function measureSize(serviceClient: WebPubSubServiceClient, url: string, clients: number, broadcasts: number) {
  let log = new DeliveryLog(clients);
  let sequence = 0;
  const connectStarted = performance.now();
  const sockets = await connectClients(url, clients, (received) => log.received(received, performance.now()));
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  const group = serviceClient.group(GROUP);
  /** Resolves with the REST call's 202; `delivered` resolves when every client has the message. */
  const broadcast = async (): Promise<{ delivered: Promise<void> }> => {
    const current = ++sequence;
    const delivered = log.expect(current, performance.now());
    await group.sendToAll(String(current), { contentType: 'text/plain' });
    return { delivered };
  };
  try {
    // One broadcast at a time to an idle emulator: how long until the last client has it.
    const singles: number[] = [];
    for (let n = 0; n < SINGLE_BROADCASTS; n++) {
      log = new DeliveryLog(clients);
      const started = performance.now();
      await await broadcast();
      singles.push(performance.now() - started);
    }
    // Sustained: `broadcasts` sends, `SENDS_IN_FLIGHT` REST calls at a time, each waiting only for its 202.
    const rounds: { deliveriesPerSecond: number; p50: number; p99: number }[] = [];
    for (let round = 0; round < SUSTAINED_ROUNDS; round++) {
      log = new DeliveryLog(clients);
      const started = performance.now();
      const deliveries: Promise<void>[] = [];
      let next = 0;
      const sender = async () => {
        while (next < broadcasts) {
          next++;
          deliveries.push((await broadcast()).delivered);
        }
      };
      await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, sender));
      await Promise.all(deliveries);
      const latencies = summarizeLatencies(log.latencies);
      rounds.push({
        deliveriesPerSecond: (clients * broadcasts) / ((log.lastReceivedAt - started) / 1000),
        p50: latencies.p50,
        p99: latencies.p99,
      });
    }
    return { connectSeconds, singles, rounds };
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}

const emulator = await startBenchChild<{ connectionString: string }>('./emulator-server.ts');
try {
  const serviceClient = new WebPubSubServiceClient(emulator.ready.connectionString, HUB, {
    allowInsecureConnection: true,
  });
  // One token for every client: no user id, member of the group from the start, no roles.
  const { url } = await serviceClient.getClientAccessToken({ groups: [GROUP] });
  const rows: string[][] = [];
  const checks: string[][] = [];
  for (const { clients, broadcasts } of SIZES) {
    const { connectSeconds, singles, rounds } = await measureSize(serviceClient, url, clients, broadcasts);
    const throughputs = rounds.map((round) => round.deliveriesPerSecond);
    rows.push([
      formatNumber(clients),
      formatNumber(clients / connectSeconds),
      `${formatNumber(Math.min(...singles), 1)} / ${formatNumber(median(singles), 1)}`,
      formatNumber(broadcasts),
      `${formatNumber(Math.max(...throughputs))} / ${formatNumber(median(throughputs))}`,
      formatNumber(median(rounds.map((round) => round.p50)), 1),
      `${formatNumber(median(rounds.map((round) => round.p99)), 1)} / ${formatNumber(Math.min(...rounds.map((round) => round.p99)), 1)}`,
    ]);
    if (clients === 5_000) {
      checks.push([
        '5,000 clients receive one broadcast (median)',
        `${formatNumber(median(singles), 1)} ms`,
        verdict(median(singles) < 1_000, '< 1 s'),
      ]);
    }
    if (clients === 1_000) {
      checks.push([
        'deliveries/s at N = 1,000 (median)',
        formatNumber(median(throughputs)),
        verdict(quantile(throughputs, 0.5) >= 100_000, '≥ 100,000'),
      ]);
    }
  }
  const fdLimit = execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim();
  printHeading(
    'Emulator fan-out (`sendToGroup` over REST to N raw WebSocket clients)',
    `The emulator runs alone in its own process; the N clients (\`ws\`, subprotocol \`json.webpubsub.azure.v1\`, ` +
      `all in the group through their token) and the REST caller (\`@azure/web-pubsub\` with the connection string) ` +
      `share the bench process (so the figures include the clients' own frame parsing on the same 2 cores). Latency: from just ` +
      `before the REST call to a client's \`message\` event, over every delivery. "One broadcast": ${SINGLE_BROADCASTS} ` +
      `sends one at a time, time until the last client has it (best / median). "Sustained": ${SUSTAINED_ROUNDS} rounds ` +
      `of the listed broadcasts with ${SENDS_IN_FLIGHT} REST calls in flight; deliveries/s = N × broadcasts / time ` +
      `to the last delivery (best / median). 5,000 clients hold 10,000 sockets over two processes; fd limit here: ${fdLimit}.`,
  );
  console.log(
    markdownTable(
      [
        'clients',
        'connects/s',
        'one broadcast, ms (best / median)',
        'broadcasts',
        'deliveries/s (best / median)',
        'p50 ms',
        'p99 ms (median / best)',
      ],
      rows,
    ),
  );
  console.log(`\n${markdownTable(['check', 'value', 'target'], checks)}`);
} finally {
  await emulator.close();
}
