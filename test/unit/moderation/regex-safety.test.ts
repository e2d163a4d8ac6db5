import { describe, expect, it } from 'vitest';
import { compileList } from '../../../src/moderation/list-rules.js';
import { checkRegexSafety, REGEX_INPUT_LIMIT } from '../../../src/moderation/regex-safety.js';

describe('regex safety', () => {
  it.each([
    ['(a+)+$', /nested quantifiers/],
    ['(a|aa)+$', /overlapping alternatives/],
    ['(.*a){20}', /nested quantifiers/],
    ['^(\\w+\\s?)*$', /nested quantifiers/],
    ['([a-z]+)*\\d', /nested quantifiers/],
    ['(a|a?)+b', /nested quantifiers|overlapping/],
    ['(\\w|\\d)+x', /overlapping alternatives/],
    ['(A|a)+$', /overlapping alternatives/],
    ['(a|)+b', /overlapping alternatives/],
    ['(x)\\1', /backreferences/],
    ['(?<w>x)\\k<w>', /backreferences/],
    ['\\d+\\d+\\d+x', /unbounded quantifiers/],
    ['.*.*.*=', /unbounded quantifiers/],
    ['a'.repeat(201), /longer than 200/],
    ['(unclosed', /not a valid regular expression/],
    ['', /empty/],
  ])('refuses %s', (pattern, reason) => {
    const result = checkRegexSafety(pattern);
    expect(result.safe).toBe(false);
    expect(result.safe ? '' : result.reason).toMatch(reason);
  });

  const accepted = [
    '\\b\\d{3}-\\d{4}\\b',
    '^\\w+@\\w+\\.com$',
    '(ab|cd)+x',
    '.*spam.*',
    'buy\\s+now',
    '[a-z]+[0-9]+',
    '(?:https?://)?bit\\.ly/\\w+',
    '[^abc]+x',
    '\\p{L}+!',
    '(foo|bar)+baz',
    '(?=free)f\\w+',
    '(a{3})+$',
    'c[a@]sh\\s*pr[i1]ze',
  ];
  it.each(accepted)('accepts %s', (pattern) => {
    expect(checkRegexSafety(pattern)).toEqual({ safe: true });
  });

  it('runs every accepted pattern fast on adversarial input at the input bound', () => {
    const adversarial = [
      'a'.repeat(5_000),
      `${'a'.repeat(3_000)}!`,
      ' '.repeat(5_000),
      '1'.repeat(5_000),
      `${'ab'.repeat(2_000)}c`,
      `${'aaa'.repeat(1_500)}b`,
      `${'spam'.repeat(1_000)}`,
      `${'x@'.repeat(2_000)}`,
    ];
    const list = compileList(accepted.map((pattern, i) => ({ id: `r${i}`, kind: 'regex', pattern, action: 'flag' })));
    for (const text of adversarial) {
      const started = performance.now();
      list.match({ normalized: text, plainWords: [], hosts: [] });
      // All 13 patterns over one message: quadratic at worst on REGEX_INPUT_LIMIT characters.
      expect(performance.now() - started, text.slice(0, 12)).toBeLessThan(250);
    }
    expect(REGEX_INPUT_LIMIT).toBeLessThanOrEqual(2_000);
  });
});

describe('list rules', () => {
  const list = compileList([
    { id: 'w1', kind: 'word', pattern: 'free money', action: 'block' },
    { id: 'w2', kind: 'word', pattern: 'crypto', action: 'flag' },
    { id: 'd1', kind: 'domain', pattern: 'spam.example', action: 'block' },
    { id: 'd2', kind: 'domain', pattern: 'shady.example', action: 'flag' },
    { id: 'r1', kind: 'regex', pattern: '\\b\\d{4}-\\d{4}\\b', action: 'flag' },
  ]);
  const match = (normalized: string, hosts: string[] = []) =>
    list.match({ normalized, plainWords: normalized.match(/\p{L}+/gu) ?? [], hosts });

  it('blocks on words and on a domain or any of its subdomains, and names the rule', () => {
    expect(match('get free money now')).toEqual({ block: 'w1', flags: [] });
    expect(match('see', ['a.b.spam.example'])).toEqual({ block: 'd1', flags: [] });
    expect(match('see', ['notspam.example'])).toEqual({ flags: [] });
  });

  it('collects flags when nothing blocks', () => {
    expect(match('crypto 1234-5678', ['shady.example'])).toEqual({ flags: ['w2', 'd2', 'r1'] });
  });
});
