/**
 * Users by UPN or object id -> object id, through JSON batching (`POST /$batch`, 20 requests per batch).
 * Used by data preparation to turn the UPNs of a source system into the `PrincipalId` the CSV needs.
 */
import { BATCH_LIMIT } from './constants';
import { graphFailureFromAnswer, graphFailureFromMalformedAnswer } from './failures';
import { encodeQueryValue, odataLiteral } from './odata';
import { graphPath } from './paths';
import { BatchResponseSchema, describeZodError, UserIdSchema } from './schemas';
import { jsonBody } from './transport';
import type { GraphTransport } from './transport';

/**
 * `/users/{id|upn}`; a UPN starting with `$` must use the key form `/users('$x@y')` (Graph docs, "Get user"),
 * which also takes quotes doubled. Guest UPNs carry `#EXT#`, hence percent-encoding.
 */
export function userRequestUrl(key: string): string {
  const segment = key.startsWith('$') ? `('${encodeQueryValue(odataLiteral(key).slice(1, -1))}')` : `/${encodeQueryValue(key)}`;
  return `/users${segment}?$select=id`;
}

export async function resolveUsersInBatches(transport: GraphTransport, upnsOrIds: readonly string[], signal: AbortSignal | undefined): Promise<Map<string, string | null>> {
  const keys = [...new Set(upnsOrIds)];
  const result = new Map<string, string | null>();
  const target = graphPath(transport.settings.apiVersion, 'batch');
  for (let start = 0; start < keys.length; start += BATCH_LIMIT) {
    const chunk = keys.slice(start, start + BATCH_LIMIT);
    const requests = chunk.map((key, i) => ({ id: String(i), method: 'GET', url: userRequestUrl(key) }));
    const answer = await transport.json({ method: 'POST', target, body: jsonBody({ requests }), signal }, BatchResponseSchema);
    for (const [i, key] of chunk.entries()) {
      const sub = answer.data.responses.find((r) => r.id === String(i));
      const ctx = { method: 'GET', path: `${target} -> ${userRequestUrl(key).split('?')[0]}`, clientRequestId: answer.clientRequestId };
      if (sub === undefined) throw graphFailureFromMalformedAnswer(`responses has no entry with id ${i}`, answer.status, answer.requestId, ctx);
      if (sub.status === 404) {
        result.set(key, null);
        continue;
      }
      if (sub.status >= 400) {
        // A throttled or failed sub-request fails the whole call: the activity retries it (reads are idempotent).
        throw graphFailureFromAnswer({ status: sub.status, headers: lowerCaseKeys(sub.headers ?? {}), bodyText: JSON.stringify(sub.body ?? {}) }, ctx, transport.settings.http.retryAfterCapSeconds);
      }
      const user = UserIdSchema.safeParse(sub.body);
      if (!user.success) throw graphFailureFromMalformedAnswer(`responses[id=${i}].body ${describeZodError(user.error)}`, answer.status, answer.requestId, ctx);
      result.set(key, user.data.id);
    }
  }
  return result;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
