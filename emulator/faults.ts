import { setTimeout as sleep } from 'node:timers/promises';

export interface FaultOptions {
  status: 429 | 503;
  /** Sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Fault every n-th matching request (1 = all). */
  everyNth?: number;
  /** Fault this share of matching requests, at random. */
  fraction?: number;
  /** Draws for `fraction` from this seed: the same requests in the same order fail on every run. */
  seed?: number;
  /** Wait this long before answering a faulted request. */
  delayMs?: number;
  /** Reset the TCP connection instead of answering. */
  reset?: boolean;
  /** Tested on `<METHOD> <path>`, e.g. /^POST .*\/:send$/; default every REST request. */
  match?: RegExp;
}

export interface Fault {
  status: number;
  retryAfterSeconds: number | undefined;
  reset: boolean;
}

/** Decides which REST requests fail, for reliability tests. Without everyNth or fraction, every match fails. */
export class FaultInjector {
  private matched = 0;
  private failed = 0;
  private random = Math.random;

  constructor(private options: FaultOptions | undefined) {
    this.set(options);
  }

  set(options: FaultOptions | undefined): void {
    this.options = options;
    this.matched = 0;
    this.failed = 0;
    this.random = options?.seed === undefined ? Math.random : seededRandom(options.seed);
  }

  /** Faults injected since the options were last set: lets a test tell a ridden-out fault from none at all. */
  get injected(): number {
    return this.failed;
  }

  async select(method: string, path: string): Promise<Fault | undefined> {
    const options = this.options;
    if (!options || (options.match && !options.match.test(`${method} ${path}`))) return undefined;
    this.matched++;
    const byCount = options.everyNth === undefined || this.matched % options.everyNth === 0;
    const byChance = options.fraction === undefined || this.random() < options.fraction;
    if (!byCount || !byChance) return undefined;
    this.failed++;
    if (options.delayMs) await sleep(options.delayMs);
    return { status: options.status, retryAfterSeconds: options.retryAfterSeconds, reset: options.reset ?? false };
  }
}

/** mulberry32: a small, fast generator with a 32-bit state, plenty for picking which requests fail. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}
