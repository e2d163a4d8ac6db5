import { z } from 'zod';
import { MODERATION_LANGUAGE_CODES } from './profanity.js';

/**
 * How many recent accepted messages the connection state remembers. The state rides in the `ce-connectionState`
 * header, so this bound (with short fingerprints and relative ages) keeps its JSON around 500 bytes at worst.
 */
export const HISTORY_LIMIT = 24;

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** Accepts a list, or one string of terms separated by commas or new lines (as an environment variable holds it). */
const splitList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(/[,\n]/)
        .map((term) => term.trim())
        .filter((term) => term !== '')
    : value;
const termList = z.preprocess(splitList, z.array(z.string().trim().max(200)).max(100_000));

export const moderationPolicySchema = z.object({
  /** Longest accepted message, in code points. */
  maxLength: count(1, 100_000, 500),
  /** At most `rateMessages` accepted messages in any `rateWindowSeconds`. */
  rateMessages: count(1, HISTORY_LIMIT, 5),
  rateWindowSeconds: count(1, 3600, 10),
  /** Rate refusals are often an eager typist, not abuse: only every n-th one costs a strike. */
  rateRefusalsPerStrike: count(1, 1000, 3),
  /** The `floodRepeats`-th copy of the same normalised text within `floodWindowSeconds` is refused. */
  floodRepeats: count(2, HISTORY_LIMIT, 3),
  floodWindowSeconds: count(1, 3600, 30),
  /** Set it at or above `evictAfterStrikes` to evict without muting first. */
  mutedAfterStrikes: count(1, 1000, 2),
  muteSeconds: count(1, 86_400, 60),
  evictAfterStrikes: count(1, 1000, 3),
  banMinutes: count(1, 525_600, 10),
  /** Strikes (and rate refusals towards one) are forgotten this long after the last strike. */
  strikeDecayMinutes: count(1, 525_600, 60),
  /** Words and phrases refused on word boundaries, after the same normalisation as the profanity filter. */
  blocklist: termList.default([]),
  /** Profanity lists to apply (naughty-words' language codes); English always includes its evasion folding. */
  languages: z.preprocess(splitList, z.array(z.enum(MODERATION_LANGUAGE_CODES)).min(1)).default(['en']),
});
export type ModerationPolicy = z.infer<typeof moderationPolicySchema>;

export const connectionModerationStateSchema = z.object({
  strikes: z.number().int().min(0),
  /** Rate refusals so far; every `rateRefusalsPerStrike`-th adds a strike. */
  rateRefusals: z.number().int().min(0),
  /** Epoch ms until which every message is refused; 0 when not muted. */
  mutedUntil: z.number().min(0),
  /** Epoch ms of the newest entry in `recent`; entries store their age relative to it to stay short. */
  at: z.number().min(0),
  /** Recent accepted messages as [age ms before `at`, fingerprint of the normalised text], newest last. */
  recent: z.array(z.tuple([z.number().int().min(0), z.string().max(8)])).max(HISTORY_LIMIT),
  /** Epoch ms of the last accepted message; only written while the room is in slow mode. */
  last: z.number().min(0).optional(),
  /** Epoch ms of the last strike, from which strikes decay. */
  strikeAt: z.number().min(0).optional(),
});
export type ConnectionModerationState = z.infer<typeof connectionModerationStateSchema>;

export function initialModerationState(): ConnectionModerationState {
  return { strikes: 0, rateRefusals: 0, mutedUntil: 0, at: 0, recent: [] };
}
