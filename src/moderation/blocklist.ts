import { leetWords, normalizeForMatching, words } from './normalize.js';

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  /** A blocked term ends at this word. */
  terminal: boolean;
}

export interface Blocklist {
  /**
   * Whether a blocked term occurs as a run of whole words in normalised text (see `normalizeForMatching`), read
   * plainly (`plainWords`, the caller has them already) or with leetspeak symbols as letters.
   */
  matches(normalized: string, plainWords: readonly string[]): boolean;
}

/**
 * A word trie over the folded terms: matching costs one map lookup per word and term length, whatever the number of
 * terms. Terms are folded with leetspeak symbols as letters ("a$$") so they match either spelling in messages.
 */
export function createBlocklist(terms: readonly string[]): Blocklist {
  const root: TrieNode = { next: new Map(), terminal: false };
  for (const term of terms) {
    const normalized = normalizeForMatching(term);
    const path = leetWords(normalized) ?? words(normalized);
    if (path.length === 0) continue;
    let node = root;
    for (const word of path) {
      let child = node.next.get(word);
      if (child === undefined) {
        child = { next: new Map(), terminal: false };
        node.next.set(word, child);
      }
      node = child;
    }
    node.terminal = true;
  }

  const startsAt = (sequence: readonly string[], start: number): boolean => {
    let node: TrieNode | undefined = root;
    for (let i = start; i < sequence.length; i++) {
      node = node.next.get(sequence[i] ?? '');
      if (node === undefined) return false;
      if (node.terminal) return true;
    }
    return false;
  };

  const occursIn = (sequence: readonly string[]): boolean => {
    for (let start = 0; start < sequence.length; start++) {
      if (startsAt(sequence, start)) return true;
    }
    return false;
  };

  return {
    matches(normalized, plainWords) {
      if (root.next.size === 0) return false;
      if (occursIn(plainWords)) return true;
      const leet = leetWords(normalized);
      return leet !== undefined && occursIn(leet);
    },
  };
}
