/**
 * A small analyser for moderator-supplied regular expressions: it parses the pattern (JavaScript syntax, `u` flag)
 * into a tree by hand and refuses the shapes that backtrack catastrophically, before the pattern ever runs on chat.
 *
 * Refused: backreferences; a repeated group that contains another variable quantifier (`(a+)+`, `(.*a){20}`,
 * `(\w+\s?)*`); alternatives under a repeat that can start with the same character or match nothing (`(a|aa)+`);
 * three or more unbounded quantifiers over overlapping characters (polynomial backtracking, `.*.*.*x`).
 * What remains backtracks at most quadratically, and the input is bounded (`REGEX_INPUT_LIMIT`).
 */

/** Longest pattern a moderator may store. */
export const REGEX_PATTERN_LIMIT = 200;
/** Regular-expression rules read at most this many characters of a message. */
export const REGEX_INPUT_LIMIT = 2_000;
/** The flags every rule is compiled with: case-insensitive, Unicode syntax. */
export const REGEX_FLAGS = 'iu';

export type RegexSafety = { safe: true } | { safe: false; reason: string };

type Ranges = readonly (readonly [number, number])[];
type Sequence = readonly RegexNode[];
type RegexNode =
  | { type: 'chars'; ranges: Ranges }
  | { type: 'group'; alternatives: readonly Sequence[] }
  | { type: 'repeat'; min: number; max: number; body: RegexNode }
  | { type: 'assertion' }
  | { type: 'backreference' };

