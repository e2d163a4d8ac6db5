import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';

/**
 * Everyday words obscenity's English dataset flags but does not whitelist (found by running it over common words);
 * a whitelisted span hides the blacklisted match inside it.
 */
const EVERYDAY_WORDS = ['cockpit', 'cumin', 'dickinson', 'dickson', 'penistone', 'pissarro', 'retardant', 'shiitake'];

export interface ProfanityFilter {
  /** Whether text (already normalised, see `normalizeForMatching`) contains profanity. */
  matches(normalized: string): boolean;
}

/**
 * Numbers standing alone are numbers: the leetspeak transformers would read "455" as "ass" and "717" as "tit".
 * Digits inside a word ("a55", "sh1t") are still leetspeak.
 */
function maskNumbers(text: string): string {
  return text.replace(/(?<![\p{L}\d])\d+(?![\p{L}\d])/gu, (digits) => ' '.repeat(digits.length));
}

export function createProfanityFilter(): ProfanityFilter {
  const { blacklistedTerms, whitelistedTerms } = englishDataset.build();
  const matcher = new RegExpMatcher({
    blacklistedTerms,
    whitelistedTerms: [...(whitelistedTerms ?? []), ...EVERYDAY_WORDS],
    ...englishRecommendedTransformers,
  });
  return { matches: (normalized) => matcher.hasMatch(maskNumbers(normalized)) };
}
