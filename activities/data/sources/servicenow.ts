import { z } from 'zod';
import { DataInputError } from '../errors';
import { fetchSourcePage, pageRecords } from './http-fetch';
import { authHeaders, httpOptionsShape } from './http-options';
import { defineSource } from './types';

/**
 * ServiceNow's Table API (`GET /api/now/table/<table>`), e.g. ITSM access requests per user as reviewer context.
 * Pages with sysparm_limit/sysparm_offset until a page is short; records are the `result` array.
 */
export const serviceNowSource = defineSource({
  type: 'servicenow',
  settingsSchema: z.strictObject({
    type: z.literal('servicenow'),
    instanceUrl: z.url({ protocol: /^https?$/, error: 'expected the instance URL, e.g. https://example.service-now.com' }),
    table: z.string().regex(/^[A-Za-z0-9_]+$/, 'expected a table name such as sc_req_item'),
    /** Encoded query (sysparm_query), e.g. `active=true^cat_item.name=Ledger access`. */
    query: z.string().optional(),
    /** sysparm_fields: only these fields are returned. */
    fields: z.array(z.string().min(1)).optional(),
    /** sysparm_display_value: 'true' gives display values, 'all' gives {value, display_value} objects. */
    displayValue: z.enum(['true', 'false', 'all']).default('false'),
    pageSize: z.number().int().min(1).max(10_000).default(1000),
    maxRecords: z.number().int().positive().default(1_000_000),
    ...httpOptionsShape,
  }),
  create(settings, environment) {
    const { settingPath } = environment;
    const base = new URL(`api/now/table/${settings.table}`, settings.instanceUrl.endsWith('/') ? settings.instanceUrl : `${settings.instanceUrl}/`);
    const pageUrl = (offset: number): string => {
      const url = new URL(base);
      if (settings.query !== undefined) url.searchParams.set('sysparm_query', settings.query);
      if (settings.fields !== undefined) url.searchParams.set('sysparm_fields', settings.fields.join(','));
      url.searchParams.set('sysparm_display_value', settings.displayValue);
      url.searchParams.set('sysparm_exclude_reference_link', 'true');
      url.searchParams.set('sysparm_limit', String(settings.pageSize));
      url.searchParams.set('sysparm_offset', String(offset));
      return url.toString();
    };
    return {
      name: environment.name,
      location: base.toString(),
      async *records(context) {
        const headers = authHeaders(settings.auth, environment.env, settingPath);
        for (let offset = 0; ; ) {
          const url = pageUrl(offset);
          const page = await fetchSourcePage(url, settings, headers, environment, context);
          const result = (page.body as { result?: unknown } | null)?.result;
          if (!Array.isArray(result)) {
            throw new DataInputError({ origin: { location: url }, field: `${settingPath}.table`, reason: 'the answer has no `result` array', hint: 'Check instanceUrl and table point at the Table API.' });
          }
          yield* pageRecords(result, url, context);
          offset += result.length;
          if (result.length < settings.pageSize) break;
          if (offset >= settings.maxRecords) {
            throw new DataInputError({ origin: { location: url }, field: `${settingPath}.maxRecords`, reason: `more than ${settings.maxRecords} records`, hint: 'Narrow the query or raise the limit.' });
          }
        }
      },
    };
  },
});
