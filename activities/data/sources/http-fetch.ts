import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { DataInputError, SourceUnavailableError } from '../errors';
import { isJsonObject } from '../field-path';
import type { HttpOptions } from './http-options';
import type { SourceEnvironment, SourceReadContext, SourceRecord } from './types';

export interface JsonPage {
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface FetchJsonOptions {
  http: HttpOptions;
  /** Authorization headers, already read from the environment. */
  authHeaders: Record<string, string>;
  settingPath: string;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

const RETRYABLE = (status: number): boolean => status === 429 || status >= 500;

/** One page for an HTTP source's read: its request settings and credentials, the read's signal, the process's dispatcher. */
export function fetchSourcePage(
  url: string,
  http: HttpOptions,
  authHeaders: Record<string, string>,
  environment: SourceEnvironment,
  context: SourceReadContext,
): Promise<JsonPage> {
  return fetchJsonPage(url, {
    http,
    authHeaders,
    settingPath: environment.settingPath,
    ...(context.signal !== undefined ? { signal: context.signal } : {}),
    ...(environment.dispatcher !== undefined ? { dispatcher: environment.dispatcher } : {}),
  });
}

/** The records of one page: each JSON object with its index on the page; anything else is rejected on its own. */
export function* pageRecords(records: readonly unknown[], url: string, context: SourceReadContext): Generator<SourceRecord> {
  for (let index = 0; index < records.length; index += 1) {
    const value: unknown = records[index];
    const origin = { location: url, index };
    if (!isJsonObject(value)) {
      context.reject({ origin, field: '(record)', reason: 'the record is not a JSON object' });
      continue;
    }
    yield { fields: value, origin };
  }
}

/**
 * GETs one JSON page through undici, retrying 429 and 5xx answers (waiting Retry-After when given, else an
 * exponential backoff), timeouts and network errors. Every response body is read or dumped.
 */
export async function fetchJsonPage(url: string, options: FetchJsonOptions): Promise<JsonPage> {
  const { http, settingPath } = options;
  const headers = { accept: 'application/json', ...lowerKeys(http.headers), ...options.authHeaders };
  let lastProblem = '';
  let lastWasTimeout = false;
  for (let attempt = 0; attempt <= http.retries; attempt += 1) {
    const timeout = AbortSignal.timeout(http.timeoutMs);
    const signal = options.signal !== undefined ? AbortSignal.any([options.signal, timeout]) : timeout;
    let delayMs: number;
    try {
      const response = await request(url, {
        method: 'GET',
        headers,
        signal,
        headersTimeout: http.timeoutMs,
        bodyTimeout: http.timeoutMs,
        ...(options.dispatcher !== undefined ? { dispatcher: options.dispatcher } : {}),
      });
      const status = response.statusCode;
      if (RETRYABLE(status)) {
        await response.body.dump();
        lastProblem = `HTTP ${status}`;
        lastWasTimeout = false;
        const retryAfter = parseRetryAfter(response.headers['retry-after']);
        if (retryAfter !== undefined && retryAfter > http.maxRetryAfterMs) {
          throw new SourceUnavailableError({
            origin: { location: url },
            field: `${settingPath}.maxRetryAfterMs`,
            reason: `HTTP ${status} asks to retry after ${retryAfter} ms, longer than the ${http.maxRetryAfterMs} ms allowed`,
            hint: 'Run again later or raise the setting.',
          });
        }
        delayMs = retryAfter ?? backoff(http.retryBaseDelayMs, attempt);
      } else if (status >= 300) {
        const text = await readLimited(response.body, 2048);
        throw new DataInputError({
          origin: { location: url },
          field: status === 401 || status === 403 ? `${settingPath}.auth` : `${settingPath}.url`,
          reason: `HTTP ${status} (${text.replace(/\s+/g, ' ').slice(0, 200)})`,
          hint: hintFor(status),
        });
      } else {
        const text = await readLimited(response.body, http.maxPageBytes, `${settingPath}.maxPageBytes`, url);
        try {
          return { body: JSON.parse(text) as unknown, headers: response.headers };
        } catch {
          throw new DataInputError({ origin: { location: url }, reason: 'the answer is not JSON', hint: `Check ${settingPath}.url points at the JSON API.` });
        }
      }
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      if (error instanceof DataInputError) throw error;
      lastWasTimeout = timeout.aborted || isTimeoutError(error);
      lastProblem = lastWasTimeout ? `no answer within ${http.timeoutMs} ms` : describeNetworkError(error);
      delayMs = backoff(http.retryBaseDelayMs, attempt);
    }
    if (attempt < http.retries) await sleep(delayMs, undefined, options.signal !== undefined ? { signal: options.signal } : {});
  }
  throw new SourceUnavailableError({
    origin: { location: url },
    field: lastWasTimeout ? `${settingPath}.timeoutMs` : `${settingPath}.retries`,
    reason: `the source API failed ${http.retries + 1} times, last: ${lastProblem}`,
    hint: lastWasTimeout
      ? 'Check the API is reachable from the worker, or raise the timeout.'
      : 'Check the API\'s health and run again; nothing was uploaded.',
  });
}

function backoff(baseMs: number, attempt: number): number {
  return Math.round(baseMs * 2 ** attempt * (0.75 + Math.random() * 0.5));
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number, setting?: string, url?: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      if (setting === undefined) break;
      throw new DataInputError({ origin: { location: url ?? '' }, field: setting, reason: `a page is larger than ${limit} bytes`, hint: 'Ask for smaller pages or raise the setting.' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hintFor(status: number): string {
  if (status === 401) return 'The credential was refused: check the environment variable the auth setting names.';
  if (status === 403) return 'The credential lacks permission to read this API.';
  if (status === 404) return 'Check the URL (and the table name for ServiceNow).';
  if (status >= 300 && status < 400) return 'The URL redirects: put the final URL in the mapping.';
  return 'Check the request settings in the mapping.';
}

function isTimeoutError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  const name = (error as { name?: string } | undefined)?.name;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || name === 'TimeoutError';
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: string }).code;
    const cause = (error.cause as { code?: string } | undefined)?.code;
    return [error.message, code, cause].filter((v) => v !== undefined && v !== '').join(' / ');
  }
  return String(error);
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
