import { resolveConfusablesTransformer, resolveLeetSpeakTransformer } from 'obscenity';
import { memoizeWords } from './word-memo.js';

// The same character maps obscenity's English preset uses, so the blocklist folds text exactly as the profanity filter.
const confusables = resolveConfusablesTransformer().transform;
const leetspeak = resolveLeetSpeakTransformer().transform;

/** obscenity's English preset collapses runs to one character, except these doubled letters ("ass", "boonga"). */
const DOUBLE_LETTERS = new Set(['b', 'e', 'o', 'l', 's', 'g'].map((letter) => letter.charCodeAt(0)));

/** ASCII symbols obscenity reads as letters ("$" as "s", "@" as "a"), found by asking its own leetspeak map. */
const LEET_SYMBOLS = Array.from({ length: 127 - 33 }, (_, i) => String.fromCharCode(33 + i))
  .filter((char) => !/[a-z0-9]/i.test(char) && leetspeak(char.charCodeAt(0)) !== char.charCodeAt(0))
  .join('');
const escapedLeetSymbols = LEET_SYMBOLS.replace(/[\\\]^-]/g, '\\$&');

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const LEET_WORD = new RegExp(`[\\p{L}\\p{M}\\p{N}${escapedLeetSymbols}]+`, 'gu');
const LEET_SYMBOL = new RegExp(`[${escapedLeetSymbols}]`);
/** Nothing visible: white space, controls, format characters (zero-width space, joiners) and blank-looking letters. */
const BLANK = /^[\p{White_Space}\p{Cc}\p{Cf}\u115F\u1160\u2800\u3164\uFFA0]*$/u;
const LONE_SURROGATE = /\p{Cs}/gu;
/** Invisible format characters (zero-width space, joiners, soft hyphen) that would split a word for the matchers. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;

/**
 * Compatibility forms folded (full-width, ligatures, long s), invisible characters dropped, lower-cased: the input to
 * every matcher.
 */
export function normalizeForMatching(text: string): string {
  return text.normalize('NFKC').replace(FORMAT_CHARACTERS, '').toLowerCase();
}

function foldCharacter(original: number): number {
  let code = confusables(original) ?? original;
  code = leetspeak(code) ?? code;
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** `foldCharacter` precomputed for ASCII, which is most chat text: a table read instead of two map lookups. */
const FOLDED_ASCII = Int32Array.from({ length: 128 }, (_, code) => foldCharacter(code));

/**
 * Look-alikes and leetspeak resolved, ASCII lower-cased and repeated characters collapsed ("Fuuuck" → "fuck"), as
 * obscenity's English transformers fold text; used on single words and on whole lines.
 */
export function foldText(text: string): string {
  let folded = '';
  let previous = -1;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.codePointAt(i) ?? 0;
    if (code > 0xffff) i++;
    code = code < 128 ? (FOLDED_ASCII[code] ?? code) : foldCharacter(code);
    if (code === previous) {
      run += 1;
      if (run > (DOUBLE_LETTERS.has(code) ? 2 : 1)) continue;
    } else {
      previous = code;
      run = 1;
    }
    folded += String.fromCodePoint(code);
  }
  return folded;
}

/** Chat repeats its words: most are folded once per instance. */
const foldWord = memoizeWords(foldText);

/** Folded words of normalised text, split on anything that is not a letter, mark or digit. */
export function words(normalized: string): string[] {
  return (normalized.match(WORD) ?? []).map(foldWord);
}

/**
 * Folded words when leetspeak symbols count as letters ("$pam" → "spam"), or undefined when the text has none.
 * Kept apart from `words` because the same symbols are usually punctuation ("spam!", "(spam)").
 */
export function leetWords(normalized: string): string[] | undefined {
  if (!LEET_SYMBOL.test(normalized)) return undefined;
  return (normalized.match(LEET_WORD) ?? []).map(foldText);
}

/**
 * Characters that change how a line is drawn without being drawn: bidi controls (U+061C, U+200E/F, U+202A-E,
 * U+2066-9) and the other format characters (zero-width space and non-joiner, word joiner, soft hyphen, BOM, tags),
 * the combining grapheme joiner U+034F and the Hangul fillers. The zero-width joiner is kept between emoji, where it
 * draws one emoji out of several (👩‍💻).
 */
const HIDDEN =
  /(?:\p{Cf}|\u034F|[\u115F\u1160\u3164\uFFA0])(?<!(?<=\p{Extended_Pictographic}|\uFE0F)\u200D(?=\p{Extended_Pictographic}))/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Spaces other than U+0020 (no-break, thin, ideographic…): drawn as a space, so delivered as one. */
const OTHER_SPACES = /[\p{Zs}\u2028\u2029]/gu;

/**
 * The line as every client will draw it: hidden characters removed, other spaces made plain, lone surrogates
 * replaced. The policy judges this text and delivers this text, so no line can render differently from how it was
 * checked (a U+202E before "kcuf" is delivered as "kcuf", not drawn as "fuck").
 */
export function visibleText(text: string): string {
  // Printable ASCII has nothing hidden and no other space.
  if (PRINTABLE_ASCII.test(text)) return text.trim();
  return toWellFormed(text.replace(HIDDEN, '').replace(OTHER_SPACES, ' ')).trim();
}

/** Whether text is longer than `limit` code points, without counting megabytes when the UTF-16 length decides. */
export function exceedsCodePoints(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  if (text.length > 2 * limit) return true;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
    if (count > limit) return true;
  }
  return false;
}

export function isBlank(text: string): boolean {
  return BLANK.test(text);
}

/** Lone surrogates replaced by U+FFFD, so the text survives UTF-8 encoding on its way to other clients. */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}
