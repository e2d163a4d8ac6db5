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

/**
 * Rules run cheapest first: muted, length, empty, slow mode, rate (no text scanning), then links, profanity,
 * harassment, blocklist, the room's lists and flood. Profanity, harassment, blocklist, blocking list rules and flood
 * refusals cost a strike;
 * every `rateRefusalsPerStrike`-th rate refusal does too; length, empty, slow-mode and link refusals never do (honest
 * mistakes). Only accepted messages count towards rate, flood and slow mode. Strikes and rate refusals are forgotten
 * `strikeDecayMinutes` after the last strike.
 */
export function createModerator(policyInput: ModerationPolicy): Moderator {
  const policy = moderationPolicySchema.parse(policyInput);
  const profanity = createProfanityFilter(policy.languages);
  const harassment = createHarassmentScreen();
  const blocklist = createBlocklist(policy.blocklist);
  const rateWindowMs = policy.rateWindowSeconds * 1000;
  const floodWindowMs = policy.floodWindowSeconds * 1000;
  const historyMs = Math.max(rateWindowMs, floodWindowMs);
  const strikeDecayMs = policy.strikeDecayMinutes * 60_000;

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
      const slowModeMs = (room?.limits?.slowModeSeconds ?? 0) * 1000;
      if (slowModeMs > 0 && current.last !== undefined) counters.last = current.last;

      const refuse = (rule: ModerationRule, message: string, strike: boolean): ModerationResult => {
        let action: ModerationAction = 'none';
        let consequence = '';
        if (strike) {
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
        return {
          verdict: { allowed: false, rule, message: message + consequence, strikes: counters.strikes, action },
          state: encodeState(counters, recent),
        };
      };

      if (counters.mutedUntil > 0) {
        // Still refused while the caller has not evicted yet, and `evict` again so it retries.
        const evicted = counters.strikes >= policy.evictAfterStrikes;
        const seconds = Math.ceil((counters.mutedUntil - now) / 1000);
        return {
          verdict: {
            allowed: false,
            rule: 'muted',
            message: evicted
              ? 'You have been removed from this room.'
              : `You are muted for another ${seconds} seconds.`,
            strikes: counters.strikes,
            action: evicted ? 'evict' : 'none',
          },
          state: encodeState(counters, recent),
        };
      }
      const maxLength = Math.min(policy.maxLength, room?.limits?.maxLength ?? policy.maxLength);
      if (exceedsCodePoints(text, maxLength)) {
        return refuse('length', `Your message is longer than ${maxLength} characters.`, false);
      }
      // What every client will draw: judged and delivered alike.
      const visible = visibleText(text);
      if (isBlank(visible)) return refuse('empty', 'Your message is empty.', false);
      const sinceLast = now - (counters.last ?? Number.NEGATIVE_INFINITY);
      if (sinceLast >= 0 && sinceLast < slowModeMs) {
        const wait = Math.ceil((slowModeMs - sinceLast) / 1000);
        const every = slowModeMs / 1000;
        return refuse('slow-mode', `Slow mode: one message every ${every} seconds (wait ${wait} more).`, false);
      }
      if (recent.filter((message) => now - message.time < rateWindowMs).length >= policy.rateMessages) {
        counters.rateRefusals += 1;
        const strike = counters.rateRefusals >= policy.rateRefusalsPerStrike;
        if (strike) counters.rateRefusals = 0;
        const limit = `at most ${policy.rateMessages} every ${policy.rateWindowSeconds} seconds`;
        return refuse('rate', `You are sending messages too quickly (${limit}).`, strike);
      }

      const normalized = normalizeForMatching(visible);
      const lists = room?.lists?.filter((list) => list.size > 0) ?? [];
      const linksAllowed = room?.limits?.linksAllowed ?? true;
      const hosts = linksAllowed ? undefined : linkHosts(normalized);
      if (hosts && hosts.length > 0) return refuse('links', 'Links are not allowed in this room.', false);
      const plainWords = words(normalized);
      const readings = foldedReadings(visible);
      if (profanity.matches(readings)) {
        return refuse('profanity', 'Your message contains language that is not allowed here.', true);
      }
      if (readings.some((reading) => harassment.matches(reading))) {
        return refuse('harassment', 'Your message reads as harassment or an incitement to self-harm.', true);
      }
      if (blocklist.matches(normalized, plainWords)) {
        return refuse('blocklist', 'Your message contains a word or phrase that is not allowed in this chat.', true);
      }
      const flags: string[] = [];
      const prepared =
        lists.length > 0
          ? {
              normalized,
              plainWords,
              hosts: hosts ?? linkHosts(normalized),
              regexDeadline: performance.now() + REGEX_LINE_BUDGET_MS,
            }
          : undefined;
      for (const list of lists) {
        if (!prepared) break;
        const match = list.match(prepared);
        if (match.unchecked) {
          return refuse('unchecked', 'Your message could not be checked in time; send a shorter one.', false);
        }
        if (match.block !== undefined) {
          return refuse(`list:${match.block}`, "Your message matches a rule of this room's moderation list.", true);
        }
        flags.push(...match.flags);
      }
      const fingerprint = fingerprintOf(plainWords, normalized);
      const copies = recent.filter(
        (message) => message.fingerprint === fingerprint && now - message.time < floodWindowMs,
      ).length;
      if (copies >= policy.floodRepeats - 1) {
        const window = `${policy.floodWindowSeconds} seconds`;
        return refuse('flood', `You already sent this message ${copies} times in the last ${window}.`, true);
      }

      recent.push({ time: now, fingerprint });
      if (slowModeMs > 0) counters.last = now;
      return {
        verdict: flags.length > 0 ? { allowed: true, text: visible, flags } : { allowed: true, text: visible },
        state: encodeState(counters, recent),
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
