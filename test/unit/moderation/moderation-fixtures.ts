import {
  type ConnectionModerationState,
  createModerator,
  initialModerationState,
  type ModerationPolicy,
  moderationPolicySchema,
  type Verdict,
} from '../../../src/moderation/index.js';

export function policyWith(overrides: Partial<ModerationPolicy> = {}): ModerationPolicy {
  return moderationPolicySchema.parse(overrides);
}

/** One connection talking over time: carries the state from message to message like the ce-connectionState header. */
export function chatSession(overrides: Partial<ModerationPolicy> = {}) {
  const moderator = createModerator(policyWith(overrides));
  let state: ConnectionModerationState = initialModerationState();
  return {
    send(text: string, nowMs: number): Verdict {
      const result = moderator.moderate(text, state, nowMs);
      state = result.state;
      return result.verdict;
    },
    get state() {
      return state;
    },
  };
}

const SYLLABLES = ['vor', 'kex', 'zul', 'prax', 'mib', 'tron', 'quel', 'dax', 'fyn', 'jor'];

/** `count` distinct made-up words (up to 10,000), four syllables each, none of them English. */
export function madeUpTerms(count: number): string[] {
  return Array.from({ length: count }, (_, n) =>
    [1000, 100, 10, 1].map((place) => SYLLABLES[Math.floor(n / place) % 10]).join(''),
  );
}

/** Ordinary chat lines, varied enough that flood and rate rules are not what a test measures. */
export function chatLines(count: number): string[] {
  const openers = ['hey', 'so', 'honestly', 'ok', 'well', 'lol', 'wait', 'btw', 'yeah', 'hmm'];
  const subjects = ['the meeting', 'this game', 'my cat', 'the new build', 'our release', 'the weather', 'lunch'];
  const endings = ['is great', 'was late again', 'looks fine to me', 'needs more tests', 'starts at 3pm', 'is classic'];
  return Array.from(
    { length: count },
    (_, n) =>
      `${openers[n % openers.length]} ${subjects[(n * 7) % subjects.length]} ${endings[(n * 13) % endings.length]} #${n}`,
  );
}
