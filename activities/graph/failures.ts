/**
 * THE mapping from a Graph answer or a transport error to a Temporal `ApplicationFailure`. Decided by HTTP status
 * first; Graph's `error.code` only enriches the message (codes for 403/409 on this API are undocumented).
 */
import { ApplicationFailure } from '@temporalio/common';
import { GraphFailureType } from '../../contracts/graph-failures';
import type { GraphFailureDetails, GraphFailureTypeName } from '../../contracts/graph-failures';
import { GraphErrorBodySchema } from './schemas';

/** What we know about the request that failed: enough to find it in Graph's logs, nothing secret. */
export interface GraphRequestContext {
  method: string;
  /** Path without the query string. */
  path: string;
  clientRequestId: string;
}

export interface GraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Body text (possibly truncated); may be empty or not JSON. */
  bodyText: string;
}

/** A header's (first) value; names are lower-case, as undici gives them. */
export const header = (headers: GraphAnswer['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * `Retry-After` as whole seconds: either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or
 * unreadable; never negative; capped.
 */
export function parseRetryAfter(value: string | undefined, capSeconds: number, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now) / 1000);
  }
  return Math.min(Math.max(seconds, 0), capSeconds);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

interface Classification {
  type: GraphFailureTypeName;
  retryable: boolean;
  /** Honour Retry-After for this status. */
  retryAfter: boolean;
  advice: string;
}

function classify(status: number): Classification {
  switch (status) {
    case 429:
      return { type: GraphFailureType.throttled, retryable: true, retryAfter: true, advice: 'Graph is throttling this app; the activity retries after the time Graph asked for.' };
    case 503:
    case 504:
      return { type: GraphFailureType.unavailable, retryable: true, retryAfter: true, advice: 'Graph is temporarily unavailable; the activity retries.' };
    case 400:
      return { type: GraphFailureType.badRequest, retryable: false, retryAfter: false, advice: 'Graph refused the request as invalid; check the ids and the API version (GRAPH_API_VERSION) against docs/graph-client.md.' };
    case 401:
      return { type: GraphFailureType.unauthorized, retryable: false, retryAfter: false, advice: 'Graph refused the token even after a fresh one was fetched; check that the app registration (AZURE_CLIENT_ID) belongs to the tenant (AZURE_TENANT_ID) and is enabled.' };
    case 403:
      return {
        type: GraphFailureType.forbidden,
        retryable: false,
        retryAfter: false,
        advice:
          'The app lacks permission: grant it the Microsoft Graph application permission EntitlementManagement.ReadWrite.All with admin consent, ' +
          'or make it a Catalog owner of the catalog (Entra admin center > Identity Governance > Catalogs > Roles and administrators); ' +
          'the tenant also needs a Microsoft Entra ID Governance or Entra Suite licence.',
      };
    case 404:
      return { type: GraphFailureType.notFound, retryable: false, retryAfter: false, advice: 'Graph does not know this object; check the catalog, resource, session or review ids.' };
    case 409:
      return {
        type: GraphFailureType.conflict,
        retryable: false,
        retryAfter: false,
        advice:
          'Graph allows only one upload session per review instance and resource: one already exists (or was completed, after which no new one can be created). ' +
          'Reuse the active session found by listing with referenceId, or delete that active session before creating another.',
      };
    case 413:
      return { type: GraphFailureType.payloadTooLarge, retryable: false, retryAfter: false, advice: 'Graph refused the file as too large; split the data into more, smaller files.' };
    case 415:
      return { type: GraphFailureType.unsupportedMediaType, retryable: false, retryAfter: false, advice: 'Graph refused the content type; uploads must be multipart/form-data with one part named "file".' };
    default:
      if (status >= 500) return { type: GraphFailureType.serverError, retryable: true, retryAfter: false, advice: 'Graph failed on its side; the activity retries with backoff.' };
      return { type: GraphFailureType.clientError, retryable: false, retryAfter: false, advice: 'Graph refused the request; see the Graph error code and message.' };
  }
}

/** The failure for a Graph answer with status >= 400. */
export function graphFailureFromAnswer(answer: GraphAnswer, request: GraphRequestContext, retryAfterCapSeconds: number): ApplicationFailure {
  const parsed = GraphErrorBodySchema.safeParse(safeJson(answer.bodyText));
  const graphError = parsed.success ? parsed.data.error : undefined;
  const requestId = header(answer.headers, 'request-id') ?? graphError?.innerError?.['request-id'] ?? null;
  const c = classify(answer.status);
  const retryAfterSeconds = c.retryAfter ? parseRetryAfter(header(answer.headers, 'retry-after'), retryAfterCapSeconds) : undefined;
  const details: GraphFailureDetails = {
    status: answer.status,
    code: graphError?.code ?? null,
    requestId,
    clientRequestId: request.clientRequestId,
    method: request.method,
    path: request.path,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
  const graphSays = graphError?.message === undefined ? '' : ` Graph says: ${truncate(graphError.message, 500)}`;
  const message =
    `Graph answered ${answer.status} ${STATUS_TEXT[answer.status] ?? ''}`.trimEnd() +
    ` to ${request.method} ${request.path} (code ${details.code ?? 'none'}, request-id ${requestId ?? 'none'}, client-request-id ${request.clientRequestId}). ` +
    c.advice +
    graphSays;
  return ApplicationFailure.create({
    message,
    type: c.type,
    nonRetryable: !c.retryable,
    details: [details],
    // Without Retry-After the activity's retry policy backs off exponentially.
    ...(retryAfterSeconds === undefined ? {} : { nextRetryDelay: `${retryAfterSeconds}s` }),
  });
}

/** Error codes of a connection that broke before a complete answer: worth retrying. */
export function transportErrorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== error) return transportErrorCode(cause);
  }
  return 'UNKNOWN';
}

/** A connection refused/reset, TLS failure or timeout before (or while) the answer arrived: retryable with backoff. */
export function graphFailureFromTransportError(error: unknown, request: GraphRequestContext): ApplicationFailure {
  const code = transportErrorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  const details: GraphFailureDetails = { status: 0, code, requestId: null, clientRequestId: request.clientRequestId, method: request.method, path: request.path };
  return ApplicationFailure.create({
    message: `No complete answer from Graph to ${request.method} ${request.path} (${code}: ${truncate(reason, 300)}, client-request-id ${request.clientRequestId}); the activity retries with backoff.`,
    type: GraphFailureType.network,
    nonRetryable: false,
    details: [details],
  });
}

/** A 2xx answer that does not have the documented shape. */
export function graphFailureFromMalformedAnswer(problem: string, status: number, requestId: string | null, request: GraphRequestContext): ApplicationFailure {
  const details: GraphFailureDetails = { status, code: null, requestId, clientRequestId: request.clientRequestId, method: request.method, path: request.path };
  return ApplicationFailure.create({
    message: `Graph answered ${status} to ${request.method} ${request.path} with a body this client cannot read (${problem}; request-id ${requestId ?? 'none'}). The API may have changed: check GRAPH_API_VERSION and report it with the request-id.`,
    type: GraphFailureType.malformedResponse,
    nonRetryable: true,
    details: [details],
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
