/**
 * Moderated delivery end to end: chat messages from `@azure/web-pubsub-client` senders through the emulator, the
 * app's event handler (moderation) and `sendToGroup` to receivers in the room. Run on demand:
 * `npm run bench -- delivery`.
 */
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { startStack } from '../local/stack.js';
import { formatNumber, markdownTable, median, printHeading, summarizeLatencies } from './support/report.js';

const MESSAGES = 2_000;
const RECEIVERS = 20;
const SENDER_COUNTS = [10, 50];
const ROUNDS = 3;
/** The policy for this run: the highest rate the policy allows per connection, and no flood refusals. */
const RATE_MESSAGES = 24;
const RATE_WINDOW_MS = 1_000;
/** Margin on the sender's pacing, so a message never lands in the previous window on the app's clock. */
const PACING_MARGIN_MS = 10;
const SETTLE_TIMEOUT_MS = 30_000;
const SEND_ATTEMPTS = 50;
const JOIN_BATCH = 10;
const RETRY_DELAY_MS = 100;

interface Reply {
  type: string;
  rule?: string;
}

const digitWords = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** Numbers spelled out digit by digit: the profanity filter's leetspeak rules read some numbers as words (455). */
const spelled = (value: number) => [...String(value)].map((digit) => digitWords[Number(digit)]).join(' ');

/** One chatter on the official client, signed in through the local Easy Auth. */
class BenchChatter {
  private readonly replies: Reply[] = [];
  private waiting: ((reply: Reply) => void) | undefined;
  /** When each accepted message's reply came back, newest last: the sender paces itself under the rate limit. */
  private readonly acceptedAt: number[] = [];
  /** Sends repeated because the connection was down for a moment. */
  retries = 0;

  private constructor(
    readonly client: WebPubSubClient,
    onChat: (text: string, at: number) => void,
  ) {
    // Chat lines reach the room as group messages; replies come to the connection as server messages.
    client.on('group-message', (event) => {
      const data = event.message.data as { type?: string; text?: string } | string;
      if (typeof data !== 'string' && data.type === 'chat') onChat(data.text ?? '', performance.now());
    });
    client.on('server-message', (event) => {
      const data = event.message.data as { type?: string } | string;
      if (typeof data === 'string') return; // the room's join announcements
      const reply = data as Reply;
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) waiting(reply);
      else this.replies.push(reply);
    });
  }

  private room = '';

  static async connect(appUrl: string, userId: string, onChat: (text: string, at: number) => void) {
    const signIn = await fetch(new URL(`/.auth/login/dev?userId=${encodeURIComponent(userId)}`, appUrl), {
      redirect: 'manual',
    });
    const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) throw new Error(`sign-in for ${userId} set no cookie (${signIn.status})`);
    const client = new WebPubSubClient({
      getClientAccessUrl: async () => {
        const response = await fetch(new URL('/api/negotiate', appUrl), { headers: { cookie } });
        if (!response.ok) throw new Error(`negotiate answered ${response.status}`);
        return ((await response.json()) as { url: string }).url;
      },
    });
    const chatter = new BenchChatter(client, onChat);
    await client.start();
    return chatter;
  }

  /** The app's `join` event: its workflow adds the connection to the group and the room to its state. */
  async join(room: string): Promise<void> {
    const reply = await this.send('join', { room });
    if (reply.type !== 'joined') throw new Error(`could not join ${room}: ${JSON.stringify(reply)}`);
    this.room = room;
  }

  /** Sends a user event and waits for the app's answer to it. */
  async send(event: string, data: Record<string, unknown>): Promise<Reply> {
    const reply = new Promise<Reply>((resolve) => {
      const queued = this.replies.shift();
      if (queued) resolve(queued);
      else this.waiting = resolve;
    });
    // A dropped socket is recovered by the client (reliable protocol, same connection); sends in between fail
    // with "not connected" and are retried, and counted, rather than failing the whole run.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.sendEvent(event, data, 'json');
        return reply;
      } catch (error) {
        if (attempt === SEND_ATTEMPTS) throw error;
        this.retries++;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    }
  }

  /** Waits until one more message fits in the rate window, as measured by this sender's accepted replies. */
  async pace(): Promise<void> {
    const windowStart = this.acceptedAt[this.acceptedAt.length - RATE_MESSAGES];
    if (windowStart === undefined) return;
    const wait = windowStart + RATE_WINDOW_MS + PACING_MARGIN_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Call `pace()` first: the clock of the message starts after it. */
  async chat(text: string): Promise<Reply> {
    const reply = await this.send('chat', { room: this.room, text });
    if (reply.type === 'accepted') this.acceptedAt.push(performance.now());
    return reply;
  }
}

