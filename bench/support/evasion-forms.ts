/**
 * The ways chatters disguise a word, as functions of the word (lower-case ASCII letters), written from the forms
 * issue 22 lists. The moderation-quality benchmark applies every form to every word of a public rude-word list; the
 * unit tests draw forms and words at random (fast-check). Nothing here knows the app's folding tables: the look-alike
 * letters come from the Unicode charts (Cyrillic U+0400, Greek U+0370, Mathematical Alphanumeric Symbols U+1D400,
 * Halfwidth and Fullwidth Forms U+FF00, Phonetic Extensions U+1D00, IPA Extensions U+0250).
 */

/** Cyrillic letters drawn like Latin ones (Unicode chart U+0400). */
const CYRILLIC: Record<string, string> = {
  a: 'а',
  c: 'с',
  e: 'е',
  i: 'і',
  j: 'ј',
  o: 'о',
  p: 'р',
  s: 'ѕ',
  x: 'х',
  y: 'у',
  k: 'к',
  h: 'һ',
};
/** Greek letters drawn like Latin ones (Unicode chart U+0370). */
const GREEK: Record<string, string> = {
  a: 'α',
  i: 'ι',
  k: 'κ',
  n: 'η',
  o: 'ο',
  p: 'ρ',
  t: 'τ',
  u: 'υ',
  v: 'ν',
  x: 'χ',
  e: 'ε',
  b: 'β',
};
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '$', t: '7', g: '9', b: '8', l: '|' };
const LEET_SYMBOLS: Record<string, string> = { a: '@', i: '!', s: '5', o: '0', e: '€' };
/** Small capitals (Phonetic Extensions U+1D00, Latin Extended-D U+A700). */
const SMALL_CAPITALS: Record<string, string> = {
  a: 'ᴀ',
  b: 'ʙ',
  c: 'ᴄ',
  d: 'ᴅ',
  e: 'ᴇ',
  f: 'ꜰ',
  g: 'ɢ',
  h: 'ʜ',
  i: 'ɪ',
  j: 'ᴊ',
  k: 'ᴋ',
  l: 'ʟ',
  m: 'ᴍ',
  n: 'ɴ',
  o: 'ᴏ',
  p: 'ᴘ',
  r: 'ʀ',
  s: 'ꜱ',
  t: 'ᴛ',
  u: 'ᴜ',
  v: 'ᴠ',
  w: 'ᴡ',
  y: 'ʏ',
  z: 'ᴢ',
};
/** Upside-down text: each letter turned (IPA Extensions U+0250 and neighbours), read right to left. */
const TURNED: Record<string, string> = {
  a: 'ɐ',
  b: 'q',
  c: 'ɔ',
  d: 'p',
  e: 'ǝ',
  f: 'ɟ',
  g: 'ƃ',
  h: 'ɥ',
  i: 'ᴉ',
  j: 'ɾ',
  k: 'ʞ',
  l: 'l',
  m: 'ɯ',
  n: 'u',
  o: 'o',
  p: 'd',
  q: 'b',
  r: 'ɹ',
  s: 's',
  t: 'ʇ',
  u: 'n',
  v: 'ʌ',
  w: 'ʍ',
  x: 'x',
  y: 'ʎ',
  z: 'z',
};
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff', '\u034f'];
const SEPARATORS = [' ', '.', '-', '_', '*', ' . ', '--', '..', '  ', '\u00a0', '/', '~'];
const COMPOUND_ENDS = ['face', 'head', 'hole', 'bag', 'wad', 'stain', 'wit', 'lord', 'sucker', 'nugget'];
const COMPOUND_STARTS = ['mother', 'dumb', 'bull', 'horse', 'jack', 'dip', 'ape', 'cluster'];

const mapLetters = (word: string, table: Record<string, string>) =>
  [...word].map((letter) => table[letter] ?? letter).join('');
/** Replaces one letter in two that the table knows, so the form keeps a mix of scripts, as real evasions do. */
const mixLetters = (word: string, table: Record<string, string>) =>
  [...word].map((letter, n) => (n % 2 === 0 ? (table[letter] ?? letter) : letter)).join('');
const offsetLetters = (word: string, base: number) =>
  [...word].map((letter) => String.fromCodePoint(base + letter.charCodeAt(0) - 97)).join('');
const VOWELS = /[aeiou]/;

