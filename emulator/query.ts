import { graphError } from './errors';
import type { EntitySchema, FilterExpression, OrderBy } from './odata';
import { matchesFilter, parseFilter, parseOrderBy, sortItems, splitTopLevel } from './odata';

/** Reading and applying Graph query options on one endpoint. */

export type ApiVersion = 'v1.0' | 'beta';

/** OData's system query options: on beta these may be written without the `$`. */
const SYSTEM_QUERY_OPTIONS = new Set(['$filter', '$orderby', '$expand', '$top', '$skip', '$count', '$select', '$search', '$format', '$skiptoken', '$apply', '$compute', '$levels', '$deltatoken', '$index', '$schemaversion', '$id']);

/** The options of a pageable, filterable collection without $expand or $select (catalogs, resources, reviews). */
export const LIST_OPTIONS: readonly string[] = ['$filter', '$orderby', '$top', '$skip', '$count', '$skiptoken'];

/**
 * The `$` options of a request, checked against what the endpoint supports. On beta the `$` prefix is optional
 * (as on Graph); on v1.0 a name without `$` is not a query option and Graph ignores it.
 */
export function readQueryOptions(url: URL, supported: readonly string[], version: ApiVersion): Map<string, string> {
  const options = new Map<string, string>();
  for (const [rawKey, value] of url.searchParams) {
    let key = rawKey.toLowerCase();
    if (!key.startsWith('$')) {
      if (version === 'beta' && SYSTEM_QUERY_OPTIONS.has(`$${key}`)) key = `$${key}`;
      else continue;
    }
    if (!supported.includes(key)) {
      throw graphError.unsupportedQuery(
        `Query option '${rawKey}' is not supported on this endpoint; supported: ${supported.length > 0 ? supported.join(', ') : 'none'}.`,
      );
    }
    if (options.has(key)) throw graphError.badRequest(`Query option '${key}' was given more than once.`);
    options.set(key, value);
  }
  return options;
}

function nonNegativeInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw graphError.badRequest(`Invalid value '${value}' for query option '${name}': expected a non-negative integer.`);
  return Number(value.trim());
}

export interface NestedOptions<T> {
  filter?: FilterExpression;
  orderBy: OrderBy[];
  schema: EntitySchema<T>;
}

/** `$expand=nav` or `$expand=nav($filter=...;$orderby=...)` for the navigations an entity offers. */
export function parseExpand(text: string, navigations: Record<string, EntitySchema<unknown>>): Map<string, NestedOptions<unknown>> {
  const result = new Map<string, NestedOptions<unknown>>();
  for (const item of splitTopLevel(text, ',')) {
    const match = /^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$/s.exec(item);
    if (match === null) throw graphError.badRequest(`Invalid $expand '${text}': expected nav or nav($filter=...;$orderby=...).`);
    const [, rawName = '', inner] = match;
    const name = Object.keys(navigations).find((n) => n.toLowerCase() === rawName.toLowerCase());
    const schema = name === undefined ? undefined : navigations[name];
    if (name === undefined || schema === undefined) {
      throw graphError.unsupportedQuery(`$expand: '${rawName}' is not a navigation property that can be expanded here; supported: ${Object.keys(navigations).join(', ') || 'none'}.`);
    }
    const nested: NestedOptions<unknown> = { orderBy: [], schema };
    for (const option of inner === undefined || inner.trim() === '' ? [] : splitTopLevel(inner, ';')) {
      const eq = option.indexOf('=');
      const key = option.slice(0, eq).trim().toLowerCase();
      const value = option.slice(eq + 1);
      if (eq < 0) throw graphError.badRequest(`Invalid nested option '${option}' in $expand=${rawName}(...).`);
      if (key === '$filter') nested.filter = parseFilter(value, schema);
      else if (key === '$orderby') nested.orderBy = parseOrderBy(value, schema);
      else throw graphError.unsupportedQuery(`Nested query option '${key}' is not supported in $expand=${rawName}(...); supported: $filter, $orderby.`);
    }
    result.set(name, nested);
  }
  return result;
}

export function applyNested<T>(items: readonly T[], options: NestedOptions<T>): T[] {
  const filtered = options.filter === undefined ? [...items] : items.filter((i) => matchesFilter(options.filter as FilterExpression, i, options.schema));
  return sortItems(filtered, options.orderBy, options.schema);
}

export interface Page<T> {
  items: T[];
  count?: number;
  nextLink?: string;
}

const SKIPTOKEN_PREFIX = 'emu1:';

/**
 * Filters, sorts and pages a collection. `$top` is the page size (Graph's behaviour where paging is supported);
 * `@odata.nextLink` is the same URL with an opaque `$skiptoken`, so every other option is kept.
 */
export function pageCollection<T>(
  all: readonly T[],
  options: Map<string, string>,
  schema: EntitySchema<T>,
  url: URL,
  defaultPageSize: number,
): Page<T> {
  const filterText = options.get('$filter');
  const filter = filterText === undefined ? undefined : parseFilter(filterText, schema);
  const orderText = options.get('$orderby');
  const orderBy = orderText === undefined ? [] : parseOrderBy(orderText, schema);
  const filtered = filter === undefined ? [...all] : all.filter((item) => matchesFilter(filter, item, schema));
  const sorted = sortItems(filtered, orderBy, schema);
  const topText = options.get('$top');
  const pageSize = topText === undefined ? defaultPageSize : nonNegativeInteger('$top', topText);
  const skipText = options.get('$skip');
  const skip = skipText === undefined ? 0 : nonNegativeInteger('$skip', skipText);
  const token = options.get('$skiptoken');
  let offset = skip;
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!decoded.startsWith(SKIPTOKEN_PREFIX) || !/^\d+$/.test(decoded.slice(SKIPTOKEN_PREFIX.length))) {
      throw graphError.badRequest(`Invalid $skiptoken '${token}': follow @odata.nextLink as returned, without changing it.`);
    }
    offset = Number(decoded.slice(SKIPTOKEN_PREFIX.length));
  }
  const countText = options.get('$count');
  if (countText !== undefined && !['true', 'false'].includes(countText.toLowerCase())) {
    throw graphError.badRequest(`Invalid value '${countText}' for $count: expected true or false.`);
  }
  const page: Page<T> = { items: sorted.slice(offset, offset + pageSize) };
  if (countText?.toLowerCase() === 'true') page.count = sorted.length;
  if (pageSize > 0 && offset + pageSize < sorted.length) {
    const next = new URL(url.href);
    for (const key of [...next.searchParams.keys()]) if (key.toLowerCase().replace(/^\$/, '') === 'skiptoken') next.searchParams.delete(key);
    next.searchParams.set('$skiptoken', Buffer.from(`${SKIPTOKEN_PREFIX}${offset + pageSize}`).toString('base64url'));
    page.nextLink = next.href;
  }
  return page;
}

/** `{ @odata.context, @odata.count?, value, @odata.nextLink? }` in Graph's property order. */
export function collectionBody(context: string, page: Page<unknown>, value: unknown[]): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': context };
  if (page.count !== undefined) body['@odata.count'] = page.count;
  body.value = value;
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  return body;
}
