import { leetWords, normalizeForMatching, words } from './normalize.js';

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  /** A blocked term ends at this word. */
  terminal: boolean;
}

export interface Blocklist {
  /** Whether any blocked term occurs as a run of whole words in one of the folded word sequences. */
  matches(...sequences: (readonly string[] | undefined)[]): boolean;
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

  return {
    matches(...sequences) {
      if (root.next.size === 0) return false;
      for (const sequence of sequences) {
        if (sequence === undefined) continue;
        for (let start = 0; start < sequence.length; start++) {
          if (startsAt(sequence, start)) return true;
        }
      }
      return false;
    },
  };
}
