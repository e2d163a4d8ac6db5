/**
 * A bounded memo of a function of one word: chat repeats its words, so most lines are answered from it. Emptied
 * when full, which costs one recomputation per word and keeps memory flat whatever the traffic.
 */
export function memoizeWords<T>(compute: (word: string) => T, limit = 8_192): (word: string) => T {
  const known = new Map<string, T>();
  return (word) => {
    const found = known.get(word);
    if (found !== undefined) return found;
    const value = compute(word);
    if (known.size >= limit) known.clear();
    if (word.length <= 64) known.set(word, value);
    return value;
  };
}
