import { createBlocklist } from './blocklist.js';
import { foldedReadings } from './evasion-fold.js';
import { createHarassmentScreen } from './harassment.js';
import { linkHosts } from './links.js';
import type { CompiledList } from './list-rules.js';
import { exceedsCodePoints, isBlank, normalizeForMatching, visibleText, words } from './normalize.js';
import {
  type ConnectionModerationState,
  connectionModerationStateSchema,
  HISTORY_LIMIT,
  initialModerationState,
  type ModerationPolicy,
  moderationPolicySchema,
} from './policy.js';
import { createProfanityFilter } from './profanity.js';
import { REGEX_LINE_BUDGET_MS } from './regex-safety.js';

/** `list:<id>` is a moderator's list rule, named by id so the chatter learns which rule without its pattern. */
export type ModerationRule =
  | 'profanity'
  | 'harassment'
  | 'blocklist'
  | 'length'
  | 'empty'
  | 'rate'
  | 'flood'
  | 'muted'
  | 'slow-mode'
  | 'links'
  | 'unchecked'
  | `list:${string}`;
/** What the caller does next: nothing, tell the user they are muted, or evict the connection and ban the user. */
export type ModerationAction = 'none' | 'mute' | 'evict';

/** `flags`: the list rules that let the message through but put it in the review queue (absent when none). */
export type Verdict =
  | { allowed: true; text: string; flags?: string[] }
  | { allowed: false; rule: ModerationRule; message: string; strikes: number; action: ModerationAction };

export interface ModerationResult {
  verdict: Verdict;
  state: ConnectionModerationState;
}

/** A room's limits, set by moderators at run time. */
export interface RoomLimits {
  /** Applies on top of the policy's `maxLength` (the smaller wins). */
  maxLength?: number;
  /** One accepted message per connection every so many seconds; 0 is off. */
  slowModeSeconds: number;
  linksAllowed: boolean;
}

/** What the room adds to the policy for one message: its limits and its lists (global and the room's own). */
export interface RoomContext {
  limits?: RoomLimits;
  lists?: readonly CompiledList[];
}

export interface Moderator {
  /** Never throws: any string, any state (an unreadable one counts as fresh), any clock value. */
  moderate(text: string, state: ConnectionModerationState, nowMs: number, room?: RoomContext): ModerationResult;
}

interface RecentMessage {
  time: number;
  fingerprint: string;
}

interface Counters {
  strikes: number;
  rateRefusals: number;
  mutedUntil: number;
  /** Epoch ms of the last accepted message, kept only while the room is in slow mode. */
  last?: number;
  strikeAt?: number;
}

/** A check's refusal: the rule, what the chatter is told, and whether it costs a strike. */
interface Refusal {
  rule: ModerationRule;
  message: string;
  strike: boolean;
}

/** A check of the line: a refusal, or undefined to go on to the next check. */
type Check = (line: LineUnderReview) => Refusal | undefined;

/**
 * The line as the checks read it. Each reading is computed on first use and kept, so a line refused by a cheap check
 * never pays for the readings of the dear ones (folding, word lists).
 */
class LineUnderReview {
  readonly flags: string[] = [];
  #visible?: string;
  #normalized?: string;
  #plainWords?: string[];
  #readings?: string[][];
  #hosts?: string[];
  #fingerprint?: string;

  constructor(
    readonly text: string,
    readonly now: number,
    readonly counters: Counters,
    readonly recent: readonly RecentMessage[],
    readonly room: RoomContext | undefined,
  ) {}

  /** What every client will draw: judged and delivered alike. */
  get visible(): string {
    this.#visible ??= visibleText(this.text);
    return this.#visible;
  }
  get normalized(): string {
    this.#normalized ??= normalizeForMatching(this.visible);
    return this.#normalized;
  }
  get plainWords(): string[] {
    this.#plainWords ??= words(this.normalized);
    return this.#plainWords;
  }
  get readings(): string[][] {
    this.#readings ??= foldedReadings(this.visible);
    return this.#readings;
  }
  get hosts(): string[] {
    this.#hosts ??= linkHosts(this.normalized);
    return this.#hosts;
  }
  get fingerprint(): string {
    this.#fingerprint ??= fingerprintOf(this.plainWords, this.normalized);
    return this.#fingerprint;
  }
}

/**
 * The checks in the order they run, cheapest first: length, empty, slow mode and rate read no more than the line's
 * size and the counters; links, profanity, harassment, blocklist, the room's lists and flood scan the text.
 * Profanity, harassment, blocklist, blocking list rules and flood cost a strike; every `rateRefusalsPerStrike`-th rate
 * refusal does too; length, empty, slow-mode, link and unchecked refusals never do (honest mistakes).
 */
