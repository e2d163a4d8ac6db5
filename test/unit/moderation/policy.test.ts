import { describe, expect, it } from 'vitest';
import {
  connectionModerationStateSchema,
  initialModerationState,
  moderationPolicySchema,
} from '../../../src/moderation/index.js';

describe('moderationPolicySchema', () => {
  it('fills the documented defaults', () => {
    expect(moderationPolicySchema.parse({})).toEqual({
      maxLength: 500,
      rateMessages: 5,
      rateWindowSeconds: 10,
      rateRefusalsPerStrike: 3,
      floodRepeats: 3,
      floodWindowSeconds: 30,
      mutedAfterStrikes: 2,
      muteSeconds: 60,
      evictAfterStrikes: 3,
      banMinutes: 10,
      strikeDecayMinutes: 60,
      blocklist: [],
      languages: ['en'],
    });
  });

  it('reads environment strings: numbers, and terms separated by commas or new lines', () => {
    const policy = moderationPolicySchema.parse({ maxLength: '280', blocklist: 'spam, buy now\ncrypto,,' });
    expect(policy.maxLength).toBe(280);
    expect(policy.blocklist).toEqual(['spam', 'buy now', 'crypto']);
  });

  it('rejects values that would break the state size bound or make no sense', () => {
    expect(moderationPolicySchema.safeParse({ rateMessages: 1000 }).success).toBe(false);
    expect(moderationPolicySchema.safeParse({ maxLength: 0 }).success).toBe(false);
    expect(moderationPolicySchema.safeParse({ muteSeconds: 'soon' }).success).toBe(false);
  });
});

describe('connectionModerationStateSchema', () => {
  it('accepts the initial state and rejects foreign shapes', () => {
    expect(connectionModerationStateSchema.parse(initialModerationState())).toEqual(initialModerationState());
    expect(connectionModerationStateSchema.safeParse({ strikes: -1 }).success).toBe(false);
  });
});
