import { WILDCARD } from './evasion-fold.js';

/**
 * Judges single folded words (see `foldedReadings`) against a list of rude words, so that the rude word is refused
 * however it is stretched, spelt by sound, inflected or compounded, while the ordinary words that merely contain it
 * ("assorted", "cocktail", "Scunthorpe", "therapist") are delivered:
 *
 * - both sides are reduced to a sound skeleton ("ph" → f, "ck", "c", "q" → k, "z" → s, a vowel cluster of three or
 *   more letters to its last vowel: "phuck", "fuk", "sheeit") and to runs of one letter with their length; a word
 *   matches a rude word when the letters of the runs agree and each run is at least as long (stretched letters), so
 *   "as" never reads "ass";
 * - a rude word counts inside a longer word only as the word's start followed by nothing, an inflection, another rude
 *   word or a compound part ("fucking", "shitheads", "fuckface"), or after a compound prefix ("motherfucker",
 *   "bullshit"). Anything else around it ("ass|orted", "the|rapist") is an ordinary word.
 */
export interface RudeWordScreen {
  /** Whether one folded word is rude. */
  isRude(word: string): boolean;
  /** Whether one folded word is a rude word itself, stretched or spelt by sound, with nothing before or after it. */
  isRudeAlone(word: string): boolean;
}

/** How deep compounds nest ("fuckingshitmotherfucker"); past it only the end of the word completes a rude word. */
const MAX_PARTS = 4;

export interface RudeWordScreenOptions {
  /** Whether inflections and compounds count (English), or only the word itself, stretched or spelt by sound. */
  compounds: boolean;
}

interface Runs {
  letters: string;
  counts: number[];
}

const VOWEL = /[aeiouy]/;

/** The sound skeleton of a lower-case word; see `RudeWordScreen`. */
function skeleton(word: string): string {
  return word
    .replace(/ph/g, 'f')
    .replace(/ck/g, 'k')
    .replace(/[cq]/g, 'k')
    .replace(/z/g, 's')
    .replace(/[aeiou]{3,}/g, (cluster) => (new Set(cluster).size > 1 ? (cluster.at(-1) ?? '') : cluster));
}

/** The skeleton with every run of one letter squeezed to one ("kiiill" and "kill" both read "kil"). */
export function squeezedSkeleton(word: string): string {
  return runsOf(skeleton(word)).letters;
}

function runsOf(word: string): Runs {
  let letters = '';
  const counts: number[] = [];
  for (const char of word) {
    if (letters.at(-1) === char) counts[counts.length - 1] = (counts.at(-1) ?? 0) + 1;
    else {
      letters += char;
      counts.push(1);
    }
  }
  return { letters, counts };
}

interface TrieNode {
  next: Map<string, TrieNode>;
  /** The run lengths of each rude word that ends here (two words may share their letters: "as", "ass"). */
  ends: number[][];
}

const node = (): TrieNode => ({ next: new Map(), ends: [] });

function insert(root: TrieNode, runs: Runs): void {
  let at = root;
  for (const letter of runs.letters) {
    let child = at.next.get(letter);
    if (child === undefined) {
      child = node();
      at.next.set(letter, child);
    }
    at = child;
  }
  at.ends.push(runs.counts);
}

/** Run indexes just past each word of the trie that the runs of `text` start with, from run `start`. */
function prefixEnds(root: TrieNode, text: Runs, start: number): number[] {
  const found: number[] = [];
  let at: TrieNode | undefined = root;
  for (let i = start; i < text.letters.length; i++) {
    at = at.next.get(text.letters.charAt(i));
    if (at === undefined) break;
    const length = i - start + 1;
    const fits = at.ends.some((counts) =>
      counts.every((count, n) => (text.counts[start + n] ?? 0) >= count && counts.length === length),
    );
    if (fits) found.push(i + 1);
  }
  return found;
}

/**
 * Endings after a rude word: inflections ("s", "ing", "er"…) matched with exact run lengths, so "assess" is not
 * "ass" + "es"; the "y" endings only after a doubled letter ("shitty", not "spicy"); the clipped and slang endings
 * only after a rude word of four letters or more ("fuckin", "fucka"; not "cumin").
 */
