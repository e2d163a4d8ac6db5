import { squeezedSkeleton } from './rude-words.js';

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

export interface HarassmentScreen {
  /** Whether one reading of a line (folded words, see `foldedReadings`) holds one of the phrases. */
  matches(words: readonly string[]): boolean;
}

/**
 * The built-in harassment rule: the phrases above as runs of whole words, compared by sound skeleton with letters
 * squeezed, so the evasion folding applies ("k!ll yourself", "K Y S", "kiiill urself").
 */
export function createHarassmentScreen(): HarassmentScreen {
  const byFirstWord = new Map<string, string[][]>();
  for (const phrase of PHRASES) {
    const words = phrase.split(' ').map(squeezedSkeleton);
    const first = words[0] ?? '';
    byFirstWord.set(first, [...(byFirstWord.get(first) ?? []), words]);
  }
  return {
    matches(words) {
      const squeezed = words.map(squeezedSkeleton);
      return squeezed.some((word, start) =>
        (byFirstWord.get(word) ?? []).some((phrase) => phrase.every((part, n) => squeezed[start + n] === part)),
      );
    },
  };
}
