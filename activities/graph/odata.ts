/**
 * The one builder of OData query text (OData v4.01 URL conventions; shared/graph-api.md §6). Values become literals
 * here and only here: strings single-quoted with `'` doubled (`'O''Brien'`), the whole option value percent-encoded.
 * Callers compose expressions from these helpers, never by pasting values into strings.
 */

/** A filter or orderby expression already rendered by this module. Branded so raw strings cannot slip in. */
export type ODataExpression = string & { readonly __odata: unique symbol };

export type ODataValue = string | number | boolean | Date | null | ODataEnum;

/** An enum member (Graph accepts them as quoted names): `status eq 'active'`. */
export interface ODataEnum {
  readonly enumMember: string;
}

export const odataEnum = (member: string): ODataEnum => ({ enumMember: member });

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

function property(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not an OData property path`);
  return name;
}

export function odataLiteral(value: ODataValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} cannot be an OData literal`);
    return String(value);
  }
  // DateTimeOffset literals are unquoted ISO 8601.
  if (value instanceof Date) return value.toISOString();
  return odataLiteral(value.enumMember);
}

type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export function compare(name: string, op: Comparison, value: ODataValue): ODataExpression {
  return `${property(name)} ${op} ${odataLiteral(value)}` as ODataExpression;
}

export const eq = (name: string, value: ODataValue): ODataExpression => compare(name, 'eq', value);

export function and(...parts: ODataExpression[]): ODataExpression {
  if (parts.length === 0) throw new Error('and() needs at least one expression');
  return (parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' and ')) as ODataExpression;
}

export function or(...parts: ODataExpression[]): ODataExpression {
  if (parts.length === 0) throw new Error('or() needs at least one expression');
  return (parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' or ')) as ODataExpression;
}

export function orderBy(name: string, direction: 'asc' | 'desc' = 'asc'): ODataExpression {
  return `${property(name)} ${direction}` as ODataExpression;
}

export interface ODataQueryOptions {
  filter?: ODataExpression;
  orderBy?: ODataExpression | ODataExpression[];
  expand?: ODataExpand | ODataExpand[];
  select?: string[];
  top?: number;
}

/** `$expand=files($filter=...;$orderby=...)`: nested options are `;`-separated inside parentheses. */
export interface ODataExpand {
  property: string;
  filter?: ODataExpression;
  orderBy?: ODataExpression | ODataExpression[];
  select?: string[];
  top?: number;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function renderExpand(expand: ODataExpand): string {
  const nested = renderOptions(expand).map(([k, v]) => `${k}=${v}`);
  return nested.length === 0 ? property(expand.property) : `${property(expand.property)}(${nested.join(';')})`;
}

function renderOptions(o: Omit<ODataQueryOptions, 'expand'> & { expand?: ODataExpand | ODataExpand[] }): [string, string][] {
  const out: [string, string][] = [];
  if (o.filter !== undefined) out.push(['$filter', o.filter]);
  const orders = list(o.orderBy);
  if (orders.length > 0) out.push(['$orderby', orders.join(',')]);
  const expands = list(o.expand);
  if (expands.length > 0) out.push(['$expand', expands.map(renderExpand).join(',')]);
  if (o.select !== undefined && o.select.length > 0) out.push(['$select', o.select.map(property).join(',')]);
  if (o.top !== undefined) {
    if (!Number.isInteger(o.top) || o.top < 1) throw new Error(`$top must be a positive whole number, got ${o.top}`);
    out.push(['$top', String(o.top)]);
  }
  return out;
}

/**
 * Percent-encodes everything but RFC 3986 unreserved characters. `encodeURIComponent` alone leaves `'()*!`, and a
 * literal `+` would read as a space to many servers: both are encoded here.
 */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `?$filter=...&$orderby=...` (empty string when there are no options). `$` stays literal, as Graph documents. */
export function buildQuery(options: ODataQueryOptions = {}): string {
  const parts = renderOptions(options).map(([k, v]) => `${k}=${encodeQueryValue(v)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
