import { graphError } from './errors';
import { sortableTimestamp } from './time';

/**
 * The slice of OData v4.01 URL conventions Graph offers on the emulated endpoints: `$filter` comparisons joined by
 * `and`/`or` (with parentheses), `$orderby`, `$expand` with nested `$filter`/`$orderby`, and the paging options.
 * Each endpoint declares which properties support which operators; anything else is Graph's 400.
 */

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const OPERATORS: readonly ComparisonOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
export const EQUALITY: readonly ComparisonOperator[] = ['eq', 'ne'];
export const EQ_ONLY: readonly ComparisonOperator[] = ['eq'];
export const ALL_COMPARISONS = OPERATORS;

export interface PropertySpec<T> {
  type: 'string' | 'number' | 'datetime' | 'boolean';
  filter: readonly ComparisonOperator[];
  orderBy: boolean;
  get(item: T): string | number | boolean | null | undefined;
}
export type EntitySchema<T> = { name: string; properties: Record<string, PropertySpec<T>> };

type Value = string | number | boolean | null;
export type FilterExpression =
  | { kind: 'compare'; property: string; operator: ComparisonOperator; value: Value }
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression };
export interface OrderBy {
  property: string;
  descending: boolean;
}

type Token = { kind: 'string' | 'word' | 'open' | 'close'; text: string; position: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'open' : 'close', text: ch, position: i });
      i += 1;
    } else if (ch === "'") {
      // OData string literal: a quote inside is written twice.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw graphError.badRequest(`Invalid $filter: unterminated string literal at position ${i}.`);
        const c = text.charAt(j);
        if (c === "'") {
          if (text.charAt(j + 1) === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += c;
        j += 1;
      }
      tokens.push({ kind: 'string', text: value, position: i });
      i = j + 1;
    } else {
      const match = /^[^\s()']+/.exec(text.slice(i));
      const word = match?.[0] ?? ch;
      tokens.push({ kind: 'word', text: word, position: i });
      i += word.length;
    }
  }
  return tokens;
}

function resolveProperty<T>(schema: EntitySchema<T>, name: string, option: string): [string, PropertySpec<T>] {
  const key = Object.keys(schema.properties).find((k) => k.toLowerCase() === name.toLowerCase());
  const spec = key === undefined ? undefined : schema.properties[key];
  if (key === undefined || spec === undefined) {
    throw graphError.unsupportedQuery(
      `${option}: property '${name}' is not supported on ${schema.name}; supported: ${Object.keys(schema.properties).join(', ')}.`,
    );
  }
  return [key, spec];
}

function literalFor(spec: PropertySpec<unknown>, token: Token, property: string): Value {
  const where = `Invalid $filter value for '${property}' at position ${token.position}`;
  if (token.kind === 'word' && token.text === 'null') return null;
  switch (spec.type) {
    case 'string':
      if (token.kind !== 'string') throw graphError.badRequest(`${where}: expected a single-quoted string, got ${token.text}.`);
      return token.text;
    case 'number': {
      const n = Number(token.text);
      if (token.kind !== 'word' || !/^-?\d+(\.\d+)?$/.test(token.text) || !Number.isFinite(n)) {
        throw graphError.badRequest(`${where}: expected a number, got ${token.text}.`);
      }
      return n;
    }
    case 'datetime': {
      const sortable = token.kind === 'word' ? sortableTimestamp(token.text) : undefined;
      if (sortable === undefined) throw graphError.badRequest(`${where}: expected an unquoted ISO 8601 DateTimeOffset, got ${token.text}.`);
      return sortable;
    }
    case 'boolean':
      if (token.kind !== 'word' || (token.text !== 'true' && token.text !== 'false')) {
        throw graphError.badRequest(`${where}: expected true or false, got ${token.text}.`);
      }
      return token.text === 'true';
  }
}

