import { setTimeout as sleep } from 'node:timers/promises';

export interface FaultOptions {
  status: 429 | 503;
  /** Sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Fault every n-th matching request (1 = all). */
  everyNth?: number;
  /** Fault this share of matching requests, at random. */
  fraction?: number;
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

  constructor(private options: FaultOptions | undefined) {}

  set(options: FaultOptions | undefined): void {
    this.options = options;
    this.matched = 0;
  }

  async select(method: string, path: string): Promise<Fault | undefined> {
    const options = this.options;
    if (!options || (options.match && !options.match.test(`${method} ${path}`))) return undefined;
    this.matched++;
    const byCount = options.everyNth === undefined || this.matched % options.everyNth === 0;
    const byChance = options.fraction === undefined || Math.random() < options.fraction;
    if (!byCount || !byChance) return undefined;
    if (options.delayMs) await sleep(options.delayMs);
    return { status: options.status, retryAfterSeconds: options.retryAfterSeconds, reset: options.reset ?? false };
  }
}