/** The word in the shape of its inflections: a verb ending, a plural, an agent noun. */
function inflect(word: string, ending: 'ing' | 's' | 'er' | 'ed'): string {
  if (ending === 's') return /(s|sh|ch|x|z)$/.test(word) ? `${word}es` : `${word}s`;
  const stem = word.endsWith('e') ? word.slice(0, -1) : word;
  // Short words ending consonant-vowel-consonant double their last consonant ("shit" → "shitting").
  const doubled = /[^aeiou][aeiou][bdfgklmnprtvz]$/.test(stem) && stem.length <= 4 ? stem + stem.slice(-1) : stem;
  return doubled + ending;
}

/** Spellings chatters use that sound alike: "ph" for "f", "k" for a hard "c", "z" for a final "s", "eei" for "i". */
function phonetic(word: string): string {
  if (word.includes('ck')) return word.replace('ck', 'k');
  if (word.startsWith('f')) return `ph${word.slice(1)}`;
  if (word.endsWith('s')) return `${word.slice(0, -1)}z`;
  if (/c[aou]/.test(word)) return word.replace(/c([aou])/, 'k$1');
  return word.replace(/i/, 'eei');
}

export interface EvasionForm {
  name: string;
  apply(word: string, pick: (options: number) => number): string;
}

/** Every form issue 22 names. `pick(n)` chooses among n options, so a seeded or property-based caller varies them. */
export const EVASION_FORMS: readonly EvasionForm[] = [
  { name: 'upper case', apply: (word) => word.toUpperCase() },
  { name: 'spaced letters', apply: (word) => [...word].join(' ').toUpperCase() },
  { name: 'dotted letters', apply: (word) => [...word].join('.') },
  { name: 'dashed letters', apply: (word) => [...word].join('-') },
  { name: 'underscored letters', apply: (word) => [...word].join('_') },
  {
    name: 'mixed and doubled separators',
    apply: (word, pick) =>
      [...word].map((letter, n) => (n === 0 ? letter : `${SEPARATORS[pick(SEPARATORS.length)]}${letter}`)).join(''),
  },
  {
    name: 'starred middle',
    apply: (word) => {
      if (word.length < 3) return word;
      const vowel = word.slice(1, -1).search(VOWELS);
      const at = vowel >= 0 ? vowel + 1 : 1;
      return `${word.slice(0, at)}*${word.slice(at + 1)}`;
    },
  },
  {
    name: 'stretched letters',
    apply: (word, pick) => {
      const at = pick(word.length);
      return word.slice(0, at) + word.charAt(at).repeat(2 + pick(5)) + word.slice(at + 1);
    },
  },
  { name: 'leetspeak', apply: (word) => mapLetters(word, LEET) },
  { name: 'leet symbols', apply: (word) => mixLetters(word, LEET_SYMBOLS) },
  { name: 'Cyrillic look-alikes', apply: (word) => mapLetters(word, CYRILLIC) },
  { name: 'Greek look-alikes', apply: (word) => mixLetters(word, GREEK) },
  { name: 'full-width letters', apply: (word) => offsetLetters(word, 0xff41) },
  { name: 'mathematical bold letters', apply: (word) => offsetLetters(word, 0x1d41a) },
  { name: 'mathematical script letters', apply: (word) => offsetLetters(word, 0x1d4ea) },
  { name: 'combining accents', apply: (word) => word.replace(/[aeiou]/g, (vowel) => `${vowel}\u0301`) },
  { name: 'combining strike', apply: (word) => [...word].map((letter) => `${letter}\u0336`).join('') },
  {
    name: 'invisible characters',
    apply: (word, pick) => [...word].join(INVISIBLE[pick(INVISIBLE.length)]),
  },
  { name: 'small capitals', apply: (word) => mapLetters(word, SMALL_CAPITALS) },
  { name: 'turned letters', apply: (word) => [...mapLetters(word, TURNED)].reverse().join('') },
  { name: 'compound', apply: (word, pick) => word + COMPOUND_ENDS[pick(COMPOUND_ENDS.length)] },
  { name: 'compound, rude word last', apply: (word, pick) => COMPOUND_STARTS[pick(COMPOUND_STARTS.length)] + word },
  {
    name: 'inflection',
    apply: (word, pick) => inflect(word, (['ing', 's', 'er', 'ed'] as const)[pick(4)] ?? 's'),
  },
  { name: 'phonetic spelling', apply: (word) => phonetic(word) },
];

/** A few ways a disguised word sits in a line: alone, first, last, in the middle. */
export const CARRIERS: readonly ((form: string) => string)[] = [
  (form) => form,
  (form) => `${form} you`,
  (form) => `what a ${form}`,
  (form) => `you are such a ${form} honestly`,
];
