/**
 * The OData `filter` query parameter of Azure Web PubSub (docs: reference-odata-filter).
 * A tokenizer and a precedence-climbing parser build a typed AST once; `matchesFilter` interprets it per connection.
 */

export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_NESTING = 64;

export type FilterField = 'userId' | 'connectionId';
export type FilterLiteral = string | number | boolean | null;
export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterFunctionName =
  | 'tolower'
  | 'toupper'
  | 'trim'
  | 'substring'
  | 'indexof'
  | 'length'
  | 'startswith'
  | 'endswith'
  | 'contains'
  | 'concat';

export type FilterExpression =
  | { readonly kind: 'literal'; readonly value: FilterLiteral }
  | { readonly kind: 'field'; readonly field: FilterField }
  | { readonly kind: 'not'; readonly operand: FilterExpression }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly FilterExpression[] }
  | {
      readonly kind: 'compare';
      readonly operator: ComparisonOperator;
      readonly left: FilterExpression;
      readonly right: FilterExpression;
    }
  | { readonly kind: 'inList'; readonly item: FilterExpression; readonly values: readonly FilterLiteral[] }
  | { readonly kind: 'inGroups'; readonly item: FilterExpression }
  | { readonly kind: 'call'; readonly name: FilterFunctionName; readonly args: readonly FilterExpression[] };

export interface FilterSubject {
  readonly connectionId: string;
  readonly userId?: string;
  readonly groups: ReadonlySet<string>;
}

/** A filter the service would reject with 400; `position` is the 0-based offset in the filter text. */
export class ODataFilterError extends Error {
  override readonly name = 'ODataFilterError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

export function parseODataFilter(text: string): FilterExpression {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new ODataFilterError(
      `Filter too long at position ${MAX_FILTER_LENGTH}: expected at most ${MAX_FILTER_LENGTH} characters but found ${text.length}`,
      MAX_FILTER_LENGTH,
    );
  }
  return new FilterParser(tokenize(text)).parseFilter();
}

