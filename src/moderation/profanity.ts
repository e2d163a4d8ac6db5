import {
  type BlacklistedTerm,
  englishDataset,
  englishRecommendedTransformers,
  type Node,
  type ParsedPattern,
  RegExpMatcher,
  SyntaxKind,
} from 'obscenity';
import { createBlocklist } from './blocklist.js';
import { foldText } from './normalize.js';

/**
 * Everyday words obscenity's English dataset flags but does not whitelist (found by running it over common words);
 * a whitelisted span hides the blacklisted match inside it.
 */
const EVERYDAY_WORDS = ['cockpit', 'cumin', 'dickinson', 'dickson', 'penistone', 'pissarro', 'retardant', 'shiitake'];

export interface ProfanityFilter {
  /** Whether text (normalised, see `normalizeForMatching`; `plainWords`: its folded `words`) contains profanity. */
  matches(normalized: string, plainWords: readonly string[]): boolean;
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

/** The words obscenity's English dataset was built from, as its phrases' metadata names them. */
export function datasetWords(terms: readonly BlacklistedTerm[]): string[] {
  const found = new Set<string>();
  for (const term of terms) {
    const match = { termId: term.id, startIndex: 0, endIndex: 0, matchLength: 0 };
    const word = englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord;
    if (word) found.add(word);
  }
  return [...found];
}

/**
 * obscenity's English dataset and transformers, screened first: most chat lines match no term at all and are done
 * after one scan; a line that does is answered by obscenity itself, which also honours the whitelist. A few words of
 * the dataset never match its own patterns once obscenity collapses their doubled letters ("jizz" reads "jiz"): those
 * are matched as whole words, folded alike on both sides.
 */
export function createProfanityFilter(): ProfanityFilter {
  const { blacklistedTerms, whitelistedTerms } = englishDataset.build();
  const matcher = new RegExpMatcher({
    blacklistedTerms,
    whitelistedTerms: [...(whitelistedTerms ?? []), ...EVERYDAY_WORDS],
    ...englishRecommendedTransformers,
  });
  const screen = createTermScreen(blacklistedTerms);
  const missedWords = createBlocklist(datasetWords(blacklistedTerms).filter((word) => !matcher.hasMatch(word)));
  return {
    matches(normalized, plainWords) {
      const masked = maskNumbers(normalized);
      return (screen(masked) && matcher.hasMatch(masked)) || missedWords.matches(normalized, plainWords);
    },
  };
}