const MAX_CODE_POINT = 0x10ffff;
const ANY: Ranges = [[0, MAX_CODE_POINT]];
const DIGIT: Ranges = [[48, 57]];
const WORD: Ranges = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
const SPACE: Ranges = [
  [9, 13],
  [32, 32],
  [160, 160],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

function normalizeRanges(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = merged.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

function complement(ranges: Ranges): Ranges {
  const result: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of normalizeRanges(ranges)) {
    if (lo > next) result.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) result.push([next, MAX_CODE_POINT]);
  return result;
}

/** ASCII letters in either case, as the `i` flag reads them (enough to compare first characters). */
function caseFolded(ranges: Ranges): Ranges {
  const extra: [number, number][] = [];
  for (const [lo, hi] of ranges) {
    for (const [from, to, shift] of [
      [65, 90, 32],
      [97, 122, -32],
    ] as const) {
      const a = Math.max(lo, from);
      const b = Math.min(hi, to);
      if (a <= b) extra.push([a + shift, b + shift]);
    }
  }
  return normalizeRanges([...ranges, ...extra]);
}

function overlap(a: Ranges, b: Ranges): boolean {
  return a.some(([lo, hi]) => b.some(([lo2, hi2]) => lo <= hi2 && lo2 <= hi));
}

class RegexSyntaxError extends Error {}

/** A recursive-descent parser over the pattern's code points. */
class Parser {
  private position = 0;
  private readonly chars: string[];

  constructor(pattern: string) {
    this.chars = [...pattern];
  }

  parse(): RegexNode {
    const node = this.alternation();
    if (this.position < this.chars.length) throw new RegexSyntaxError(`unexpected '${this.peek()}'`);
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.position + offset];
  }

  private take(): string {
    const char = this.chars[this.position++];
    if (char === undefined) throw new RegexSyntaxError('unexpected end of pattern');
    return char;
  }

  private eat(text: string): boolean {
    const found = [...text].every((char, i) => this.peek(i) === char);
    if (found) this.position += [...text].length;
    return found;
  }

  private alternation(): RegexNode {
    const alternatives: Sequence[] = [this.sequence()];
    while (this.eat('|')) alternatives.push(this.sequence());
    return { type: 'group', alternatives };
  }

  private sequence(): Sequence {
    const nodes: RegexNode[] = [];
    while (this.position < this.chars.length && this.peek() !== '|' && this.peek() !== ')') {
      nodes.push(this.quantified(this.atom()));
    }
    return nodes;
  }

  private quantified(body: RegexNode): RegexNode {
    let bounds: [number, number] | undefined;
    if (this.eat('*')) bounds = [0, Infinity];
    else if (this.eat('+')) bounds = [1, Infinity];
    else if (this.eat('?')) bounds = [0, 1];
    else if (this.peek() === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.chars.slice(this.position, this.position + 24).join(''));
      if (match) {
        this.position += match[0].length;
        const min = Number(match[1]);
        bounds = [min, match[2] === undefined ? min : match[3] ? Number(match[3]) : Infinity];
      }
    }
    if (!bounds) return body;
    this.eat('?'); // lazy or greedy backtracks alike
    return { type: 'repeat', min: bounds[0], max: bounds[1], body };
  }

  private atom(): RegexNode {
    const char = this.take();
    switch (char) {
      case '(': {
        // Lookarounds and named or non-capturing groups are matched like any group.
        if (!this.eat('?:') && !this.eat('?=') && !this.eat('?!') && !this.eat('?<=') && !this.eat('?<!')) {
          if (this.eat('?<')) while (this.take() !== '>');
        }
        const group = this.alternation();
        if (!this.eat(')')) throw new RegexSyntaxError('missing )');
        return group;
      }
      case '[':
        return { type: 'chars', ranges: this.characterClass() };
      case '.':
        return { type: 'chars', ranges: ANY };
      case '^':
      case '$':
        return { type: 'assertion' };
      case '\\':
        return this.escape();
      default:
        return { type: 'chars', ranges: [[char.codePointAt(0) ?? 0, char.codePointAt(0) ?? 0]] };
    }
  }

  private escape(): RegexNode {
    const char = this.take();
    if (char === 'b' || char === 'B') return { type: 'assertion' };
    if (/[1-9]/.test(char)) return { type: 'backreference' };
    if (char === 'k' && this.peek() === '<') return { type: 'backreference' };
    return { type: 'chars', ranges: this.escapedRanges(char) };
  }

  /** The characters an escape stands for, after the backslash and its letter were read. */
  private escapedRanges(char: string): Ranges {
    switch (char) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      case 'p':
      case 'P':
        // Unicode properties: any character, which only makes the analysis more cautious.
        while (this.take() !== '}');
        return ANY;
      case 'u':
      case 'x': {
        const braced = char === 'u' && this.eat('{');
        let hex = '';
        while (/[0-9a-f]/i.test(this.peek() ?? '') && hex.length < (braced ? 6 : char === 'u' ? 4 : 2))
          hex += this.take();
        if (braced && !this.eat('}')) throw new RegexSyntaxError('bad \\u{…} escape');
        const code = Number.parseInt(hex || '0', 16);
        return [[code, code]];
      }
      case 'c': {
        const code = (this.take().codePointAt(0) ?? 0) % 32;
        return [[code, code]];
      }
      default: {
        const controls: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, '0': 0 };
        const code = controls[char] ?? char.codePointAt(0) ?? 0;
        return [[code, code]];
      }
    }
  }

  private characterClass(): Ranges {
    const negated = this.eat('^');
    const ranges: (readonly [number, number])[] = [];
    const single = (): Ranges => {
      const char = this.take();
      if (char !== '\\') return [[char.codePointAt(0) ?? 0, char.codePointAt(0) ?? 0]];
      const escaped = this.take();
      return escaped === 'b' ? [[8, 8]] : this.escapedRanges(escaped);
    };
    while (!this.eat(']')) {
      const first = single();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined && first.length === 1) {
        this.take();
        const last = single();
        const lo = first[0]?.[0] ?? 0;
        const hi = last.at(-1)?.[1] ?? lo;
        ranges.push([lo, Math.max(lo, hi)]);
      } else ranges.push(...first);
    }
    const folded = caseFolded(normalizeRanges(ranges));
    return negated ? complement(folded) : folded;
  }
}

