import { resolveConfusablesTransformer } from 'obscenity';

/**
 * Reads a line as a reader sees it, whatever the disguise: look-alike letters of other scripts, small capitals and
 * turned letters folded to the Latin letter they are drawn like, accents and strike-throughs dropped, leetspeak read as
 * letters, and letters spelt out one by one (`f u c k`, `f.u-c_k`) joined back into the word they spell. The result is
 * a few readings of the line, each a list of folded words; the matchers judge every reading. Linear in the line.
 */

/** Letters drawn like a Latin letter (Unicode charts Cyrillic U+0400, Greek U+0370, Phonetic Extensions U+1D00, IPA
 * Extensions U+0250, Latin Extended-B/D); turned letters fold to the letter they are drawn like in the forward reading. */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  г: 'r',
  е: 'e',
  з: '3',
  и: 'u',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  п: 'n',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ь: 'b',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  ӏ: 'l',
  // Greek
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  ζ: 'z',
  η: 'n',
  ι: 'i',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  π: 'n',
  ρ: 'p',
  ς: 's',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  // Small capitals
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ꜰ: 'f',
  ɢ: 'g',
  ʜ: 'h',
  ɪ: 'i',
  ᴊ: 'j',
  ᴋ: 'k',
  ʟ: 'l',
  ᴍ: 'm',
  ɴ: 'n',
  ᴏ: 'o',
  ᴘ: 'p',
  ǫ: 'q',
  ʀ: 'r',
  ꜱ: 's',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ʏ: 'y',
  ᴢ: 'z',
  // Turned and other Latin look-alikes without a decomposition
  ɐ: 'a',
  ɑ: 'a',
  ɔ: 'c',
  ǝ: 'e',
  ɛ: 'e',
  ɟ: 'f',
  ƒ: 'f',
  ƃ: 'g',
  ɡ: 'g',
  ɥ: 'h',
  ħ: 'h',
  ᴉ: 'i',
  ı: 'i',
  ɩ: 'i',
  ɾ: 'j',
  ȷ: 'j',
  ʞ: 'k',
  ł: 'l',
  ɯ: 'm',
  ø: 'o',
  ɹ: 'r',
  ʇ: 't',
  ŧ: 't',
  ʌ: 'v',
  ʋ: 'u',
  ʍ: 'w',
  ʎ: 'y',
  đ: 'd',
  ð: 'd',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
};

/** Upside-down text read the right way up: the line reversed and each letter turned back (IPA Extensions U+0250). */
const TURNED_BACK: Record<string, string> = {
  ɐ: 'a',
  q: 'b',
  ɔ: 'c',
  p: 'd',
  ǝ: 'e',
  ɟ: 'f',
  ƃ: 'g',
  ɥ: 'h',
  ᴉ: 'i',
  ı: 'i',
  ɾ: 'j',
  ʞ: 'k',
  ɯ: 'm',
  u: 'n',
  d: 'p',
  b: 'q',
  ɹ: 'r',
  ʇ: 't',
  n: 'u',
  ʌ: 'v',
  ʍ: 'w',
  ʎ: 'y',
};
/** Letters that only appear in upside-down text: a line with one of them is also read turned back. */
const TURNED_ONLY = /[ɐɔǝɟƃɥᴉɾʞɯɹʇʌʍʎ]/u;

/** Digits and symbols read as letters inside a word ("sh1t", "@ss", "a$$"). */
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '€': 'e',
};
/** A starred-out letter (`f*ck`): matched against any letter by the word screens. */
export const WILDCARD = '*';
/** What can be part of a word: letters, digits, leetspeak symbols and the wildcard; anything else separates words. */
const WORD_PARTS = /[\p{L}\p{N}@$!|€*]+/gu;
const ONLY_SPACE = /^\s*$/;
const PLAIN_WORD = /^[a-z]+$/;
/** A token with both a letter and a digit or leetspeak symbol. */
const MIXED = /^(?=.*\p{L})(?=.*[\p{N}@$!|€])/u;
/** A token that is not a plain number: it has a letter or a leetspeak symbol ("4$$"; "455" stays a number). */
const HAS_LETTER = /[\p{L}@$!|€]/u;
const MARKS = /\p{M}/gu;
/**
 * Text that folds by lower-casing alone: ASCII, emoji and general punctuation (dashes, quotes), which no folding
 * turns into letters.
 */