function orderedChecks(policy: ModerationPolicy): readonly Check[] {
  const profanity = createProfanityFilter(policy.languages);
  const harassment = createHarassmentScreen();
  const blocklist = createBlocklist(policy.blocklist);
  const rateWindowMs = policy.rateWindowSeconds * 1000;
  const floodWindowMs = policy.floodWindowSeconds * 1000;
  const refusal = (rule: ModerationRule, message: string, strike: boolean): Refusal => ({ rule, message, strike });

  const length: Check = ({ text, room }) => {
    const maxLength = Math.min(policy.maxLength, room?.limits?.maxLength ?? policy.maxLength);
    if (!exceedsCodePoints(text, maxLength)) return undefined;
    return refusal('length', `Your message is longer than ${maxLength} characters.`, false);
  };
  const empty: Check = ({ visible }) =>
    isBlank(visible) ? refusal('empty', 'Your message is empty.', false) : undefined;
  const slowMode: Check = ({ now, counters, room }) => {
    const slowModeMs = slowModeMsOf(room);
    const sinceLast = now - (counters.last ?? Number.NEGATIVE_INFINITY);
    if (sinceLast < 0 || sinceLast >= slowModeMs) return undefined;
    const wait = Math.ceil((slowModeMs - sinceLast) / 1000);
    return refusal(
      'slow-mode',
      `Slow mode: one message every ${slowModeMs / 1000} seconds (wait ${wait} more).`,
      false,
    );
  };
  const rate: Check = ({ now, counters, recent }) => {
    if (recent.filter((message) => now - message.time < rateWindowMs).length < policy.rateMessages) return undefined;
    counters.rateRefusals += 1;
    const strike = counters.rateRefusals >= policy.rateRefusalsPerStrike;
    if (strike) counters.rateRefusals = 0;
    const limit = `at most ${policy.rateMessages} every ${policy.rateWindowSeconds} seconds`;
    return refusal('rate', `You are sending messages too quickly (${limit}).`, strike);
  };
  const links: Check = (line) =>
    (line.room?.limits?.linksAllowed ?? true) || line.hosts.length === 0
      ? undefined
      : refusal('links', 'Links are not allowed in this room.', false);
  const profane: Check = ({ readings }) =>
    profanity.matches(readings)
      ? refusal('profanity', 'Your message contains language that is not allowed here.', true)
      : undefined;
  const harassing: Check = ({ readings }) =>
    readings.some((reading) => harassment.matches(reading))
      ? refusal('harassment', 'Your message reads as harassment or an incitement to self-harm.', true)
      : undefined;
  const blocked: Check = ({ normalized, plainWords }) =>
    blocklist.matches(normalized, plainWords)
      ? refusal('blocklist', 'Your message contains a word or phrase that is not allowed in this chat.', true)
      : undefined;
  const listRules: Check = (line) => {
    const lists = line.room?.lists?.filter((list) => list.size > 0) ?? [];
    if (lists.length === 0) return undefined;
    const { normalized, plainWords, hosts } = line;
    // One budget for all the lists' regular expressions, started when they start.
    const prepared = { normalized, plainWords, hosts, regexDeadline: performance.now() + REGEX_LINE_BUDGET_MS };
    for (const list of lists) {
      const match = list.match(prepared);
      if (match.unchecked) {
        return refusal('unchecked', 'Your message could not be checked in time; send a shorter one.', false);
      }
      if (match.block !== undefined) {
        return refusal(`list:${match.block}`, "Your message matches a rule of this room's moderation list.", true);
      }
      line.flags.push(...match.flags);
    }
    return undefined;
  };
  const flood: Check = ({ now, recent, fingerprint }) => {
    const copies = recent.filter(
      (message) => message.fingerprint === fingerprint && now - message.time < floodWindowMs,
    ).length;
    if (copies < policy.floodRepeats - 1) return undefined;
    const window = `${policy.floodWindowSeconds} seconds`;
    return refusal('flood', `You already sent this message ${copies} times in the last ${window}.`, true);
  };

  return [length, empty, slowMode, rate, links, profane, harassing, blocked, listRules, flood];
}

const slowModeMsOf = (room: RoomContext | undefined) => (room?.limits?.slowModeSeconds ?? 0) * 1000;

/**
 * A muted user is refused before any check; then the ordered checks (`orderedChecks`). Only accepted messages count
 * towards rate, flood and slow mode. Strikes and rate refusals are forgotten `strikeDecayMinutes` after the last
 * strike.
 */
