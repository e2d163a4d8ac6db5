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

export function createProfanityFilter(): ProfanityFilter {
  const { blacklistedTerms, whitelistedTerms } = englishDataset.build();
  const matcher = new RegExpMatcher({
    blacklistedTerms,
    whitelistedTerms: [...(whitelistedTerms ?? []), ...EVERYDAY_WORDS],
    ...englishRecommendedTransformers,
  });
  return { matches: (normalized) => matcher.hasMatch(normalized) };
}
