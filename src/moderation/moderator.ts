import { createBlocklist } from './blocklist.js';
import { exceedsCodePoints, isBlank, normalizeForMatching, toWellFormed, words } from './normalize.js';
import {
  type ConnectionModerationState,
  connectionModerationStateSchema,
  HISTORY_LIMIT,
  initialModerationState,
  type ModerationPolicy,
  moderationPolicySchema,
} from './policy.js';
import { createProfanityFilter } from './profanity.js';

export type ModerationRule = 'profanity' | 'blocklist' | 'length' | 'empty' | 'rate' | 'flood' | 'muted';
/** What the caller does next: nothing, tell the user they are muted, or evict the connection and ban the user. */
export type ModerationAction = 'none' | 'mute' | 'evict';

export type Verdict =
  | { allowed: true; text: string }
  | { allowed: false; rule: ModerationRule; message: string; strikes: number; action: ModerationAction };

export interface ModerationResult {
  verdict: Verdict;
  state: ConnectionModerationState;
}

export interface Moderator {
  /** Never throws: any string, any state (an unreadable one counts as fresh), any clock value. */
  moderate(text: string, state: ConnectionModerationState, nowMs: number): ModerationResult;
}

interface RecentMessage {
  time: number;
  fingerprint: string;
}

interface Counters {
  strikes: number;
  rateRefusals: number;
  mutedUntil: number;
}

/**
 * Rules run cheapest first: muted, length, empty, rate (no text scanning), then profanity, blocklist and flood.
 * Profanity, blocklist and flood refusals cost a strike; every `rateRefusalsPerStrike`-th rate refusal does too;
 * length and empty refusals never do (honest mistakes). Only accepted messages count towards rate and flood.
 */
export function createModerator(policyInput: ModerationPolicy): Moderator {
  const policy = moderationPolicySchema.parse(policyInput);
  const profanity = createProfanityFilter();
  const blocklist = createBlocklist(policy.blocklist);
  const rateWindowMs = policy.rateWindowSeconds * 1000;
  const floodWindowMs = policy.floodWindowSeconds * 1000;
  const historyMs = Math.max(rateWindowMs, floodWindowMs);

  return {
    moderate(input, state, nowMs) {
      // Callers pass parsed JSON bodies; anything that is not a string is an empty message, not a crash.
      const text = typeof input === 'string' ? input : '';
      const current = connectionModerationStateSchema.safeParse(state).data ?? initialModerationState();
      const now = Number.isFinite(nowMs) ? Math.max(0, Math.floor(nowMs)) : current.at;
      // Both directions, so a clock that jumped back cannot pin old messages in the window.
      const recent = decodeRecent(current).filter((message) => Math.abs(now - message.time) < historyMs);
      const counters: Counters = {
        strikes: current.strikes,
        rateRefusals: current.rateRefusals,
        mutedUntil: current.mutedUntil > now ? current.mutedUntil : 0,
      };

      const refuse = (rule: ModerationRule, message: string, strike: boolean): ModerationResult => {
        let action: ModerationAction = 'none';
        let consequence = '';
        if (strike) {
          counters.strikes += 1;
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
      if (exceedsCodePoints(text, policy.maxLength)) {
        return refuse('length', `Your message is longer than ${policy.maxLength} characters.`, false);
      }
      if (isBlank(text)) return refuse('empty', 'Your message is empty.', false);
      if (recent.filter((message) => now - message.time < rateWindowMs).length >= policy.rateMessages) {
        counters.rateRefusals += 1;
        const strike = counters.rateRefusals >= policy.rateRefusalsPerStrike;
        if (strike) counters.rateRefusals = 0;
        const limit = `at most ${policy.rateMessages} every ${policy.rateWindowSeconds} seconds`;
        return refuse('rate', `You are sending messages too quickly (${limit}).`, strike);
      }

      const normalized = normalizeForMatching(text);
      if (profanity.matches(normalized)) {
        return refuse('profanity', 'Your message contains language that is not allowed here.', true);
      }
      const plainWords = words(normalized);
      if (blocklist.matches(normalized, plainWords)) {
        return refuse('blocklist', 'Your message contains a word or phrase that is blocked in this room.', true);
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
      return { verdict: { allowed: true, text: toWellFormed(text.trim()) }, state: encodeState(counters, recent) };
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