export function createModerator(policyInput: ModerationPolicy): Moderator {
  const policy = moderationPolicySchema.parse(policyInput);
  const checks = orderedChecks(policy);
  const historyMs = Math.max(policy.rateWindowSeconds, policy.floodWindowSeconds) * 1000;
  const strikeDecayMs = policy.strikeDecayMinutes * 60_000;

  /** The refusal's strike and what follows from the strikes so far: nothing, a mute, or eviction and a ban. */
  const sanctioned = (refused: Refusal, counters: Counters, now: number): Verdict => {
    let action: ModerationAction = 'none';
    let consequence = '';
    if (refused.strike) {
      counters.strikes += 1;
      counters.strikeAt = now;
      if (counters.strikes >= policy.evictAfterStrikes) {
        action = 'evict';
        counters.mutedUntil = now + policy.banMinutes * 60_000;
        consequence = ` You are removed from the room for ${policy.banMinutes} minutes.`;
      } else if (counters.strikes >= policy.mutedAfterStrikes) {
        action = 'mute';
        counters.mutedUntil = now + policy.muteSeconds * 1000;
        consequence = ` You are muted for ${policy.muteSeconds} seconds.`;
      }
    }
    const message = refused.message + consequence;
    return { allowed: false, rule: refused.rule, message, strikes: counters.strikes, action };
  };

  return {
    moderate(input, state, nowMs, room) {
      // Callers pass parsed JSON bodies; anything that is not a string is an empty message, not a crash.
      const text = typeof input === 'string' ? input : '';
      const current = connectionModerationStateSchema.safeParse(state).data ?? initialModerationState();
      const now = Number.isFinite(nowMs) ? Math.max(0, Math.floor(nowMs)) : current.at;
      // Both directions, so a clock that jumped back cannot pin old messages in the window.
      const recent = decodeRecent(current).filter((message) => Math.abs(now - message.time) < historyMs);
      const decayed = current.strikeAt !== undefined && now - current.strikeAt >= strikeDecayMs;
      const counters: Counters = {
        strikes: decayed ? 0 : current.strikes,
        rateRefusals: decayed ? 0 : current.rateRefusals,
        mutedUntil: current.mutedUntil > now ? current.mutedUntil : 0,
        ...(current.strikeAt !== undefined && !decayed ? { strikeAt: current.strikeAt } : {}),
      };
      const slowModeMs = slowModeMsOf(room);
      if (slowModeMs > 0 && current.last !== undefined) counters.last = current.last;

      if (counters.mutedUntil > 0) {
        // Still refused while the caller has not evicted yet, and `evict` again so it retries.
        const evicted = counters.strikes >= policy.evictAfterStrikes;
        const seconds = Math.ceil((counters.mutedUntil - now) / 1000);
        const message = evicted
          ? 'You have been removed from this room.'
          : `You are muted for another ${seconds} seconds.`;
        const action = evicted ? 'evict' : 'none';
        return {
          verdict: { allowed: false, rule: 'muted', message, strikes: counters.strikes, action },
          state: encodeState(counters, recent),
        };
      }
      const line = new LineUnderReview(text, now, counters, recent, room);
      for (const check of checks) {
        const refused = check(line);
        if (refused) return { verdict: sanctioned(refused, counters, now), state: encodeState(counters, recent) };
      }

      const accepted = [...recent, { time: now, fingerprint: line.fingerprint }];
      if (slowModeMs > 0) counters.last = now;
      const { visible, flags } = line;
      return {
        verdict: flags.length > 0 ? { allowed: true, text: visible, flags } : { allowed: true, text: visible },
        state: encodeState(counters, accepted),
      };
    },
  };
}

function decodeRecent(state: ConnectionModerationState): RecentMessage[] {
  return state.recent.map(([age, fingerprint]) => ({ time: state.at - age, fingerprint }));
}

function encodeState(counters: Counters, recent: readonly RecentMessage[]): ConnectionModerationState {
  const kept = recent.slice(-HISTORY_LIMIT);
  const at = kept.reduce((newest, message) => Math.max(newest, message.time), 0);
  return {
    ...counters,
    at,
    recent: kept.map((message) => [at - message.time, message.fingerprint]),
  };
}

/** A short hash (FNV-1a, 30 bits, ≤ 6 base-36 digits) of the folded words, or of the text when it has no words. */
function fingerprintOf(plainWords: readonly string[], normalized: string): string {
  const key = plainWords.length > 0 ? plainWords.join(' ') : normalized.trim();
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 2).toString(36);
}
