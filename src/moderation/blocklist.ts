import { leetWords, normalizeForMatching, words } from './normalize.js';

interface TrieNode<T> {
  readonly next: Map<string, TrieNode<T>>;
  /** What the term ending at this word stands for (undefined: no term ends here). */
  value: T | undefined;
}

export interface Blocklist {
  /**
   * Whether a blocked term occurs as a run of whole words in normalised text (see `normalizeForMatching`), read
   * plainly (`plainWords`, the caller has them already) or with leetspeak symbols as letters.
   */
  matches(normalized: string, plainWords: readonly string[]): boolean;
}

export interface TermIndex<T> {
  /** The value of the first term found (see `Blocklist.matches`), or undefined. */
  find(normalized: string, plainWords: readonly string[]): T | undefined;
}

export function createBlocklist(terms: readonly string[]): Blocklist {
  const index = createTermIndex(terms.map((term) => ({ term, value: true })));
  return { matches: (normalized, plainWords) => index.find(normalized, plainWords) !== undefined };
}

/**
 * A word trie over the folded terms: matching costs one map lookup per word and term length, whatever the number of
 * terms. Terms are folded with leetspeak symbols as letters ("a$$") so they match either spelling in messages. Each
 * term carries a value (a list rule's id, say); the first term added wins where two fold alike.
 */
export function createTermIndex<T>(entries: readonly { term: string; value: T }[]): TermIndex<T> {
  const root: TrieNode<T> = { next: new Map(), value: undefined };
  for (const { term, value } of entries) {
    const normalized = normalizeForMatching(term);
    const path = leetWords(normalized) ?? words(normalized);
    if (path.length === 0) continue;
    let node = root;
    for (const word of path) {
      let child = node.next.get(word);
      if (child === undefined) {
        child = { next: new Map(), value: undefined };
        node.next.set(word, child);
      }
      node = child;
    }
    node.value ??= value;
  }

  const startsAt = (sequence: readonly string[], start: number): T | undefined => {
    let node: TrieNode<T> | undefined = root;
    for (let i = start; i < sequence.length; i++) {
      node = node.next.get(sequence[i] ?? '');
      if (node === undefined) return undefined;
      if (node.value !== undefined) return node.value;
    }
    return undefined;
  };

  const occursIn = (sequence: readonly string[]): T | undefined => {
    for (let start = 0; start < sequence.length; start++) {
      const found = startsAt(sequence, start);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  return {
    find(normalized, plainWords) {
      if (root.next.size === 0) return undefined;
      const plain = occursIn(plainWords);
      if (plain !== undefined) return plain;
      const leet = leetWords(normalized);
      return leet === undefined ? undefined : occursIn(leet);
    },
  };
}
