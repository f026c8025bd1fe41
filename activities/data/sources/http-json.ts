import { z } from 'zod';
import { DataInputError } from '../errors';
import { getPath } from '../field-path';
import { fetchSourcePage, pageRecords } from './http-fetch';
import { authHeaders, httpOptionsShape } from './http-options';
import { defineSource } from './types';

const pagingSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  /** RFC 8288 `Link: <url>; rel="next"` (GitHub, many REST APIs). */
  z.strictObject({ type: z.literal('link-header') }),
  /** A cursor in the body: sent back as `cursorParam`, or, without cursorParam, the body holds the next page's URL. */
  z.strictObject({ type: z.literal('cursor'), cursorPath: z.string().min(1), cursorParam: z.string().min(1).optional() }),
  /** `?page=1,2,...` until a page comes back empty (or shorter than `size` when size is set). */
  z.strictObject({
    type: z.literal('page-number'),
    pageParam: z.string().min(1).default('page'),
    startPage: z.number().int().min(0).default(1),
    sizeParam: z.string().min(1).optional(),
    size: z.number().int().positive().optional(),
  }),
]);

/** A paginated JSON API, e.g. an application that exposes who holds which permission. */
export const httpJsonSource = defineSource({
  type: 'http-json',
  settingsSchema: z.strictObject({
    type: z.literal('http-json'),
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
    /** Dot path of the records array in each page's body (e.g. `data.items`); absent: the body is the array. */
    recordsPath: z.string().min(1).optional(),
    paging: pagingSchema.default({ type: 'none' }),
    /** Stops a paging loop that never ends. */
    maxPages: z.number().int().positive().default(10_000),
    ...httpOptionsShape,
  }),
  create(settings, environment) {
    const { settingPath } = environment;
    return {
      name: environment.name,
      location: settings.url,
      async *records(context) {
        const headers = authHeaders(settings.auth, environment.env, settingPath);
        const paging = settings.paging;
        let url: string | undefined = firstUrl(settings.url, paging);
        let pageNumber = paging.type === 'page-number' ? paging.startPage : 0;
        for (let pages = 0; url !== undefined; pages += 1) {
          if (pages >= settings.maxPages) {
            throw new DataInputError({ origin: { location: url }, field: `${settingPath}.maxPages`, reason: `more than ${settings.maxPages} pages`, hint: 'Check the paging settings (a cursor that never ends?) or raise the limit.' });
          }
          const page = await fetchSourcePage(url, settings, headers, environment, context);
          const records = getPath(page.body, settings.recordsPath);
          if (!Array.isArray(records)) {
            throw new DataInputError({
              origin: { location: url },
              field: `${settingPath}.recordsPath`,
              reason: settings.recordsPath === undefined ? 'the page body is not an array' : `the page body has no array at '${settings.recordsPath}'`,
              hint: 'Set recordsPath to where the records are in the answer.',
            });
          }
          const pageUrl = url;
          yield* pageRecords(records, pageUrl, context);
          switch (paging.type) {
            case 'none':
              url = undefined;
              break;
            case 'link-header':
              url = nextFromLinkHeader(page.headers.link, pageUrl);
              break;
            case 'cursor': {
              const cursor = getPath(page.body, paging.cursorPath);
              const text = typeof cursor === 'string' || typeof cursor === 'number' ? String(cursor) : '';
              url = text === '' ? undefined : paging.cursorParam === undefined ? new URL(text, pageUrl).toString() : withParam(settings.url, paging.cursorParam, text);
              break;
            }
            case 'page-number': {
              const short = paging.size !== undefined ? records.length < paging.size : records.length === 0;
              pageNumber += 1;
              url = short ? undefined : pageUrlFor(settings.url, paging, pageNumber);
              break;
            }
          }
        }
      },
    };
  },
});

type Paging = z.infer<typeof pagingSchema>;

function firstUrl(base: string, paging: Paging): string {
  return paging.type === 'page-number' ? pageUrlFor(base, paging, paging.startPage) : base;
}

function pageUrlFor(base: string, paging: Extract<Paging, { type: 'page-number' }>, page: number): string {
  let url = withParam(base, paging.pageParam, String(page));
  if (paging.sizeParam !== undefined && paging.size !== undefined) url = withParam(url, paging.sizeParam, String(paging.size));
  return url;
}

function withParam(base: string, name: string, value: string): string {
  const url = new URL(base);
  url.searchParams.set(name, value);
  return url.toString();
}

/** The `rel="next"` target of an RFC 8288 Link header, resolved against the page URL. */
export function nextFromLinkHeader(header: string | string[] | undefined, pageUrl: string): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text === undefined) return undefined;
  for (const match of text.matchAll(/<([^>]*)>([^,<]*)/g)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(params)?.[1];
    if (rel !== undefined && rel.toLowerCase().split(/\s+/).includes('next')) return new URL(match[1] ?? '', pageUrl).toString();
  }
  return undefined;
}
