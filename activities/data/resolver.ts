import { readFile } from 'node:fs/promises';
import { isGuid } from './layout';

/**
 * Resolves principals given as UPN or e-mail to Entra object ids. `null` means Entra does not know the key; rows
 * with such a principal are reported, not uploaded. A GUID needs no lookup and is never passed to a resolver.
 */
export interface PrincipalResolver {
  resolve(keys: string[], signal?: AbortSignal): Promise<Map<string, string | null>>;
}

/** The part of the project's Graph client a resolver needs (activities/graph/client.ts `resolveUsers`). */
export interface UserLookup {
  resolveUsers(keys: readonly string[], signal?: AbortSignal): Promise<Map<string, string | null>>;
}

export interface CachingResolverOptions {
  /** Keys per call to the inner resolver (Graph `$filter ... in (...)` takes at most 15-20 values comfortably). */
  batchSize?: number;
  /** Calls in flight at once: keeps well inside Graph's throttling limits. */
  concurrency?: number;
}

export interface CachingResolver extends PrincipalResolver {
  stats(): { lookups: number; cached: number; calls: number };
}

const normalise = (key: string): string => key.trim().toLowerCase();

/**
 * Batches keys into calls of `batchSize`, runs at most `concurrency` at once, and caches answers (found and not
 * found) for the run, so each distinct principal is looked up once. Memory: one entry per distinct key.
 */
export function createCachingResolver(inner: PrincipalResolver, options: CachingResolverOptions = {}): CachingResolver {
  const batchSize = options.batchSize ?? 20;
  const concurrency = options.concurrency ?? 2;
  const cache = new Map<string, string | null>();
  let lookups = 0;
  let calls = 0;
  return {
    stats: () => ({ lookups, cached: cache.size, calls }),
    async resolve(keys, signal) {
      const missing = [...new Set(keys.map(normalise))].filter((k) => k !== '' && !isGuid(k) && !cache.has(k));
      lookups += missing.length;
      const batches: string[][] = [];
      for (let i = 0; i < missing.length; i += batchSize) batches.push(missing.slice(i, i + batchSize));
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batches.length) {
          signal?.throwIfAborted();
          const batch = batches[next] as string[];
          next += 1;
          calls += 1;
          const answer = await inner.resolve(batch, signal);
          const byKey = new Map([...answer].map(([k, v]) => [normalise(k), v]));
          for (const key of batch) cache.set(key, byKey.get(key) ?? null);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
      const result = new Map<string, string | null>();
      for (const key of keys) {
        const n = normalise(key);
        result.set(key, isGuid(n) ? n : cache.get(n) ?? null);
      }
      return result;
    },
  };
}

/** A resolver over a fixed table (tests, dry runs, `--resolver static:FILE`). Keys compare case-insensitively. */
export function createStaticResolver(entries: Iterable<[string, string]> | Record<string, string>): PrincipalResolver {
  const pairs = Symbol.iterator in Object(entries) ? [...(entries as Iterable<[string, string]>)] : Object.entries(entries);
  const table = new Map(pairs.map(([k, v]) => [normalise(k), v]));
  return {
    resolve(keys) {
      return Promise.resolve(new Map(keys.map((k) => [k, table.get(normalise(k)) ?? null])));
    },
  };
}

/** Wraps the Graph client's user lookup. */
export function createGraphPrincipalResolver(lookup: UserLookup): PrincipalResolver {
  return { resolve: (keys, signal) => lookup.resolveUsers(keys, signal) };
}

/**
 * Loads a static table from a JSON file: either `{ "upn-or-mail": "object id", ... }` or an emulator seed
 * (`{ "users": [{ "id", "userPrincipalName", "mail" }] }`), whose users resolve by UPN and by mail.
 */
export async function loadStaticResolverFile(path: string): Promise<PrincipalResolver> {
  const data = JSON.parse(await readFile(path, 'utf8')) as unknown;
  if (data !== null && typeof data === 'object' && Array.isArray((data as { users?: unknown }).users)) {
    const pairs: [string, string][] = [];
    for (const user of (data as { users: { id?: unknown; userPrincipalName?: unknown; mail?: unknown }[] }).users) {
      if (typeof user.id !== 'string') continue;
      if (typeof user.userPrincipalName === 'string') pairs.push([user.userPrincipalName, user.id]);
      if (typeof user.mail === 'string') pairs.push([user.mail, user.id]);
    }
    return createStaticResolver(pairs);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || Object.values(data).some((v) => typeof v !== 'string')) {
    throw new Error(`${path}: expected a JSON object of "upn": "object id" pairs, or an emulator seed with users`);
  }
  return createStaticResolver(data as Record<string, string>);
}
