/**
 * Stable `ApplicationFailure.type` names for every way a Graph call can fail. Activities throw them (mapped in one
 * place: activities/graph/failures.ts); workflows branch on them and list the non-retryable ones in retry policies.
 * Plain constants so workflow code can import them.
 */
export const GraphFailureType = {
  /** 429: throttled; retried after Retry-After. */
  throttled: 'GraphThrottled',
  /** 503/504: service unavailable or gateway timeout; retried after Retry-After or with backoff. */
  unavailable: 'GraphUnavailable',
  /** Other 5xx: retried with backoff. */
  serverError: 'GraphServerError',
  /** Connection refused/reset, TLS or timeout before an answer: retried with backoff. */
  network: 'GraphNetworkError',
  /** 401 after one retry with a fresh token. */
  unauthorized: 'GraphUnauthorized',
  /** 400 */
  badRequest: 'GraphBadRequest',
  /** 403: missing EntitlementManagement.ReadWrite.All or the Catalog owner role. */
  forbidden: 'GraphForbidden',
  /** 404 */
  notFound: 'GraphNotFound',
  /** 409: e.g. the one-session-per-review-instance rule. */
  conflict: 'GraphConflict',
  /** 413 */
  payloadTooLarge: 'GraphPayloadTooLarge',
  /** 415 */
  unsupportedMediaType: 'GraphUnsupportedMediaType',
  /** Any other 4xx. */
  clientError: 'GraphClientError',
  /** A 2xx answer whose body does not match what the API documents. */
  malformedResponse: 'GraphMalformedResponse',
  /**
   * No token could be obtained: the credential is misconfigured or rejected by Entra ID (wrong secret, certificate,
   * federated token, tenant or client id; managed identity not available). Retrying does not help.
   */
  credential: 'GraphCredentialError',
} as const;

export type GraphFailureTypeName = (typeof GraphFailureType)[keyof typeof GraphFailureType];

/** Failure types that no retry can fix: workflows put these in `retry.nonRetryableErrorTypes`. */
export const NON_RETRYABLE_GRAPH_FAILURES: readonly GraphFailureTypeName[] = [
  GraphFailureType.unauthorized,
  GraphFailureType.badRequest,
  GraphFailureType.forbidden,
  GraphFailureType.notFound,
  GraphFailureType.conflict,
  GraphFailureType.payloadTooLarge,
  GraphFailureType.unsupportedMediaType,
  GraphFailureType.clientError,
  GraphFailureType.malformedResponse,
  GraphFailureType.credential,
];

/**
 * `ApplicationFailure.details[0]` of every Graph failure. Never contains a token, a secret or a query string.
 * `status` is 0 and `code` is the transport error code (e.g. `ECONNRESET`) when no answer arrived.
 */
export interface GraphFailureDetails {
  status: number;
  code: string | null;
  requestId: string | null;
  clientRequestId: string | null;
  method: string;
  /** Request path without the query string, e.g. `/v1.0/identityGovernance/.../uploadSessions`. */
  path: string;
  /** Seconds from `Retry-After` (after capping), when the answer carried one. */
  retryAfterSeconds?: number;
}