const PLAIN_TEXT =
  /^(?:[\x20-\x7e\u2010-\u203a\u2600-\u27bf\p{Extended_Pictographic}\p{Emoji_Modifier}]|\ufe0f|\u200d)*$/u;
/** Word parts of plain text: the ASCII subset of `WORD_PARTS`, matched without Unicode property lookups. */
const ASCII_WORD_PARTS = /[a-z0-9@$!|*]+/g;
const confusables = resolveConfusablesTransformer().transform;

/** One code point folded to lower-case Latin where it is drawn like Latin; anything else is kept. */
function foldLetter(char: string): string {
  const known = LOOK_ALIKES[char];
  if (known !== undefined) return known;
  const code = char.codePointAt(0) ?? 0;
  // Regional indicator symbols (🇦 … 🇿) spell letters.
  if (code >= 0x1f1e6 && code <= 0x1f1ff) return String.fromCharCode(97 + code - 0x1f1e6);
  const resolved = confusables(code);
  return resolved === undefined || resolved === code ? char : String.fromCodePoint(resolved).toLowerCase();
}

/** Compatibility forms (full-width, mathematical, circled letters) and accents folded away, lower-cased. */
export function foldCharacters(visible: string): string {
  if (PLAIN_TEXT.test(visible)) return visible.toLowerCase();
  const decomposed = visible.normalize('NFKD').replace(MARKS, '').toLowerCase();
  let folded = '';
  for (const char of decomposed) folded += char.charCodeAt(0) < 128 ? char : foldLetter(char);
  return folded;
}

/** A word read with digits and symbols as letters, or undefined when it is a number or has no letter at all. */
function leetReading(token: string): string | undefined {
  if (PLAIN_WORD.test(token)) return token;
  if (!HAS_LETTER.test(token)) return undefined;
  let word = '';
  for (const char of token.replace(/^\*+|[*!]+$/g, '')) word += LEET[char] ?? char;
  return word;
}

/** A word read with digits and symbols as separators (they are usually punctuation: "spam!", "(hi)"). */
function plainReading(token: string): string[] {
  return token
    .split(/[\p{N}@$!|€]+/u)
    .map((part) => part.replace(/^\*+|\*+$/g, ''))
    .filter((part) => part !== '');
}

/** English words of one letter, which may stand just before or after letters spelt out ("what a f u c k"). */
const ONE_LETTER_WORD = /[ai]/;

/**
 * Letters spelt out one by one joined back into one word: two or more single-letter words in a row (`f u c k` reads
 * `fuck`, `a s a p` reads `asap`); a lone single letter ("I was at a spa") is left alone. A run that starts or ends
 * with "a" or "i" is also read without it, since it may be the article or the pronoun.
 */
function joinSpelledOut(words: readonly string[]): string[] {
  const joined: string[] = [];
  let run = '';
  const flush = () => {
    if (run === '') return;
    joined.push(run);
    if (run.length > 2 && ONE_LETTER_WORD.test(run.charAt(0))) joined.push(run.slice(1));
    if (run.length > 2 && ONE_LETTER_WORD.test(run.charAt(run.length - 1))) joined.push(run.slice(0, -1));
    run = '';
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === BOUNDARY) {
      flush();
      continue;
    }
    const single = word.length === 1 && (run !== '' || (words[i + 1]?.length ?? 0) === 1);
    if (single) run += word;
    else {
      flush();
      joined.push(word);
    }
  }
  flush();
  return joined;
}

/** Single letters and stars alternating (`c*h`): maybe a star used as a separator, maybe a starred-out letter. */
const STARRED_LETTERS = /^(?:\p{L}\*+)+\p{L}$/u;
/** Marks a word boundary in a token list: a spelt-out run stops there. */
const BOUNDARY = '';

/**
 * The tokens of folded text (maximal runs of word parts), in two ways where spelt-out letters are ambiguous: `joined`
 * reads every star between single letters as a separator and every gap alike (`b_i  t_c*h`); `apart` keeps a star
 * between letters as a starred-out letter (`a*s`) and keeps a lone letter spaced off a run spelt out with punctuation
 * out of it (`what a b.i.t.c.h`). `apart` is undefined when both read alike.
 */
