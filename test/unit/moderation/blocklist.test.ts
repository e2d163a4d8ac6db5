import { describe, expect, it } from 'vitest';
import { createBlocklist } from '../../../src/moderation/blocklist.js';
import { normalizeForMatching, words } from '../../../src/moderation/normalize.js';
import { chatLines, madeUpTerms } from './moderation-fixtures.js';

function blocks(terms: readonly string[], text: string): boolean {
  const normalized = normalizeForMatching(text);
  return createBlocklist(terms).matches(normalized, words(normalized));
}

describe('createBlocklist', () => {
  it('matches whole words case-insensitively, in any spelling the profanity filter folds', () => {
    for (const text of ['spam', 'SPAM!', 'buy $pam now', 'sp4m', 'ｓｐａｍ', 'spaaaam', '(spam)', 'spam-bot']) {
      expect(blocks(['spam'], text), text).toBe(true);
    }
  });

  it('does not match inside longer words', () => {
    for (const text of ['spammer', 'antispam', 'spa m', 'classic spa']) {
      expect(blocks(['spam'], text), text).toBe(false);
    }
  });

  it('matches phrases as consecutive words, whatever the spacing and punctuation between them', () => {
    expect(blocks(['buy now'], 'please BUY   now!!')).toBe(true);
    expect(blocks(['buy now'], 'buy, now')).toBe(true);
    expect(blocks(['buy now'], 'buy it now')).toBe(false);
    expect(blocks(['buy now'], 'buy')).toBe(false);
  });

  it('folds terms the same way, so a leetspeak term matches the plain word and back', () => {
    expect(blocks(['a$$hat'], 'what an asshat')).toBe(true);
    expect(blocks(['sp4m'], 'no spam please')).toBe(true);
  });

  it('ignores terms with no words and matches nothing when empty', () => {
    expect(blocks(['', '  ', '!!!'], 'anything at all')).toBe(false);
    expect(blocks([], 'spam')).toBe(false);
  });

  it('finds single words and phrases in a 10,000-term list', () => {
    const terms = madeUpTerms(10_000);
    const list = createBlocklist([...terms, 'limited offer today']);
    const check = (text: string) => {
      const normalized = normalizeForMatching(text);
      return list.matches(normalized, words(normalized));
    };
    expect(check(`hello ${terms[0]}`)).toBe(true);
    expect(check(`${terms[9_999]?.toUpperCase()}!`)).toBe(true);
    expect(check(`a limited   offer, today only`)).toBe(true);
    expect(chatLines(500).some(check)).toBe(false);
  });
});
