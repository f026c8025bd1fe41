/**
 * Errors the emulator answers with. Graph and Entra shape errors differently; each class knows its own shape.
 * Graph does not document the `error.code` strings of this API for 403/409; the choices below are the plausible
 * ones (documented in docs/emulator.md) and clients are meant to branch on the HTTP status first.
 */

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** innerError.code, e.g. `throttledRequest` on 429s. */
    readonly innerCode?: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export const graphError = {
  badRequest: (message: string): GraphError => new GraphError(400, 'BadRequest', message),
  unsupportedQuery: (message: string): GraphError => new GraphError(400, 'Request_UnsupportedQuery', message),
  unauthorized: (message: string): GraphError =>
    new GraphError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': 'Bearer realm="", error="invalid_token"' }),
  forbidden: (message: string): GraphError => new GraphError(403, 'Authorization_RequestDenied', message),
  notFound: (message: string): GraphError => new GraphError(404, 'ResourceNotFound', message),
  methodNotAllowed: (method: string, allowed: readonly string[]): GraphError =>
    new GraphError(405, 'MethodNotAllowed', `The HTTP method '${method}' is not allowed here; allowed: ${allowed.join(', ')}.`, {
      Allow: allowed.join(', '),
    }),
  conflict: (message: string): GraphError => new GraphError(409, 'Conflict', message),
  payloadTooLarge: (message: string): GraphError => new GraphError(413, 'RequestEntityTooLarge', message),
  unsupportedMediaType: (message: string): GraphError => new GraphError(415, 'UnsupportedMediaType', message),
  internal: (message: string): GraphError => new GraphError(500, 'generalException', message),
};

/** The Graph error body: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. */
export function graphErrorBody(
  error: GraphError,
  ids: { requestId: string; clientRequestId: string; date: string },
): { error: { code: string; message: string; innerError: Record<string, string> } } {
  const innerError: Record<string, string> = {};
  if (error.innerCode !== undefined) innerError.code = error.innerCode;
  Object.assign(innerError, { date: ids.date, 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId });
  return { error: { code: error.code, message: error.message, innerError } };
}

const FAULT_CODES: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'generalException',
  502: 'BadGateway',
  503: 'serviceNotAvailable',
  504: 'GatewayTimeout',
};

/** The error an injected fault answers with (Graph's throttling body for 429). */
export function faultError(status: number, retryAfterSeconds: number | undefined, label: string): GraphError {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  const wait = retryAfterSeconds === undefined ? '' : ` Retry after ${retryAfterSeconds} seconds.`;
  if (status === 429) {
    return new GraphError(429, 'TooManyRequests', `Too many requests.${wait} (emulator fault: ${label})`, headers, 'throttledRequest');
  }
  return new GraphError(status, FAULT_CODES[status] ?? 'generalException', `The service is temporarily unable to answer.${wait} (emulator fault: ${label})`, headers);
}

/** An Entra ID (login.microsoftonline.com) error: OAuth error + AADSTS code. */
export class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    /** AADSTS number; undefined for answers that carry none. */
    readonly aadstsCode: number | undefined,
    description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(aadstsCode === undefined ? description : `AADSTS${aadstsCode}: ${description}`);
    this.name = 'EntraError';
  }
}