/** Whether the node can match the empty string. */
function nullable(node: RegexNode): boolean {
  switch (node.type) {
    case 'chars':
      return false;
    case 'group':
      return node.alternatives.some((sequence) => sequence.every(nullable));
    case 'repeat':
      return node.min === 0 || nullable(node.body);
    default:
      return true;
  }
}

/** The characters a non-empty match of the node can start with. */
function firstCharacters(node: RegexNode): Ranges {
  switch (node.type) {
    case 'chars':
      return caseFolded(node.ranges);
    case 'group':
      return normalizeRanges(node.alternatives.flatMap((sequence) => sequenceFirstCharacters(sequence)));
    case 'repeat':
      return firstCharacters(node.body);
    default:
      return [];
  }
}

function sequenceFirstCharacters(sequence: Sequence): Ranges {
  const ranges: (readonly [number, number])[] = [];
  for (const node of sequence) {
    ranges.push(...firstCharacters(node));
    if (!nullable(node)) break;
  }
  return ranges;
}

function* descendants(node: RegexNode): Generator<RegexNode> {
  yield node;
  if (node.type === 'group')
    for (const sequence of node.alternatives) for (const child of sequence) yield* descendants(child);
  if (node.type === 'repeat') yield* descendants(node.body);
}

function analyse(root: RegexNode): string | undefined {
  const nodes = [...descendants(root)];
  if (nodes.some((node) => node.type === 'backreference')) {
    return 'backreferences are not allowed (they can backtrack exponentially)';
  }
  for (const node of nodes) {
    if (node.type !== 'repeat' || node.max <= 1) continue;
    const inner = [...descendants(node.body)];
    if (inner.some((child) => child.type === 'repeat' && child.max > child.min)) {
      return 'nested quantifiers are not allowed (a repeated group contains another quantifier, e.g. (a+)+)';
    }
    for (const child of inner) {
      if (child.type !== 'group' || child.alternatives.length < 2) continue;
      const starts = child.alternatives.map(sequenceFirstCharacters);
      const clash =
        child.alternatives.some((sequence) => sequence.every(nullable)) ||
        starts.some((a, i) => starts.some((b, j) => j > i && overlap(a, b)));
      if (clash) {
        return 'overlapping alternatives under a quantifier are not allowed (e.g. (a|aa)+): make each alternative start differently';
      }
    }
  }
  const unbounded = nodes
    .filter((node): node is Extract<RegexNode, { type: 'repeat' }> => node.type === 'repeat' && node.max === Infinity)
    .map((node) => firstCharacters(node.body));
  for (let i = 0; i < unbounded.length; i++)
    for (let j = i + 1; j < unbounded.length; j++)
      for (let k = j + 1; k < unbounded.length; k++) {
        const [a = [], b = [], c = []] = [unbounded[i], unbounded[j], unbounded[k]];
        if (overlap(a, b) && overlap(b, c) && overlap(a, c)) {
          return 'at most two unbounded quantifiers over the same characters are allowed (e.g. .*.*.* backtracks polynomially)';
        }
      }
  return undefined;
}

/** Whether a moderator's pattern may be stored: valid syntax, a bounded length, and no catastrophic backtracking. */
export function checkRegexSafety(pattern: string): RegexSafety {
  if (pattern.length === 0) return { safe: false, reason: 'the pattern is empty' };
  if (pattern.length > REGEX_PATTERN_LIMIT) {
    return { safe: false, reason: `the pattern is longer than ${REGEX_PATTERN_LIMIT} characters` };
  }
  try {
    new RegExp(pattern, REGEX_FLAGS);
  } catch (error) {
    return { safe: false, reason: `not a valid regular expression: ${(error as Error).message}` };
  }
  let tree: RegexNode;
  try {
    tree = new Parser(pattern).parse();
  } catch (error) {
    return { safe: false, reason: `the pattern could not be analysed: ${(error as Error).message}` };
  }
  const problem = analyse(tree);
  return problem ? { safe: false, reason: problem } : { safe: true };
}