function tokens(folded: string): { joined: string[]; apart: string[] | undefined } {
  const whole: string[] = [];
  const gaps: number[] = [];
  let end = 0;
  let singles = 0;
  let starred = false;
  for (const match of folded.matchAll(WORD_PARTS)) {
    const token = match[0];
    whole.push(token);
    gaps.push(end, match.index);
    end = match.index + token.length;
    if (token.length === 1) singles++;
    else if (token.includes(WILDCARD) && STARRED_LETTERS.test(token)) starred = true;
  }
  const joined = starred
    ? whole.flatMap((token) => (STARRED_LETTERS.test(token) ? token.split(/\*+/) : [token]))
    : whole;
  // Most lines spell nothing out: without two single letters there is no run to bound.
  if (singles < 2) return { joined, apart: starred ? whole : undefined };
  const spaced = (n: number) => ONLY_SPACE.test(folded.slice(gaps[2 * n], gaps[2 * n + 1]));
  const single = (n: number) => whole[n]?.length === 1;
  const apart: string[] = [];
  let bounded = false;
  whole.forEach((token, n) => {
    const leadingLetter = single(n - 1) && !single(n - 2) && single(n) && single(n + 1) && spaced(n) && !spaced(n + 1);
    const trailingLetter = n > 1 && single(n) && !single(n + 1) && single(n - 1) && spaced(n) && !spaced(n - 1);
    if (leadingLetter || trailingLetter) {
      apart.push(BOUNDARY);
      bounded = true;
    }
    apart.push(token);
  });
  return { joined, apart: starred || bounded ? apart : undefined };
}

/** The readings of one token list: leetspeak read as letters, and (if the line has any) as separators. */
function readingsOfTokens(parts: readonly string[]): string[][] {
  const leet = joinSpelledOut(
    parts.map((part) => (part === BOUNDARY ? BOUNDARY : leetReading(part))).filter((word) => word !== undefined),
  );
  // Symbols and digits read differently only inside a word ("sh1t", "$hit"); alone they are the same either way.
  if (parts.every((part) => PLAIN_WORD.test(part) || !MIXED.test(part))) return [leet];
  return [leet, joinSpelledOut(parts.flatMap((part) => (part === BOUNDARY ? [BOUNDARY] : plainReading(part))))];
}

/** The reading of a line of plain lower-case words with no letters spelt out, or undefined for any other line. */
function plainLine(folded: string, plain: boolean): string[] | undefined {
  const found: string[] = [];
  let previousSingle = false;
  for (const match of folded.matchAll(plain ? ASCII_WORD_PARTS : WORD_PARTS)) {
    const token = match[0];
    const single = token.length === 1;
    if ((single && previousSingle) || !PLAIN_WORD.test(token)) return undefined;
    previousSingle = single;
    found.push(token);
  }
  return found;
}

function readingsOf(folded: string, plainText = false): string[][] {
  // Fast path: most chat lines are plain words, which every reading reads alike.
  const plain = plainLine(folded, plainText);
  if (plain !== undefined) return [plain];
  const { joined, apart } = tokens(folded);
  return apart === undefined ? readingsOfTokens(joined) : [...readingsOfTokens(joined), ...readingsOfTokens(apart)];
}

/**
 * Every reading of a visible line (see `visibleText`) as lists of folded words: forward, and turned back when the
 * line has letters that only upside-down text uses.
 */
export function foldedReadings(visible: string): string[][] {
  if (PLAIN_TEXT.test(visible)) return readingsOf(visible.toLowerCase(), true);
  const folded = foldCharacters(visible);
  const readings = readingsOf(folded);
  if (TURNED_ONLY.test(visible)) {
    const lowered = visible.normalize('NFKD').replace(MARKS, '').toLowerCase();
    const turnedBack = [...lowered]
      .reverse()
      .map((char) => TURNED_BACK[char] ?? char)
      .join('');
    readings.push(...readingsOf(foldCharacters(turnedBack)));
  }
  return readings;
}
