import { squeezedSkeleton } from './rude-words.js';
import { memoizeWords } from './word-memo.js';

/** Ways of writing "yourself" that chatters use. */
const YOURSELF = ['yourself', 'yourselves', 'urself', 'ur self', 'yoself', 'yaself'];
/** Incitements to self-harm aimed at the reader, and their abbreviations. */
const PHRASES = [
  ...['kill', 'hang', 'neck', 'end', 'unalive', 'off', 'go kill', 'go hang', 'just kill'].flatMap((verb) =>
    YOURSELF.map((self) => `${verb} ${self}`),
  ),
  'kys',
  'go die',
  'just die',
  'pls die',
  'please die',
  'hope you die',
  'you should die',
  'die in a fire',
  'drink bleach',
  'end your life',
  'slit your wrists',
  'jump off a bridge',
  'jump off a cliff',
  'nobody loves you',
  'no one loves you',
  'nobody would miss you',
  'everyone hates you',
];

export interface PhraseScreen {
  /** Whether one reading of a line (folded words, see `foldedReadings`) holds one of the phrases. */
  matches(words: readonly string[]): boolean;
}

/**
 * Phrases as runs of whole words, compared by sound skeleton with letters squeezed, so the evasion folding applies
 * ("k!ll yourself", "K Y S", "kiiill urself", "j3rk   off").
 */
export function createPhraseScreen(phrases: readonly string[]): PhraseScreen {
  const byFirstWord = new Map<string, string[][]>();
  for (const phrase of phrases) {
    const words = phrase.split(/\s+/).map(squeezedSkeleton);
    const first = words[0] ?? '';
    byFirstWord.set(first, [...(byFirstWord.get(first) ?? []), words]);
  }
  const squeeze = memoizeWords(squeezedSkeleton);
  return {
    matches(words) {
      if (byFirstWord.size === 0) return false;
      const squeezed = words.map(squeeze);
      return squeezed.some((word, start) =>
        (byFirstWord.get(word) ?? []).some((phrase) => phrase.every((part, n) => squeezed[start + n] === part)),
      );
    },
  };
}

/** The built-in harassment rule. */
export function createHarassmentScreen(): PhraseScreen {
  return createPhraseScreen(PHRASES);
}
