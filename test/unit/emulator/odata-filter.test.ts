import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FilterExpression,
  type FilterLiteral,
  type FilterSubject,
  MAX_FILTER_LENGTH,
  MAX_FILTER_NESTING,
  matchesFilter,
  ODataFilterError,
  parseODataFilter,
} from '../../../emulator/rest/odata-filter.js';

const makeSubject = (overrides: Partial<FilterSubject> = {}): FilterSubject => ({
  connectionId: 'conn-1',
  userId: 'Bob',
  groups: new Set(['lobby', 'Room 1']),
  ...overrides,
});

const anonymous = makeSubject({ userId: undefined });

const matches = (filter: string, subject: FilterSubject = makeSubject()): boolean =>
  matchesFilter(parseODataFilter(filter), subject);

function parseError(filter: string): ODataFilterError {
  try {
    parseODataFilter(filter);
  } catch (error) {
    if (error instanceof ODataFilterError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(filter.slice(0, 60))} to be rejected`);
}

const nestedParentheses = (depth: number): string => `${'('.repeat(depth)}true${')'.repeat(depth)}`;

describe('literals', () => {
  it.each([
    ['true', true],
    ['false', false],
    ["'a' eq 'a'", true],
    ["'' eq ''", true],
    ["userId eq 'O''Brien'", false],
    ["'it''s' eq concat('it', '''s')", true],
    ["length('''''') eq 2", true],
    ['42 eq 42', true],
    ['-7 lt 0', true],
    ['0 eq -0', true],
    ['null eq null', true],
    ['true eq true', true],
    ['true ne false', true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it("unescapes '' inside strings", () => {
    expect(matches("userId eq 'O''Brien'", makeSubject({ userId: "O'Brien" }))).toBe(true);
  });
});

describe('comparison and logical operators', () => {
  it.each([
    ["userId eq 'Bob'", true],
    ["userId eq 'bob'", false],
    ["userId ne 'Bob'", false],
    ["connectionId ne 'other'", true],
    ["userId gt 'Ann'", true],
    ["userId ge 'Bob'", true],
    ["userId lt 'Bob'", false],
    ["userId le 'Bob'", true],
    ["'B' lt 'a'", true],
    ["'a' lt 'ab'", true],
    ['3 gt 2', true],
    ['3 ge 4', false],
    ['3 lt 10', true],
    ['3 le 3', true],
    ['true and true', true],
    ['true and false', false],
    ['false or true', true],
    ['false or false', false],
    ['not false', true],
    ['not true', false],
    ['true and true and false', false],
    ['false or false or true', true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });
});

describe('functions', () => {
  it.each([
    ["tolower(userId) eq 'bob'", true],
    ["toupper(userId) eq 'BOB'", true],
    ["trim('  x \t') eq 'x'", true],
    ["substring('hello', 1) eq 'ello'", true],
    ["substring('hello', 1, 3) eq 'ell'", true],
    ["substring('hello', 9) eq ''", true],
    ["substring('hello', 3, 9) eq 'lo'", true],
    ["indexof(userId, 'o') eq 1", true],
    ["indexof(userId, 'z') eq -1", true],
    ['length(userId) eq 3', true],
    ["length('') eq 0", true],
    ["startswith(userId, 'Bo')", true],
    ["startswith(userId, 'bo')", false],
    ["endswith(connectionId, '-1')", true],
    ["contains(connectionId, 'nn-')", true],
    ["contains(connectionId, 'x')", false],
    ["concat(userId, '!') eq 'Bob!'", true],
    ["concat(concat('a', 'b'), 'c') eq 'abc'", true],
    ["length(trim(concat(' ', userId))) eq 3", true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('makes the whole filter false when substring gets a negative bound at run time', () => {
    expect(matches("substring(userId, indexof(userId, 'z')) eq 'Bob'")).toBe(false);
    expect(matches("not (substring(userId, indexof(userId, 'z')) eq 'Bob')")).toBe(false);
    expect(matches("substring(userId, 0, -1) eq '' or true")).toBe(false);
  });
});

describe('in', () => {
  it.each([
    ["userId in ('Ann', 'Bob')", true],
    ["userId in ('Ann')", false],
    ["tolower(userId) in ('bob', 'carl')", true],
    ['length(userId) in (2, 3)', true],
    ["'lobby' in groups", true],
    ["'Room 1' in groups", true],
    ["'room 1' in groups", false],
    ["not ('lobby' in groups)", false],
    ["concat('lob', 'by') in groups", true],
    ["'lobby' in groups and userId in ('Bob')", true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('tests the membership form against the subject groups', () => {
    expect(matches("'vip' in groups", makeSubject({ groups: new Set(['vip']) }))).toBe(true);
    expect(matches("'vip' in groups", makeSubject({ groups: new Set() }))).toBe(false);
    expect(matches('connectionId in groups', makeSubject({ groups: new Set(['conn-1']) }))).toBe(true);
  });
});

describe('precedence and parentheses', () => {
  it.each([
    ['true or false and false', true],
    ['(true or false) and false', false],
    ['false and true or true', true],
    ['false and (true or true)', false],
    ['not false and false', false],
    ['not (false and false)', true],
    ['not true or true', true],
    ['not not true', true],
    ['true eq false eq false', true],
    ["((((userId eq 'Bob'))))", true],
    ["userId eq 'Ann' or (not (startswith(userId, 'x')))", true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('binds not tighter than comparisons, so `not userId eq ...` is a type error', () => {
    expect(parseError("not userId eq 'Bob'").message).toMatch(/expected a boolean expression but found string/);
  });

  it('flattens chains of and/or but keeps parenthesised groups', () => {
    expect(parseODataFilter('true and false and true')).toEqual({
      kind: 'and',
      operands: [
        { kind: 'literal', value: true },
        { kind: 'literal', value: false },
        { kind: 'literal', value: true },
      ],
    });
    expect(parseODataFilter('(true or false) or true')).toMatchObject({ kind: 'or', operands: [{ kind: 'or' }, {}] });
  });
});

describe('case and whitespace', () => {
  it.each([
    "USERID EQ 'Bob' AND 'lobby' IN GROUPS",
    "UserId Eq 'Bob' aNd Not (ConnectionID Ne 'conn-1')",
    "ToLower(userId) eq 'bob' and LENGTH(userId) GE 3 and StartsWith(userId, 'B')",
    'NULL eq null and TRUE eq true and not FALSE',
    "  userId\teq\n'Bob'\r\nand  length( userId )gt 1  ",
    "userId in('Bob')and'lobby'in groups",
  ])('%s', (filter) => {
    expect(matches(filter)).toBe(true);
  });
});

describe('missing userId', () => {
  it.each([
    ['userId eq null', true],
    ['userId ne null', false],
    ["userId eq 'Bob'", false],
    ["userId ne 'Bob'", true],
    ["userId gt 'a'", false],
    ["userId le 'z'", false],
    ['length(userId) eq null', true],
    ['length(userId) gt 0', false],
    ['tolower(userId) eq null', true],
    ["concat(userId, 'x') eq null", true],
    ["indexof(userId, 'x') eq null", true],
    ['substring(userId, 1) eq null', true],
    ["startswith(userId, 'B')", false],
    ["not startswith(userId, 'B')", true],
    ["contains('abc', userId)", false],
    ['userId in (null)', true],
    ["userId in ('Bob')", false],
    ["'lobby' in groups", true],
    ['userId in groups', false],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter, anonymous)).toBe(expected);
  });

  it('treats a present userId as not null', () => {
    expect(matches('userId eq null')).toBe(false);
    expect(matches('userId in (null)')).toBe(false);
  });
});

describe('errors', () => {
  it.each([
    ['unterminated string', "userId eq 'abc", /^Unterminated string literal starting at position 10/, 10],
    ['unterminated escaped quote', "userId eq 'it''", /^Unterminated string literal starting at position 10/, 10],
    [
      'unknown identifier',
      "name eq 'a'",
      /^Unknown identifier 'name' at position 0: expected userId, connectionId or groups$/,
      0,
    ],
    ['unknown function', "upper(userId) eq 'A'", /^Unknown function 'upper' at position 0: expected one of tolower/, 0],
    ['inherited name as function', "toString(userId) eq 'a'", /^Unknown function 'toString' at position 0/, 0],
    [
      'arity of length',
      "length(userId, 'x') eq 1",
      /^Function 'length' at position 0 expects 1 argument\(s\) but got 2$/,
      0,
    ],
    ['arity of substring', "substring(userId) eq 'a'", /expects 2 to 3 argument\(s\) but got 1$/, 0],
    [
      'arity of concat',
      "concat('a', 'b', 'c') eq 'abc'",
      /^Function 'concat' at position 0 expects 2 argument\(s\)/,
      0,
    ],
    ['arity of no arguments', 'trim() eq 1', /expects 1 argument\(s\) but got 0$/, 0],
    [
      'trailing tokens',
      "userId eq 'a' 'b'",
      /^Unexpected string 'b' at position 14: expected 'and', 'or' or end of filter$/,
      14,
    ],
    ['trailing parenthesis', 'true)', /^Unexpected '\)' at position 4: expected 'and', 'or' or end of filter$/, 4],
    ['missing parenthesis', '(true', /^Unexpected end of filter at position 5: expected '\)'$/, 5],
    ['empty filter', '', /^Unexpected end of filter at position 0: expected an expression$/, 0],
    ['dangling operator', "userId eq 'a' and", /^Unexpected end of filter at position 17: expected an expression$/, 17],
    ['keyword as operand', 'and eq true', /^Unexpected 'and' at position 0: expected an expression$/, 0],
    ['unexpected character', "userId == 'a'", /^Unexpected character '=' at position 7/, 7],
    ['decimal number', 'length(userId) eq 1.5', /^Unexpected character '\.' at position 19/, 19],
    [
      'integer out of range',
      'length(userId) eq 99999999999999999999',
      /^Integer 9+ at position 18 is out of range/,
      18,
    ],
    ['empty in-list', 'userId in ()', /^Unexpected '\)' at position 11: expected a literal value in the in-list$/, 11],
    [
      'expression in in-list',
      'userId in (userId)',
      /^Unexpected 'userId' at position 11: expected a literal value/,
      11,
    ],
    ['in without list', "userId in 'a'", /^Unexpected string 'a' at position 10: expected '\('$/, 10],
    ['groups as a value', "groups eq 'a'", /^Collection 'groups' at position 0 is only valid after 'in'/, 0],
    [
      'type: length of a number',
      'length(1) eq 1',
      /^Type mismatch at position 7: expected a string expression but found number$/,
      7,
    ],
    [
      'type: string gt number',
      'userId gt 1',
      /^Type mismatch at position 7: cannot compare string with number using 'gt'$/,
      7,
    ],
    ['type: ordering booleans', 'true gt false', /cannot compare boolean with boolean using 'gt'$/, 5],
    ['type: string eq boolean', 'userId eq true', /cannot compare string with boolean using 'eq'$/, 7],
    [
      'type: not of a string',
      'not userId',
      /^Type mismatch at position 4: expected a boolean expression but found string$/,
      4,
    ],
    [
      'type: and of a number',
      'true and 1',
      /^Type mismatch at position 9: expected a boolean expression but found number$/,
      9,
    ],
    [
      'type: filter is not boolean',
      'userId',
      /^Type mismatch at position 0: expected a boolean expression but found string$/,
      0,
    ],
    ['type: null filter', 'null', /expected a boolean expression but found null$/, 0],
    [
      'type: number in groups',
      '1 in groups',
      /^Type mismatch at position 0: expected a string expression but found number$/,
      0,
    ],
    [
      'type: in-list of mixed types',
      "userId in ('a', 1)",
      /^Type mismatch at position 16: expected a string value in the in-list but found number$/,
      16,
    ],
    ['type: substring index', "substring(userId, 'a') eq 'b'", /expected a number expression but found string$/, 18],
    ['too deep', nestedParentheses(MAX_FILTER_NESTING + 1), /^Filter nests deeper than 64 levels at position 64/, 64],
    [
      'too deep with not',
      `${'not '.repeat(MAX_FILTER_NESTING + 1)}true`,
      /^Filter nests deeper than 64 levels at position 256/,
      256,
    ],
    [
      'too deep with calls',
      `${'trim('.repeat(MAX_FILTER_NESTING + 1)}userId${')'.repeat(MAX_FILTER_NESTING + 1)} eq 'a'`,
      /^Filter nests deeper than 64 levels/,
      324,
    ],
    [
      'too long',
      `userId eq '${'x'.repeat(MAX_FILTER_LENGTH)}'`,
      /^Filter too long at position 4096: expected at most 4096 characters but found 4108$/,
      4096,
    ],
  ])('%s', (_name, filter, message, position) => {
    const error = parseError(filter);
    expect(error).toBeInstanceOf(ODataFilterError);
    expect(error.name).toBe('ODataFilterError');
    expect(error.message).toMatch(message);
    expect(error.position).toBe(position);
  });

  it('accepts the limits themselves', () => {
    expect(matches(nestedParentheses(MAX_FILTER_NESTING))).toBe(true);
    const longest = `userId ne '${'x'.repeat(MAX_FILTER_LENGTH - 12)}'`;
    expect(longest).toHaveLength(MAX_FILTER_LENGTH);
    expect(matches(longest)).toBe(true);
  });

  it('survives hostile input within the length limit without overflowing the stack', () => {
    expect(parseError('('.repeat(MAX_FILTER_LENGTH)).message).toMatch(/deeper than 64/);
    expect(parseError('not '.repeat(MAX_FILTER_LENGTH / 4)).message).toMatch(/deeper than 64/);
    const longChain = `true${' eq true'.repeat(Math.floor((MAX_FILTER_LENGTH - 4) / 8))}`;
    expect(matches(longChain)).toBe(true);
    expect(matches(`true${' and true'.repeat(400)}`)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties: random well-typed ASTs printed as text parse back to the same AST; arbitrary text never crashes.

const ALPHABET = ['a', 'B', "'", ' ', '1', 'é'];
const shortText = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 3 });
const literal = (value: fc.Arbitrary<FilterLiteral>): fc.Arbitrary<FilterExpression> =>
  value.map((v) => ({ kind: 'literal', value: v }));
const comparisonOperator = fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le' as const);

const { booleanExpression } = fc.letrec<{
  booleanExpression: FilterExpression;
  stringExpression: FilterExpression;
  numberExpression: FilterExpression;
}>((tie) => {
  const depth = { maxDepth: 3, depthIdentifier: 'filter' };
  const str = tie('stringExpression');
  const num = tie('numberExpression');
  const bool = tie('booleanExpression');
  const call = (name: string, args: fc.Arbitrary<FilterExpression>[]): fc.Arbitrary<FilterExpression> =>
    fc.tuple(...args).map((a) => ({ kind: 'call', name, args: a }) as FilterExpression);
  const compare = (
    operator: fc.Arbitrary<string>,
    side: fc.Arbitrary<FilterExpression>,
  ): fc.Arbitrary<FilterExpression> =>
    fc.record({ kind: fc.constant('compare'), operator, left: side, right: side }) as fc.Arbitrary<FilterExpression>;
  return {
    booleanExpression: fc.oneof(
      depth,
      literal(fc.boolean()),
      fc.record({ kind: fc.constant('not'), operand: bool }),
      fc.record({
        kind: fc.constantFrom('and', 'or' as const),
        operands: fc.array(bool, { minLength: 2, maxLength: 3 }),
      }),
      compare(comparisonOperator, str),
      compare(comparisonOperator, num),
      compare(fc.constantFrom('eq', 'ne'), bool),
      fc.record({
        kind: fc.constant('inList'),
        item: str,
        values: fc.array(fc.option(shortText), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('inGroups'), item: str }),
      fc.constantFrom('startswith', 'endswith', 'contains').chain((name) => call(name, [str, str])),
    ) as fc.Arbitrary<FilterExpression>,
    stringExpression: fc.oneof(
      depth,
      literal(shortText),
      fc.constantFrom<FilterExpression>(
        { kind: 'field', field: 'userId' },
        { kind: 'field', field: 'connectionId' },
        { kind: 'literal', value: null },
      ),
      fc.constantFrom('tolower', 'toupper', 'trim').chain((name) => call(name, [str])),
      call('substring', [str, num]),
      call('substring', [str, num, num]),
      call('concat', [str, str]),
    ),
    numberExpression: fc.oneof(
      depth,
      literal(fc.integer({ min: -2, max: 5 })),
      call('length', [str]),
      call('indexof', [str, str]),
    ),
  };
});

/** Prints any AST as filter text, parenthesising every operand so the printed shape is exactly the AST's. */
function printFilter(expr: FilterExpression, keyword: (word: string) => string, space: string): string {
  const print = (e: FilterExpression) => printFilter(e, keyword, space);
  const printLiteral = (value: FilterLiteral) =>
    typeof value === 'string'
      ? `'${value.replaceAll("'", "''")}'`
      : typeof value === 'number'
        ? `${value}`
        : keyword(`${value}`);
  const infix = (left: string, operator: string, right: string) =>
    `(${left})${space}${keyword(operator)}${space}${right}`;
  switch (expr.kind) {
    case 'literal':
      return printLiteral(expr.value);
    case 'field':
      return keyword(expr.field);
    case 'not':
      return `${keyword('not')}${space}(${print(expr.operand)})`;
    case 'and':
    case 'or':
      return expr.operands.map((operand) => `(${print(operand)})`).join(`${space}${keyword(expr.kind)}${space}`);
    case 'compare':
      return infix(print(expr.left), expr.operator, `(${print(expr.right)})`);
    case 'inList':
      return infix(print(expr.item), 'in', `(${expr.values.map(printLiteral).join(`,${space}`)})`);
    case 'inGroups':
      return infix(print(expr.item), 'in', keyword('groups'));
    case 'call':
      return `${keyword(expr.name)}(${expr.args.map(print).join(`,${space}`)})`;
  }
}

const keywordStyle = fc.constantFrom(
  (word: string) => word,
  (word: string) => word.toUpperCase(),
  (word: string) => word.replace(/^./, (first) => first.toUpperCase()),
);
const subject = fc.record({
  connectionId: shortText,
  userId: fc.option(shortText, { nil: undefined }),
  groups: fc.uniqueArray(shortText, { maxLength: 3 }).map((groups) => new Set(groups)),
});

describe('properties', () => {
  it('parses printed random ASTs back to the same AST, whatever the keyword case and spacing', () => {
    fc.assert(
      fc.property(booleanExpression, keywordStyle, fc.constantFrom(' ', '  ', '\t', '\n '), (expr, keyword, space) => {
        expect(parseODataFilter(printFilter(expr, keyword, space))).toEqual(expr);
      }),
      { numRuns: 400 },
    );
  });

  const tokenSoup = fc
    .array(
      fc.constantFrom(
        ...['userId', 'connectionId', 'groups', 'eq', 'ne', 'gt', 'le', 'and', 'or', 'not', 'in', 'null', 'true'],
        ...['(', ')', ',', "'a'", "'", "''", '1', '-2', 'length', 'substring', 'concat', 'tolower', 'foo', ' '],
      ),
      { maxLength: 24 },
    )
    .map((tokens) => tokens.join(' '));

  it('never throws anything but ODataFilterError, and accepted filters evaluate to a boolean', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), tokenSoup), subject, (text, s) => {
        let parsed: FilterExpression;
        try {
          parsed = parseODataFilter(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ODataFilterError);
          return;
        }
        expect(typeof matchesFilter(parsed, s)).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
