import { WILDCARD } from './evasion-fold.js';
import { memoizeWords } from './word-memo.js';

/**
 * Judges single folded words (see `foldedReadings`) against a list of rude words, so that the rude word is refused
 * however it is stretched, spelt by sound, inflected or compounded, while the ordinary words that merely contain it
 * ("assorted", "cocktail", "Scunthorpe", "therapist") are delivered:
 *
 * - both sides are reduced to a sound skeleton ("ph" → f, "ck", "c", "q" → k, "z" → s, a doubled vowel before another
 *   vowel dropped: "phuck", "fuk", "sheeit") and to runs of one letter with their length; a word
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
    .replace(/(?<!p)p+h+/g, 'f')
    .replace(/(?<!c)c+k+/g, 'k')
    .replace(/[cq]/g, 'k')
    .replace(/z/g, 's')
    .replace(/([aeiou])\1+/g, dropRunBeforeOtherVowel);
}

/**
 * A stretched vowel run just before another vowel is dropped ("buuitch" reads "bitch"). A callback on the whole run,
 * not a lookahead after a backreference: that regex backtracks through every shorter run and took quadratic time
 * on one long run ("aaaa…", 25 s for a 100,000-letter line).
 */
function dropRunBeforeOtherVowel(run: string, _vowel: string, at: number, word: string): string {
  const next = word[at + run.length];
  return next !== undefined && next !== run[0] && VOWEL_NOT_Y.test(next) ? '' : run;
}

const VOWEL_NOT_Y = /[aeiou]/;

/** The skeleton with every run of one letter squeezed to one ("kiiill" and "kill" both read "kil"). */
export function squeezedSkeleton(word: string): string {
  return runsOf(skeleton(word)).letters;
}

function runsOf(word: string): Runs {
  // The last letter is kept aside: reading it back from the growing string flattens that string on every
  // character, quadratic on one long word.
  const letters: string[] = [];
  const counts: number[] = [];
  let last: string | undefined;
  for (const char of word) {
    if (char === last) counts[counts.length - 1] = (counts.at(-1) ?? 0) + 1;
    else {
      letters.push(char);
      counts.push(1);
      last = char;
    }
  }
  return { letters: letters.join(''), counts };
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

interface PrefixMatch {
  /** The run index just past the word. */
  end: number;
  /** Letters of the word's last run that the text has beyond the word's own ("bitch|hole": one "h" left). */
  leftover: number;
}

/**
 * The words of the trie that the runs of `text` start with, from run `start`: with runs at least as long for rude
 * words (stretched letters), exactly as long but the last for compound parts ("ape" is in "apeshit", not in
 * "appetites").
 */
function prefixMatches(root: TrieNode, text: Runs, start: number, stretch = true): PrefixMatch[] {
  const found: PrefixMatch[] = [];
  let at: TrieNode | undefined = root;
  for (let i = start; i < text.letters.length; i++) {
    at = at.next.get(text.letters.charAt(i));
    if (at === undefined) break;
    const length = i - start + 1;
    const last = text.counts[i] ?? 0;
    const fitting = at.ends.find(
      (counts) =>
        counts.length === length &&
        counts.every((count, n) => {
          const found = text.counts[start + n] ?? 0;
          return stretch || n === length - 1 ? found >= count : found === count;
        }),
    );
    if (fitting) found.push({ end: i + 1, leftover: last - (fitting.at(-1) ?? last) });
  }
  return found;
}

/** The runs from `match` on, and, when the word's last letter continues, from that letter's leftover too. */
function restsAfter(text: Runs, match: PrefixMatch): { text: Runs; start: number }[] {
  const rests = [{ text, start: match.end }];
  if (match.leftover > 0) {
    const split = {
      letters: text.letters.slice(match.end - 1),
      counts: [match.leftover, ...text.counts.slice(match.end)],
    };
    rests.push({ text: split, start: 0 });
  }
  return rests;
}

/**
 * Endings after a rude word: inflections ("s", "ing", "er"…) matched with exact run lengths, so "assess" is not
 * "ass" + "es"; the "y" endings only after a doubled letter ("shitty", not "spicy"); the clipped and slang endings
 * only after a rude word of four letters or more ("fuckin", "fucka"; not "cumin").
 */
const INFLECTIONS = ['s', 'es', 'ed', 'd', 'er', 'ers', 'ing', 'ings'];
const AFTER_LONG = ['in', 'a', 'as', 'os'];
const AFTER_DOUBLED = ['y', 'ie', 'ies', 'ier', 'iest'];
const LONGEST_ENDING = Math.max(...[...INFLECTIONS, ...AFTER_DOUBLED, ...AFTER_LONG].map((ending) => ending.length));
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
  /** Rude words that drop their final "e" before an ending that starts with a vowel ("whoring", "raping"). */
  const eDropped = node();
  for (const word of folded) if (/[^aeiou]e$/.test(word)) insert(eDropped, runsOf(skeleton(word.slice(0, -1))));
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
    if (text.letters.length - start <= LONGEST_ENDING) {
      const rest = text.letters.slice(start);
      const single = text.counts.slice(start).every((count, n) => count === 1 || VOWEL.test(rest.charAt(n)));
      const ending =
        inflections.has(rest) || (after.doubled && afterDoubled.has(rest)) || (after.long && afterLong.has(rest));
      if (single && ending) return true;
    }
    const plain = { doubled: false, long: false };
    for (const match of prefixMatches(ends, text, start, false))
      if (match.leftover === 0 && restIsRude(text, match.end, plain, depth + 1)) return true;
    return rudeFrom(text, start, depth + 1);
  };

  /** Whether a rude word starts at run `start` and what follows it completes a rude word. */
  const rudeFrom = (text: Runs, start: number, depth: number): boolean => {
    const stems = options.compounds
      ? prefixMatches(eDropped, text, start).filter((match) => VOWEL.test(text.letters.charAt(match.end)))
      : [];
    for (const match of [...prefixMatches(rude, text, start), ...stems]) {
      const doubled = (text.counts[match.end - 1] ?? 0) > 1;
      const long = text.counts.slice(start, match.end).reduce((sum, count) => sum + count, 0) >= 4;
      if (restsAfter(text, match).some((rest) => restIsRude(rest.text, rest.start, { doubled, long }, depth))) {
        return true;
      }
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

  const isRude = (word: string): boolean => {
    if (word.includes(WILDCARD)) return matchesStarred(word);
    const text = runsOf(skeleton(word));
    if (rudeFrom(text, 0, 0)) return true;
    if (!options.compounds) return false;
    return prefixMatches(starts, text, 0, false).some((match) =>
      restsAfter(text, match).some(
        (rest) => (rest.start === 0 || match.leftover === 0) && rudeFrom(rest.text, rest.start, 1),
      ),
    );
  };
  const none = () => false;
  return {
    isRude: folded.length === 0 ? none : memoizeWords(isRude),
    isRudeAlone: folded.length === 0 ? none : (word) => rudeFrom(runsOf(skeleton(word)), 0, MAX_PARTS),
  };
}