const INFLECTIONS = ['s', 'es', 'ed', 'd', 'er', 'ers', 'ing', 'ings'];
const AFTER_LONG = ['in', 'a', 'as', 'os'];
const AFTER_DOUBLED = ['y', 'ie', 'ies', 'ier', 'iest'];
/** Words that profanity is compounded with, after it ("fuckface", "shithead") or before it ("bullshit"). */
const COMPOUND_ENDS = [
  'face',
  'head',
  'hole',
  'bag',
  'wad',
  'stain',
  'wit',
  'whit',
  'lord',
  'sucker',
  'suck',
  'licker',
  'lick',
  'nugget',
  'stick',
  'brain',
  'burger',
  'load',
  'monkey',
  'muncher',
  'munch',
  'nut',
  'sack',
  'tard',
  'wipe',
  'hat',
  'fest',
  'show',
  'storm',
  'bucket',
  'breath',
  'weasel',
  'eater',
  'master',
  'bird',
  'bomb',
  'box',
  'pipe',
  'rag',
  'clown',
  'goblin',
  'nose',
];
const COMPOUND_STARTS = [
  'mother',
  'motha',
  'mutha',
  'bull',
  'dumb',
  'horse',
  'jack',
  'dip',
  'bat',
  'ape',
  'cluster',
  'chicken',
  'dog',
  'fat',
  'lard',
  'smart',
  'kick',
  'mind',
  'cyber',
  'finger',
  'fist',
  'pig',
  'holy',
  'lame',
  'stupid',
  'big',
  'dirty',
  'ugly',
];

function exactly(parts: readonly string[]): Set<string> {
  return new Set(parts.map((part) => skeleton(part)));
}

export function createRudeWordScreen(words: readonly string[], options: RudeWordScreenOptions): RudeWordScreen {
  const rude = node();
  const folded = [...new Set(words.map((word) => word.toLowerCase()).filter((word) => /^\p{L}+$/u.test(word)))];
  for (const word of folded) insert(rude, runsOf(skeleton(word)));
  const ends = node();
  for (const part of COMPOUND_ENDS) insert(ends, runsOf(skeleton(part)));
  const starts = node();
  for (const part of COMPOUND_STARTS) insert(starts, runsOf(skeleton(part)));
  const inflections = exactly(INFLECTIONS);
  const afterDoubled = exactly(AFTER_DOUBLED);
  const afterLong = exactly(AFTER_LONG);
  /** Rude words with their inflections, by length, for starred-out spellings ("f*ck", "sh*tting"). */
  const starred = new Map<number, string[]>();
  const spelt = options.compounds
    ? folded.flatMap((word) => [word, ...['s', 'ing', 'er', 'ed'].map((ending) => word + ending)])
    : folded;
  for (const word of spelt) starred.set(word.length, [...(starred.get(word.length) ?? []), word]);

  /** What is left after a rude word, from run `start`: whether it completes a rude word. */
  const restIsRude = (
    text: Runs,
    start: number,
    after: { doubled: boolean; long: boolean },
    depth: number,
  ): boolean => {
    if (start === text.letters.length) return true;
    if (!options.compounds || depth >= MAX_PARTS) return false;
    const rest = text.letters.slice(start);
    const single = text.counts.slice(start).every((count, n) => count === 1 || VOWEL.test(rest.charAt(n)));
    const ending =
      inflections.has(rest) || (after.doubled && afterDoubled.has(rest)) || (after.long && afterLong.has(rest));
    if (single && ending) return true;
    const plain = { doubled: false, long: false };
    for (const end of prefixEnds(ends, text, start)) if (restIsRude(text, end, plain, depth + 1)) return true;
    return rudeFrom(text, start, depth + 1);
  };

  /** Whether a rude word starts at run `start` and what follows it completes a rude word. */
  const rudeFrom = (text: Runs, start: number, depth: number): boolean => {
    for (const end of prefixEnds(rude, text, start)) {
      const doubled = (text.counts[end - 1] ?? 0) > 1;
      const long = text.counts.slice(start, end).reduce((sum, count) => sum + count, 0) >= 4;
      if (restIsRude(text, end, { doubled, long }, depth)) return true;
    }
    return false;
  };

  const matchesStarred = (word: string): boolean => {
    const shown = word.replaceAll(WILDCARD, '');
    if (shown.length < 2 || shown.length < word.length - shown.length || word.startsWith(WILDCARD)) return false;
    return (starred.get(word.length) ?? []).some((candidate) =>
      [...word].every((char, n) => char === WILDCARD || char === candidate.charAt(n)),
    );
  };

  return {
    isRude(word) {
      if (word.includes(WILDCARD)) return matchesStarred(word);
      const text = runsOf(skeleton(word));
      if (rudeFrom(text, 0, 0)) return true;
      if (!options.compounds) return false;
      for (const end of prefixEnds(starts, text, 0)) if (rudeFrom(text, end, 1)) return true;
      return false;
    },
    isRudeAlone: (word) => rudeFrom(runsOf(skeleton(word)), 0, MAX_PARTS),
  };
}
