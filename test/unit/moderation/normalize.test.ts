import { describe, expect, it } from 'vitest';
import {
  exceedsCodePoints,
  foldText,
  isBlank,
  leetWords,
  normalizeForMatching,
  toWellFormed,
  words,
} from '../../../src/moderation/normalize.js';

describe('normalizeForMatching + words', () => {
  it('folds case, full-width forms, look-alikes, digits used as letters and repeated letters', () => {
    expect(words(normalizeForMatching('SPAAAM ｓｐａｍ sp4m ѕрам'))).toEqual(['spam', 'spam', 'spam', 'spam']);
  });

  it('keeps the doubled letters obscenity keeps, so "good" and "god" stay different', () => {
    expect(foldText('goooood')).toBe('good');
    expect(foldText('god')).toBe('god');
  });

  it('splits on punctuation and spaces, so symbols at word edges stay punctuation', () => {
    expect(words(normalizeForMatching('(crypto)! and/or spam-bot'))).toEqual(['crypto', 'and', 'or', 'spam', 'bot']);
  });

  it('reads leetspeak symbols as letters only in the separate leet reading', () => {
    const text = normalizeForMatching('$pam @ll day');
    expect(words(text)).toEqual(['pam', 'll', 'day']);
    expect(leetWords(text)).toEqual(['spam', 'all', 'day']);
    expect(leetWords(normalizeForMatching('no symbols here'))).toBeUndefined();
  });
});

describe('exceedsCodePoints', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(exceedsCodePoints('😀'.repeat(5), 5)).toBe(false);
    expect(exceedsCodePoints('😀'.repeat(6), 5)).toBe(true);
    expect(exceedsCodePoints('\ud800'.repeat(5), 5)).toBe(false);
  });

  it('decides megabytes from the length alone', () => {
    expect(exceedsCodePoints('x'.repeat(1 << 20), 500)).toBe(true);
  });
});

describe('isBlank', () => {
  it('treats white space, zero-width and blank-looking characters as nothing', () => {
    expect(isBlank('')).toBe(true);
    expect(isBlank(' \t\n\u00a0\u3000')).toBe(true);
    expect(isBlank('\u200b\u200d\ufeff\u2800\u3164')).toBe(true);
    expect(isBlank(' a ')).toBe(false);
    expect(isBlank('😀')).toBe(false);
  });
});

describe('toWellFormed', () => {
  it('replaces lone surrogates and keeps pairs', () => {
    expect(toWellFormed('a\ud800b\udc00😀')).toBe('a\ufffdb\ufffd😀');
  });
});
