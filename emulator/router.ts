import { graphError } from './errors';

/**
 * A small path router: patterns are `/`-separated with `:name` parameters; literal segments compare
 * case-insensitively (as Graph does). OData key syntax `catalogs('id')` is read as `catalogs/id`.
 */

export interface Route<H> {
  method: string;
  pattern: string;
  handler: H;
}

export type RouteMatch<H> =
  | { kind: 'found'; handler: H; params: Record<string, string> }
  | { kind: 'wrongMethod'; allowed: string[] }
  | { kind: 'none' };

export interface Router<H> {
  match(method: string, segments: readonly string[]): RouteMatch<H>;
}

/** Splits a raw URL path into decoded segments; `name('key')` becomes `name`, `key`. */
export function pathSegments(rawPath: string): string[] {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      throw graphError.badRequest(`The path segment '${raw}' is not valid percent-encoded text.`);
    }
    const keyed = /^([^(]+)\('?([^')]*)'?\)$/.exec(decoded);
    if (keyed !== null) segments.push(keyed[1] ?? '', (keyed[2] ?? '').replace(/''/g, "'"));
    else segments.push(decoded);
  }
  return segments;
}

export function createRouter<H>(routes: readonly Route<H>[]): Router<H> {
  // Literal parts are lower-cased once here, and the request's segments once per match, not per route and part.
  const compiled = routes.map((route) => ({
    ...route,
    parts: route.pattern
      .split('/')
      .filter((p) => p !== '')
      .map((p) => (p.startsWith(':') ? { param: p.slice(1) } : { literal: p.toLowerCase() })),
  }));
  return {
    match(method, segments) {
      const allowed: string[] = [];
      const lowered = segments.map((s) => s.toLowerCase());
      for (const route of compiled) {
        if (route.parts.length !== segments.length) continue;
        const params: Record<string, string> = {};
        const matched = route.parts.every((part, i) => {
          if (part.param !== undefined) {
            const segment = segments[i] ?? '';
            params[part.param] = segment;
            return segment !== '';
          }
          return part.literal === lowered[i];
        });
        if (!matched) continue;
        if (route.method === method) return { kind: 'found', handler: route.handler, params };
        if (!allowed.includes(route.method)) allowed.push(route.method);
      }
      return allowed.length > 0 ? { kind: 'wrongMethod', allowed } : { kind: 'none' };
    },
  };
}