/** Send times and deliveries of one round, keyed by the (distinct) message text. */
class RoundLog {
  readonly latencies: number[] = [];
  readonly roundTrips: number[] = [];
  readonly refusals: Reply[] = [];
  private readonly sentAt = new Map<string, number>();
  private delivered = 0;
  lastDeliveryAt = 0;
  private settled: (() => void) | undefined;

  constructor(private readonly expectedDeliveries: number) {}

  sent(text: string, at: number): void {
    this.sentAt.set(text, at);
  }

  received(text: string, at: number): void {
    const sentAt = this.sentAt.get(text);
    if (sentAt === undefined) return;
    this.latencies.push(at - sentAt);
    this.lastDeliveryAt = at;
    if (++this.delivered === this.expectedDeliveries) this.settled?.();
  }

  /** Resolves when every receiver has every accepted message; fails after `SETTLE_TIMEOUT_MS`. */
  allDelivered(): Promise<void> {
    if (this.delivered === this.expectedDeliveries) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.delivered} of ${this.expectedDeliveries} deliveries arrived`)),
        SETTLE_TIMEOUT_MS,
      );
      this.settled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

const stack = await startStack({
  appSettings: {
    MODERATION_RATE_MESSAGES: String(RATE_MESSAGES),
    MODERATION_RATE_WINDOW_SECONDS: String(RATE_WINDOW_MS / 1_000),
    MODERATION_FLOOD_REPEATS: '24',
  },
});
const chatters: BenchChatter[] = [];
try {
  let log = new RoundLog(0);
  const onChat = (isReceiver: boolean) => (text: string, at: number) => {
    if (isReceiver) log.received(text, at);
  };
  const maxSenders = Math.max(...SENDER_COUNTS);
  // A few at a time, as a room fills up.
  for (let joined = 0; joined < maxSenders + RECEIVERS; joined += JOIN_BATCH) {
    const batch = Array.from({ length: Math.min(JOIN_BATCH, maxSenders + RECEIVERS - joined) }, (_, n) => joined + n);
    chatters.push(
      ...(await Promise.all(
        batch.map((index) =>
          BenchChatter.connect(
            stack.appUrl,
            index < maxSenders ? `sender-${index}` : `receiver-${index - maxSenders}`,
            onChat(index >= maxSenders),
          ),
        ),
      )),
    );
  }
  const senders = chatters.slice(0, maxSenders);
  const rows: string[][] = [];
  let round = 0;
  const totalRetries = () => chatters.reduce((sum, chatter) => sum + chatter.retries, 0);
  for (const senderCount of SENDER_COUNTS) {
    const retriesBefore = totalRetries();
    const results: { messagesPerSecond: number; p50: number; p99: number; roundTripP99: number }[] = [];
    for (let n = 0; n < ROUNDS; n++) {
      round++;
      // Every sender and receiver joins the round's own room before the clock starts: the app records each
      // delivered line under its room, and Azurite's upserts slow down as one partition grows.
      for (let joined = 0; joined < chatters.length; joined += JOIN_BATCH) {
        await Promise.all(chatters.slice(joined, joined + JOIN_BATCH).map((chatter) => chatter.join(`bench-${round}`)));
      }
      log = new RoundLog(MESSAGES * RECEIVERS);
      const started = performance.now();
      await Promise.all(
        senders.slice(0, senderCount).map(async (sender, senderIndex) => {
          for (let m = senderIndex; m < MESSAGES; m += senderCount) {
            const text = `round ${spelled(round)} message ${spelled(m)} from sender ${spelled(senderIndex)}`;
            await sender.pace();
            const sentAt = performance.now();
            log.sent(text, sentAt);
            const reply = await sender.chat(text);
            log.roundTrips.push(performance.now() - sentAt);
            if (reply.type !== 'accepted') log.refusals.push(reply);
          }
        }),
      );
      if (log.refusals.length > 0) {
        throw new Error(`${log.refusals.length} messages refused, e.g. ${JSON.stringify(log.refusals[0])}`);
      }
      await log.allDelivered();
      const latencies = summarizeLatencies(log.latencies);
      results.push({
        messagesPerSecond: MESSAGES / ((log.lastDeliveryAt - started) / 1_000),
        p50: latencies.p50,
        p99: latencies.p99,
        roundTripP99: summarizeLatencies(log.roundTrips).p99,
      });
    }
    const throughputs = results.map((result) => result.messagesPerSecond);
    rows.push([
      formatNumber(senderCount),
      formatNumber(senderCount * RATE_MESSAGES),
      `${formatNumber(Math.max(...throughputs))} / ${formatNumber(median(throughputs))}`,
      formatNumber(median(throughputs) * RECEIVERS),
      formatNumber(median(results.map((result) => result.p50)), 1),
      `${formatNumber(median(results.map((result) => result.p99)), 1)} / ${formatNumber(Math.min(...results.map((result) => result.p99)), 1)}`,
      formatNumber(median(results.map((result) => result.roundTripP99)), 1),
      formatNumber(totalRetries() - retriesBefore),
    ]);
  }
  printHeading(
    'Moderated delivery end to end (client → emulator → app → `sendToGroup` → clients)',
    `One \`startStack()\` (app on the local Functions host in its own process; emulator, clients and this script ` +
      `in the bench process). ${maxSenders + RECEIVERS} \`@azure/web-pubsub-client\` clients (reliable JSON protocol) ` +
      `signed in and negotiated; ${RECEIVERS} of them only receive. Before each round every client sends \`join\` for ` +
      `a new room (one per round: the app upserts a record per delivered line into the room's partition, and ` +
      `Azurite's upsert cost grows with a partition's rows, from about 1 ms to 10 ms of CPU between 0 and 6,000 ` +
      `random-key rows, measured; Azure Table Storage does not slow down that way). Each round, the senders share ` +
      `${formatNumber(MESSAGES)} distinct messages, each sender waiting for the app's \`accepted\` answer before its ` +
      `next message and pacing itself under the policy's rate limit (${RATE_MESSAGES} per ${RATE_WINDOW_MS / 1_000} s ` +
      `per connection, the most it allows), so the policy never refuses; every message is checked accepted and ` +
      `delivered to every receiver. Every sender is in the room too and gets every message (not counted). ` +
      `messages/s = messages / time to the last delivery; latency = send call to a receiver's \`group-message\` ` +
      `event, over every (message, receiver); round trip = send call to the \`accepted\` answer; sends retried = ` +
      `sends repeated while a dropped connection was being recovered (all rounds of the row). ${ROUNDS} rounds ` +
      `per row; best / median.`,
  );
  console.log(
    markdownTable(
      [
        'senders',
        'policy ceiling msg/s',
        'messages/s (best / median)',
        'deliveries/s to receivers',
        'p50 ms',
        'p99 ms (median / best)',
        'round trip p99 ms',
        'sends retried',
      ],
      rows,
    ),
  );
} finally {
  for (const chatter of chatters) chatter.client.stop();
  await stack.close();
}
