import {
  type BlacklistedTerm,
  englishDataset,
  englishRecommendedTransformers,
  type Node,
  type ParsedPattern,
  RegExpMatcher,
  SyntaxKind,
} from 'obscenity';
import { foldText } from './normalize.js';

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

function nodeSource(node: Node): string {
  switch (node.kind) {
    case SyntaxKind.Literal:
      return String.fromCodePoint(...node.chars).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    case SyntaxKind.Optional:
      return `(?:${nodeSource(node.childNode)})?`;
    case SyntaxKind.Wildcard:
      return '.';
  }
}

/** The regular expression obscenity runs for a pattern, as source: same nodes, same word boundaries, no `u` flag. */
function patternSource(pattern: ParsedPattern): string {
  const start = pattern.requireWordBoundaryAtStart ? '\\b' : '';
  const end = pattern.requireWordBoundaryAtEnd ? '\\b' : '';
  return start + pattern.nodes.map(nodeSource).join('') + end;
}

/**
 * Whether any term matches anywhere in text folded as obscenity's English transformers fold it (look-alikes,
 * leetspeak, ASCII case, repeated letters: exactly `foldText`), whitelist aside. One regular expression over one
 * folded copy, where obscenity walks the text with an iterator per character and scans it once per term.
 */
export function createTermScreen(terms: readonly BlacklistedTerm[]): (text: string) => boolean {
  const anyTerm = new RegExp(terms.map((term) => `(?:${patternSource(term.pattern)})`).join('|'), 's');
  return (text) => anyTerm.test(foldText(text));
}

/**
 * obscenity's English dataset and transformers, screened first: most chat lines match no term at all and are done
 * after one scan; a line that does is answered by obscenity itself, which also honours the whitelist.
 */
export function createProfanityFilter(): ProfanityFilter {
  const { blacklistedTerms, whitelistedTerms } = englishDataset.build();
  const matcher = new RegExpMatcher({
    blacklistedTerms,
    whitelistedTerms: [...(whitelistedTerms ?? []), ...EVERYDAY_WORDS],
    ...englishRecommendedTransformers,
  });
  const screen = createTermScreen(blacklistedTerms);
  return {
    matches(normalized) {
      const masked = maskNumbers(normalized);
      return screen(masked) && matcher.hasMatch(masked);
    },
  };
}