export function matchesFilter(expr: FilterExpression, subject: FilterSubject): boolean {
  try {
    return evaluate(expr, subject) === true;
  } catch (error) {
    if (error instanceof FilterEvaluationError) return false;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

type Token =
  | { readonly kind: 'string'; readonly value: string; readonly position: number }
  | { readonly kind: 'integer'; readonly value: number; readonly position: number }
  | { readonly kind: 'name'; readonly value: string; readonly lower: string; readonly position: number }
  | { readonly kind: '(' | ')' | ',' | 'end'; readonly position: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    const start = index;
    if (isWhitespace(code)) {
      index++;
    } else if (code === 0x28 || code === 0x29 || code === 0x2c) {
      tokens.push({ kind: text[index] as '(' | ')' | ',', position: index });
      index++;
    } else if (code === 0x27) {
      let value = '';
      index++;
      for (;;) {
        const quote = text.indexOf("'", index);
        if (quote < 0) {
          throw new ODataFilterError(
            `Unterminated string literal starting at position ${start}: expected a closing quote (')`,
            start,
          );
        }
        value += text.slice(index, quote);
        index = quote + 1;
        if (text.charCodeAt(index) !== 0x27) break;
        value += "'";
        index++;
      }
      tokens.push({ kind: 'string', value, position: start });
    } else if (isDigit(code) || (code === 0x2d && isDigit(text.charCodeAt(index + 1)))) {
      index++;
      while (isDigit(text.charCodeAt(index))) index++;
      const value = Number(text.slice(start, index));
      if (!Number.isSafeInteger(value)) {
        throw new ODataFilterError(
          `Integer ${text.slice(start, index)} at position ${start} is out of range: expected at most 2^53-1 in magnitude`,
          start,
        );
      }
      tokens.push({ kind: 'integer', value, position: start });
    } else if (isNameStart(code)) {
      index++;
      while (isNameStart(text.charCodeAt(index)) || isDigit(text.charCodeAt(index))) index++;
      const value = text.slice(start, index);
      tokens.push({ kind: 'name', value, lower: value.toLowerCase(), position: start });
    } else {
      throw new ODataFilterError(
        `Unexpected character '${text[index]}' at position ${start}: expected a string, integer, name, parenthesis or comma`,
        start,
      );
    }
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

function describeToken(token: Token): string {
  switch (token.kind) {
    case 'string':
      return `string '${token.value.replaceAll("'", "''")}'`;
    case 'integer':
      return `integer ${token.value}`;
    case 'name':
      return `'${token.value}'`;
    case 'end':
      return 'end of filter';
    default:
      return `'${token.kind}'`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

type ValueType = 'string' | 'number' | 'boolean' | 'null';

/** An expression with the static type the parser inferred for it and where it starts, for type errors. */
interface TypedExpression {
  readonly expression: FilterExpression;
  readonly type: ValueType;
  readonly position: number;
}

interface FunctionSignature {
  readonly parameters: readonly ValueType[];
  readonly requiredCount: number;
  readonly result: ValueType;
}

const stringFunction = (parameters: readonly ValueType[], result: ValueType): FunctionSignature => ({
  parameters,
  requiredCount: parameters.length,
  result,
});

// A Map, not an object literal, so names such as 'constructor' or 'tostring' are unknown rather than inherited.
const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map<FilterFunctionName, FunctionSignature>([
  ['tolower', stringFunction(['string'], 'string')],
  ['toupper', stringFunction(['string'], 'string')],
  ['trim', stringFunction(['string'], 'string')],
  ['substring', { parameters: ['string', 'number', 'number'], requiredCount: 2, result: 'string' }],
  ['indexof', stringFunction(['string', 'string'], 'number')],
  ['length', stringFunction(['string'], 'number')],
  ['startswith', stringFunction(['string', 'string'], 'boolean')],
  ['endswith', stringFunction(['string', 'string'], 'boolean')],
  ['contains', stringFunction(['string', 'string'], 'boolean')],
  ['concat', stringFunction(['string', 'string'], 'string')],
]);

const FIELDS: ReadonlyMap<string, FilterField> = new Map([
  ['userid', 'userId'],
  ['connectionid', 'connectionId'],
]);

type BinaryOperator = 'or' | 'and' | 'in' | ComparisonOperator;

/** Higher binds tighter; `not` binds tighter than all of these and is handled as a prefix. */
const PRECEDENCE: ReadonlyMap<string, number> = new Map<BinaryOperator, number>([
  ['or', 1],
  ['and', 2],
  ['eq', 3],
  ['ne', 3],
  ['gt', 3],
  ['ge', 3],
  ['lt', 3],
  ['le', 3],
  ['in', 3],
]);

const LITERAL_KEYWORDS: ReadonlyMap<string, boolean | null> = new Map([
  ['null', null],
  ['true', true],
  ['false', false],
]);

class FilterParser {
  private index = 0;
  private nesting = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseFilter(): FilterExpression {
    const filter = this.requireType(this.parseExpression(0), 'boolean');
    const trailing = this.peek();
    if (trailing.kind !== 'end') {
      throw this.unexpected(trailing, "'and', 'or' or end of filter");
    }
    return filter.expression;
  }

  private parseExpression(minPrecedence: number): TypedExpression {
    let left = this.parseUnary();
    for (;;) {
      const token = this.peek();
      const operator = token.kind === 'name' ? token.lower : '';
      const precedence = PRECEDENCE.get(operator);
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.index++;
      if (operator === 'and' || operator === 'or') {
        const operands = [this.requireType(left, 'boolean').expression];
        do {
          operands.push(this.requireType(this.parseExpression(precedence + 1), 'boolean').expression);
        } while (this.acceptName(operator));
        left = { expression: { kind: operator, operands }, type: 'boolean', position: left.position };
      } else if (operator === 'in') {
        left = this.parseIn(left);
      } else {
        left = this.comparison(operator as ComparisonOperator, left, this.parseExpression(precedence + 1), token);
      }
    }
  }

  private parseUnary(): TypedExpression {
    const token = this.peek();
    if (token.kind === 'name' && token.lower === 'not') {
      this.index++;
      this.enter(token);
      const operand = this.requireType(this.parseUnary(), 'boolean');
      this.nesting--;
      return { expression: { kind: 'not', operand: operand.expression }, type: 'boolean', position: token.position };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): TypedExpression {
    const token = this.next();
    const { position } = token;
    switch (token.kind) {
      case 'string':
        return { expression: { kind: 'literal', value: token.value }, type: 'string', position };
      case 'integer':
        return { expression: { kind: 'literal', value: token.value }, type: 'number', position };
      case '(': {
        this.enter(token);
        const inner = this.parseExpression(0);
        this.expect(')');
        this.nesting--;
        return inner;
      }
      case 'name':
        return this.parseName(token);
      default:
        throw this.unexpected(token, 'an expression');
    }
  }

  private parseName(token: Extract<Token, { kind: 'name' }>): TypedExpression {
    const { position } = token;
    const literal = LITERAL_KEYWORDS.get(token.lower);
    if (literal !== undefined) {
      const type = literal === null ? 'null' : 'boolean';
      return { expression: { kind: 'literal', value: literal }, type, position };
    }
    const field = FIELDS.get(token.lower);
    if (field) return { expression: { kind: 'field', field }, type: 'string', position };
    if (token.lower === 'groups') {
      throw new ODataFilterError(
        `Collection 'groups' at position ${position} is only valid after 'in': expected a string, integer, field or function call`,
        position,
      );
    }
    if (PRECEDENCE.has(token.lower) || token.lower === 'not') throw this.unexpected(token, 'an expression');
    if (this.peek().kind === '(') return this.parseCall(token);
    throw new ODataFilterError(
      `Unknown identifier '${token.value}' at position ${position}: expected userId, connectionId or groups`,
      position,
    );
  }

  private parseCall(token: Extract<Token, { kind: 'name' }>): TypedExpression {
    const { position } = token;
    const signature = FUNCTIONS.get(token.lower);
    if (!signature) {
      throw new ODataFilterError(
        `Unknown function '${token.value}' at position ${position}: expected one of ${[...FUNCTIONS.keys()].join(', ')}`,
        position,
      );
    }
    const name = token.lower as FilterFunctionName;
    const open = this.next();
    this.enter(open);
    const args: TypedExpression[] = [];
    if (this.peek().kind !== ')') {
      do args.push(this.parseExpression(0));
      while (this.accept(','));
    }
    this.expect(')');
    this.nesting--;
    const { parameters, requiredCount } = signature;
    if (args.length < requiredCount || args.length > parameters.length) {
      const expected =
        requiredCount === parameters.length ? `${requiredCount}` : `${requiredCount} to ${parameters.length}`;
      throw new ODataFilterError(
        `Function '${name}' at position ${position} expects ${expected} argument(s) but got ${args.length}`,
        position,
      );
    }
    // The arity check above guarantees a parameter type for every argument.
    const checked = args.map((arg, i) => this.requireType(arg, parameters[i] as ValueType).expression);
    return { expression: { kind: 'call', name, args: checked }, type: signature.result, position };
  }

  private parseIn(item: TypedExpression): TypedExpression {
    const position = item.position;
    const target = this.peek();
    if (target.kind === 'name' && target.lower === 'groups') {
      this.index++;
      const checked = this.requireType(item, 'string');
      return { expression: { kind: 'inGroups', item: checked.expression }, type: 'boolean', position };
    }
    this.expect('(');
    const values: FilterLiteral[] = [];
    do values.push(this.parseListValue(item));
    while (this.accept(','));
    this.expect(')');
    return { expression: { kind: 'inList', item: item.expression, values }, type: 'boolean', position };
  }

  private parseListValue(item: TypedExpression): FilterLiteral {
    const token = this.next();
    const literal =
      token.kind === 'string' || token.kind === 'integer'
        ? token.value
        : token.kind === 'name'
          ? LITERAL_KEYWORDS.get(token.lower)
          : undefined;
    if (literal === undefined) throw this.unexpected(token, 'a literal value in the in-list');
    const type: ValueType = literal === null ? 'null' : (typeof literal as ValueType);
    if (!compatible(item.type, type)) {
      throw new ODataFilterError(
        `Type mismatch at position ${token.position}: expected a ${item.type} value in the in-list but found ${type}`,
        token.position,
      );
    }
    return literal;
  }

  private comparison(
    operator: ComparisonOperator,
    left: TypedExpression,
    right: TypedExpression,
    token: Token,
  ): TypedExpression {
    const ordering = operator !== 'eq' && operator !== 'ne';
    if (!compatible(left.type, right.type) || (ordering && (left.type === 'boolean' || right.type === 'boolean'))) {
      throw new ODataFilterError(
        `Type mismatch at position ${token.position}: cannot compare ${left.type} with ${right.type} using '${operator}'`,
        token.position,
      );
    }
    return {
      expression: { kind: 'compare', operator, left: left.expression, right: right.expression },
      type: 'boolean',
      position: left.position,
    };
  }

  private requireType(typed: TypedExpression, type: ValueType): TypedExpression {
    // null stands in for any scalar except where a real boolean is needed (not/and/or and the filter itself).
    if (typed.type === type || (typed.type === 'null' && type !== 'boolean')) return typed;
    throw new ODataFilterError(
      `Type mismatch at position ${typed.position}: expected a ${type} expression but found ${typed.type}`,
      typed.position,
    );
  }

  private enter(token: Token): void {
    if (++this.nesting > MAX_FILTER_NESTING) {
      throw new ODataFilterError(
        `Filter nests deeper than ${MAX_FILTER_NESTING} levels at position ${token.position}: expected fewer parentheses, 'not' or function calls`,
        token.position,
      );
    }
  }

  private peek(): Token {
    // The tokenizer always ends with an 'end' token and the parser never advances past it.
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private accept(kind: '(' | ')' | ','): boolean {
    if (this.peek().kind !== kind) return false;
    this.index++;
    return true;
  }

  private acceptName(lower: string): boolean {
    const token = this.peek();
    if (token.kind !== 'name' || token.lower !== lower) return false;
    this.index++;
    return true;
  }

  private expect(kind: '(' | ')'): void {
    const token = this.peek();
    if (token.kind !== kind) throw this.unexpected(token, `'${kind}'`);
    this.index++;
  }

  private unexpected(token: Token, expected: string): ODataFilterError {
    return new ODataFilterError(
      `Unexpected ${describeToken(token)} at position ${token.position}: expected ${expected}`,
      token.position,
    );
  }
}

function compatible(left: ValueType, right: ValueType): boolean {
  return left === right || left === 'null' || right === 'null';
}

// ---------------------------------------------------------------------------------------------------------------
// Interpreter

/** A value outside a function's domain (a negative substring bound); the whole filter then evaluates to false. */
class FilterEvaluationError extends Error {}

function evaluate(expr: FilterExpression, subject: FilterSubject): FilterLiteral {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'field':
      return expr.field === 'userId' ? (subject.userId ?? null) : subject.connectionId;
    case 'not':
      return evaluate(expr.operand, subject) !== true;
    case 'and':
      for (const operand of expr.operands) if (evaluate(operand, subject) !== true) return false;
      return true;
    case 'or':
      for (const operand of expr.operands) if (evaluate(operand, subject) === true) return true;
      return false;
    case 'compare':
      return compare(expr.operator, evaluate(expr.left, subject), evaluate(expr.right, subject));
    case 'inList':
      return expr.values.includes(evaluate(expr.item, subject));
    case 'inGroups': {
      const item = evaluate(expr.item, subject);
      return typeof item === 'string' && subject.groups.has(item);
    }
    case 'call':
      return call(
        expr.name,
        expr.args.map((arg) => evaluate(arg, subject)),
      );
  }
}

/** Strings compare ordinally (UTF-16 code units, as .NET's String.CompareOrdinal); an ordering with null is false. */
function compare(operator: ComparisonOperator, left: FilterLiteral, right: FilterLiteral): boolean {
  switch (operator) {
    case 'eq':
      return left === right;
    case 'ne':
      return left !== right;
  }
  if (left === null || right === null) return false;
  switch (operator) {
    case 'gt':
      return left > right;
    case 'ge':
      return left >= right;
    case 'lt':
      return left < right;
    case 'le':
      return left <= right;
  }
}

/** Null arguments propagate to a null result, except the predicates, which are false for null. */
function call(name: FilterFunctionName, args: readonly FilterLiteral[]): FilterLiteral {
  const [first, second, third] = args;
  if (typeof first !== 'string')
    return name === 'startswith' || name === 'endswith' || name === 'contains' ? false : null;
  switch (name) {
    case 'tolower':
      return first.toLowerCase();
    case 'toupper':
      return first.toUpperCase();
    case 'trim':
      return first.trim();
    case 'length':
      return first.length;
    case 'substring':
      return substring(first, second, third);
  }
  if (typeof second !== 'string') return name === 'indexof' || name === 'concat' ? null : false;
  switch (name) {
    case 'indexof':
      return first.indexOf(second);
    case 'startswith':
      return first.startsWith(second);
    case 'endswith':
      return first.endsWith(second);
    case 'contains':
      return first.includes(second);
    case 'concat':
      return first + second;
  }
}

/** OData: a start past the end gives ''; a length past the end is clamped; negative bounds are out of domain. */
function substring(text: string, start: FilterLiteral | undefined, count: FilterLiteral | undefined): string | null {
  if (typeof start !== 'number' || count === null) return null;
  if (start < 0 || (typeof count === 'number' && count < 0)) throw new FilterEvaluationError();
  return typeof count === 'number' ? text.slice(start, start + count) : text.slice(start);
}
