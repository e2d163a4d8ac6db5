import badwordsList from 'badwords-list';
import naughtyWords from 'naughty-words';
import { englishDataset } from 'obscenity';
import { foldCharacters } from './evasion-fold.js';
import { createPhraseScreen } from './harassment.js';
import { createRudeWordScreen, type RudeWordScreen } from './rude-words.js';
import { memoizeWords } from './word-memo.js';

/** The languages `MODERATION_LANGUAGES` can name: naughty-words' per-language lists. */
export type ModerationLanguage = keyof typeof naughtyWords;
export const MODERATION_LANGUAGE_CODES = Object.keys(naughtyWords) as [ModerationLanguage, ...ModerationLanguage[]];

export interface ProfanityFilter {
  /** Whether a line is profane: `readings` are its folded words (see `foldedReadings`). */
  matches(readings: readonly (readonly string[])[]): boolean;
}

/** The words obscenity's English dataset was built from, as its phrases' metadata names them. */
export function datasetWords(): string[] {
  const found = new Set<string>();
  for (const term of englishDataset.build().blacklistedTerms) {
    const match = { termId: term.id, startIndex: 0, endIndex: 0, matchLength: 0 };
    const word = englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord;
    if (word) found.add(word);
  }
  return [...found];
}

/**
 * English profanity: the words both public lists call rude (badwords-list and naughty-words' English list; either
 * alone holds ordinary words, "pawn" and "hell" in one, "escort" and "domination" in the other) and the words of
 * obscenity's English dataset.
 */
export function englishProfanity(): string[] {
  const naughty = new Set(naughtyWords.en.map((entry) => entry.toLowerCase()));
  const consensus = badwordsList.array.map((entry) => entry.toLowerCase()).filter((entry) => naughty.has(entry));
  return [...new Set([...consensus, ...datasetWords()])];
}

const VOWEL = /[aeiouy]/;
const isSingleWord = (entry: string) => /^\p{L}+$/u.test(entry);

/**
 * English words, inflected and compounded, and the words of every other language named (whole words only: their
 * inflections are not English ones), each judged on every reading of the line; entries of several words are matched as
 * runs of whole words.
 */
export function createProfanityFilter(languages: readonly ModerationLanguage[] = ['en']): ProfanityFilter {
  const english = englishProfanity().map(foldCharacters);
  const others = languages
    .filter((language) => language !== 'en')
    .flatMap((language) => naughtyWords[language])
    .map(foldCharacters);
  const screens: RudeWordScreen[] = [
    createRudeWordScreen(english.filter(isSingleWord), { compounds: true }),
    createRudeWordScreen(others.filter(isSingleWord), { compounds: false }),
  ];
  const isRudeAlone = memoizeWords((word) => screens.some((screen) => screen.isRudeAlone(word)));
  const phrases = createPhraseScreen([...english, ...others].filter((entry) => !isSingleWord(entry)));
  return {
    matches(readings) {
      for (const words of readings)
        for (let i = 0; i < words.length; i++) {
          const word = words[i] ?? '';
          for (const screen of screens) if (screen.isRude(word)) return true;
          const next = words[i + 1];
          // A word cut in two where one half cannot be a word ("fu ck", "bi tch"; not "pen is").
          if (next !== undefined && (!VOWEL.test(word) || !VOWEL.test(next)) && isRudeAlone(word + next)) return true;
        }
      return readings.some((words) => phrases.matches(words));
    },
  };
}