export function parseFilter<T>(text: string, schema: EntitySchema<T>): FilterExpression {
  const tokens = tokenize(text);
  let index = 0;
  const peek = (): Token | undefined => tokens[index];
  const next = (what: string): Token => {
    const token = tokens[index];
    if (token === undefined) throw graphError.badRequest(`Invalid $filter '${text}': expected ${what} but the expression ended.`);
    index += 1;
    return token;
  };
  const isKeyword = (token: Token | undefined, word: string): boolean => token?.kind === 'word' && token.text.toLowerCase() === word;

  const parsePrimary = (): FilterExpression => {
    const token = next('a comparison');
    if (token.kind === 'open') {
      const inner = parseOr();
      if (next("')'").kind !== 'close') throw graphError.badRequest(`Invalid $filter '${text}': expected ')'.`);
      return inner;
    }
    if (token.kind !== 'word' || !/^[A-Za-z_][\w.]*$/.test(token.text)) {
      throw graphError.badRequest(`Invalid $filter '${text}': expected a property name at position ${token.position}.`);
    }
    const [property, spec] = resolveProperty(schema, token.text, '$filter');
    const opToken = next('an operator');
    const operator = OPERATORS.find((op) => op === opToken.text.toLowerCase());
    if (operator === undefined || opToken.kind !== 'word') {
      throw graphError.unsupportedQuery(`Invalid $filter '${text}': unsupported operator '${opToken.text}' (supported: ${spec.filter.join(', ')}).`);
    }
    if (spec.filter.length === 0) throw graphError.unsupportedQuery(`$filter is not supported on '${property}' of ${schema.name}.`);
    if (!spec.filter.includes(operator)) {
      throw graphError.unsupportedQuery(`$filter: operator '${operator}' is not supported on '${property}' (supported: ${spec.filter.join(', ')}).`);
    }
    return { kind: 'compare', property, operator, value: literalFor(spec, next('a value'), property) };
  };
  const parseAnd = (): FilterExpression => {
    let left = parsePrimary();
    while (isKeyword(peek(), 'and')) {
      index += 1;
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  };
  function parseOr(): FilterExpression {
    let left = parseAnd();
    while (isKeyword(peek(), 'or')) {
      index += 1;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }
  const expression = parseOr();
  const rest = peek();
  if (rest !== undefined) throw graphError.badRequest(`Invalid $filter '${text}': unexpected '${rest.text}' at position ${rest.position}.`);
  return expression;
}

function normalized<T>(spec: PropertySpec<T>, item: T): Value {
  const raw = spec.get(item);
  if (raw === undefined || raw === null) return null;
  if (spec.type === 'datetime' && typeof raw === 'string') return sortableTimestamp(raw) ?? raw;
  return raw;
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function matchesFilter<T>(expression: FilterExpression, item: T, schema: EntitySchema<T>): boolean {
  if (expression.kind !== 'compare') {
    const left = matchesFilter(expression.left, item, schema);
    return expression.kind === 'and' ? left && matchesFilter(expression.right, item, schema) : left || matchesFilter(expression.right, item, schema);
  }
  const spec = schema.properties[expression.property];
  if (spec === undefined) return false;
  const actual = normalized(spec, item);
  const expected = expression.value;
  // Graph compares strings case-insensitively (UPNs, enum names).
  const c = compare(actual, expected);
  switch (expression.operator) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return actual !== null && c > 0;
    case 'ge':
      return actual !== null && c >= 0;
    case 'lt':
      return actual !== null && c < 0;
    case 'le':
      return actual !== null && c <= 0;
  }
}

export function parseOrderBy<T>(text: string, schema: EntitySchema<T>): OrderBy[] {
  return text.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    const [name = '', direction = 'asc', ...rest] = words;
    if (name === '' || rest.length > 0 || !['asc', 'desc'].includes(direction.toLowerCase())) {
      throw graphError.badRequest(`Invalid $orderby '${text}': expected 'property [asc|desc]' items separated by commas.`);
    }
    const [property, spec] = resolveProperty(schema, name, '$orderby');
    if (!spec.orderBy) throw graphError.unsupportedQuery(`$orderby is not supported on '${property}' of ${schema.name}.`);
    return { property, descending: direction.toLowerCase() === 'desc' };
  });
}

export function sortItems<T>(items: T[], orderBy: readonly OrderBy[], schema: EntitySchema<T>): T[] {
  if (orderBy.length === 0) return items;
  return [...items].sort((a, b) => {
    for (const { property, descending } of orderBy) {
      const spec = schema.properties[property];
      if (spec === undefined) continue;
      const c = compare(normalized(spec, a), normalized(spec, b));
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  });
}

/** Splits `a;b` or `a,b` at top level (not inside quotes or parentheses). */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inQuote = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") inQuote = !inQuote;
    else if (!inQuote && ch === '(') depth += 1;
    else if (!inQuote && ch === ')') depth -= 1;
    if (!inQuote && depth === 0 && ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}
