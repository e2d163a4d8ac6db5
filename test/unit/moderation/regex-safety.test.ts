import { describe, expect, it } from 'vitest';
import { compileList } from '../../../src/moderation/list-rules.js';
import { createModerator } from '../../../src/moderation/moderator.js';
import { initialModerationState, moderationPolicySchema } from '../../../src/moderation/policy.js';
import { compileRegexRule } from '../../../src/moderation/regex-safety.js';

/** The patterns issue 21 found the old analyser accepted, each with the line that froze the host on it. */
const issuePatterns: readonly (readonly [string, (length: number) => string])[] = [
  // Unicode case folding: ſ (U+017F) matches s and K (U+212A) matches k under the `i` flag.
  ['(?:s|\\u017F)+$', (n) => `${'ſ'.repeat(n - 1)}!`],
  ['(?:k|\\u212A)+$', (n) => `${'K'.repeat(n - 1)}!`],
  [`${'a{0,20}'.repeat(25)}$`, (n) => `${'a'.repeat(n - 1)}!`],
  // Cubic when unanchored on a backtracking engine.
  ['.*.*=', (n) => 'x'.repeat(n)],
  ['(a+)+$', (n) => `${'a'.repeat(n - 1)}!`],
  ['^(\\w+\\s?)*$', (n) => `${'ab '.repeat(Math.floor(n / 3))}!`],
];

/** The longest line the policy can be set to accept (`moderationPolicySchema`'s bound on `maxLength`). */
const maximumLine = moderationPolicySchema.shape.maxLength.unwrap().maxValue ?? 0;

const prepared = (normalized: string, regexDeadline = Number.POSITIVE_INFINITY) => ({
  normalized,
  plainWords: normalized.match(/\p{L}+/gu) ?? [],
  hosts: [],
  regexDeadline,
});

/**
 * The CPU time `run` takes, the least of a few rounds: the work itself, which the shared machine's other processes
 * cannot inflate as they inflate wall-clock time by holding the CPU.
 */
function cpuMs(run: () => void, rounds = 5): number {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

describe('regular-expression rules on the linear-time engine', () => {
  it.each(issuePatterns)('answers the worst line for %s within a few ms at the maximum length', (pattern, line) => {
    expect(maximumLine).toBe(100_000);
    const compiled = compileRegexRule(pattern);
    if (!compiled.ok) throw new Error(compiled.reason);
    // The 31-character line froze the host for 25 s on the backtracking engine.
    const short = line(31);
    expect(cpuMs(() => compiled.regex.test(short))).toBeLessThan(1);
    const longest = line(maximumLine);
    expect(cpuMs(() => compiled.regex.test(longest))).toBeLessThan(10);
  });

  it('answers the worst line against every issue pattern in one list, through the moderator', () => {
    const list = compileList(
      issuePatterns.map(([pattern], i) => ({ id: `r${i}`, kind: 'regex', pattern, action: 'flag' })),
    );
    const moderator = createModerator({ ...moderationPolicySchema.parse({}), maxLength: maximumLine });
    for (const [, line] of issuePatterns) {
      const text = line(maximumLine);
      const elapsed = cpuMs(() => moderator.moderate(text, initialModerationState(), 0, { lists: [list] }), 3);
      expect(elapsed, text.slice(0, 8)).toBeLessThan(100);
    }
  });

  it('folds case as Unicode does: ſ matches s, K matches k', () => {
    const rule = compileRegexRule('^s+k+$');
    expect(rule.ok && rule.regex.test('ſSsKkK')).toBe(true);
  });

  it.each([
    ['(?=free)f\\w+', /lookahead and lookbehind assertions are not supported/],
    ['(?!free)f\\w+', /lookahead and lookbehind/],
    ['(?<=a)b', /lookahead and lookbehind/],
    ['(?<!a)b', /lookahead and lookbehind/],
    ['(x)\\1', /backreferences are not supported/],
    ['(?<w>x)\\k<w>', /backreferences are not supported/],
    ['a{1001}', /linear-time engine cannot use it: invalid repeat count/],
    ['((a{0,1000}){0,1000}){0,1000}', /linear-time engine cannot use it: expression too large/],
    ['a'.repeat(201), /longer than 200/],
    ['(unclosed', /not a valid regular expression/],
    ['', /empty/],
  ])('refuses %s and says why', (pattern, reason) => {
    const result = compileRegexRule(pattern);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it.each([
    '\\b\\d{3}-\\d{4}\\b',
    '^\\w+@\\w+\\.com$',
    '(ab|cd)+x',
    '.*spam.*',
    '[^abc]+x',
    '\\p{L}+!',
    '(?<word>buy)\\s+now',
    'c[a@]sh\\s*pr[i1]ze',
    '\\(?=not a lookahead\\)',
    '\\\\(x)',
  ])('accepts %s', (pattern) => {
    expect(compileRegexRule(pattern).ok).toBe(true);
  });

  it('refuses a line unchecked, without a strike, once the per-line budget is spent (the second fence)', () => {
    const list = compileList([{ id: 'r1', kind: 'regex', pattern: 'never', action: 'block' }]);
    expect(list.match(prepared('hello', performance.now() - 1))).toEqual({ flags: [], unchecked: true });
    expect(list.match(prepared('hello'))).toEqual({ flags: [] });
  });

  it('skips a stored pattern that does not compile and reports it', () => {
    const skipped: string[] = [];
    const list = compileList([{ id: 'bad', kind: 'regex', pattern: '(?=x)', action: 'block' }], (rule) =>
      skipped.push(rule.id),
    );
    expect(skipped).toEqual(['bad']);
    expect(list.match(prepared('x'))).toEqual({ flags: [] });
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
  const match = (normalized: string, hosts: string[] = []) => list.match({ ...prepared(normalized), hosts });

  it('blocks on words and on a domain or any of its subdomains, and names the rule', () => {
    expect(match('get free money now')).toEqual({ block: 'w1', flags: [] });
    expect(match('see', ['a.b.spam.example'])).toEqual({ block: 'd1', flags: [] });
    expect(match('see', ['notspam.example'])).toEqual({ flags: [] });
  });

  it('collects flags when nothing blocks', () => {
    expect(match('crypto 1234-5678', ['shady.example'])).toEqual({ flags: ['w2', 'd2', 'r1'] });
  });
});
