/**
 * One Graph request, done right: bearer token from the credential (one retry with a fresh token on 401), a fresh
 * GUID `client-request-id`, the caller's AbortSignal, the answer's `request-id` kept, the body always consumed or
 * dumped, and every failure mapped by failures.ts. Nothing here logs or returns a token.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { GraphFailureType } from '../../contracts/graph-failures';
import type { GraphFailureDetails } from '../../contracts/graph-failures';
import { freshTokenOptions, GRAPH_SCOPE } from './credential';
import { graphFailureFromAnswer, graphFailureFromMalformedAnswer, graphFailureFromTransportError, header, transportErrorCode } from './failures';
import type { GraphRequestContext } from './failures';
import { describeZodError } from './schemas';
import type { GraphSettings } from './settings';

/** pino-compatible: `logger.debug({ ...fields }, 'message')`. */
export interface GraphLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface GraphClientOptions {
  credential: TokenCredential;
  dispatcher: Dispatcher;
  settings: GraphSettings;
  logger?: GraphLogger;
}

/** A request body made fresh for each attempt (the 401 retry re-sends it). */
export interface RequestBody {
  body: Buffer | Readable;
  contentType: string;
  contentLength: number;
}

export interface GraphRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path from graphPath() plus an optional query from buildQuery(), or an absolute `@odata.nextLink`. */
  target: string;
  body?: () => RequestBody;
  signal?: AbortSignal | undefined;
}

export interface GraphResponse<T> {
  status: number;
  requestId: string | null;
  clientRequestId: string;
  data: T;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;

export const jsonBody = (value: unknown) => (): RequestBody => {
  const buffer = Buffer.from(JSON.stringify(value), 'utf8');
  return { body: buffer, contentType: 'application/json', contentLength: buffer.length };
};

export class GraphTransport {
  private readonly base: URL;
  private readonly secrets: string[];

  constructor(private readonly options: GraphClientOptions) {
    this.base = new URL(options.settings.baseUrl);
    this.secrets = [options.settings.clientSecret].filter((s): s is string => s !== undefined && s.length >= 4);
  }

  get settings(): GraphSettings {
    return this.options.settings;
  }

  /** Sends the request and parses a 2xx JSON answer with `schema`. */
  async json<S extends z.ZodType>(req: GraphRequest, schema: S): Promise<GraphResponse<z.output<S>>> {
    return this.send(req, async (res, ctx, requestId) => {
      const text = await readAll(res.body);
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(text);
      } catch {
        throw graphFailureFromMalformedAnswer('the body is not JSON', res.statusCode, requestId, ctx);
      }
      const parsed = schema.safeParse(parsedJson);
      if (!parsed.success) throw graphFailureFromMalformedAnswer(describeZodError(parsed.error), res.statusCode, requestId, ctx);
      return parsed.data;
    });
  }

  /** Sends the request and ignores a 2xx answer's body (DELETE -> 204). */
  async empty(req: GraphRequest): Promise<GraphResponse<null>> {
    return this.send(req, async (res) => {
      await res.body.dump();
      return null;
    });
  }

  private resolve(target: string, method: GraphRequest['method']): URL {
    const url = /^https?:\/\//i.test(target) ? new URL(target) : new URL(this.base.pathname.replace(/\/$/, '') + target, this.base.origin);
    if (url.origin !== this.base.origin) {
      // An @odata.nextLink from an answer must not carry our token to any other host.
      throw ApplicationFailure.create({
        message: `Graph's answer links to ${url.origin}, not to GRAPH_BASE_URL (${this.base.origin}): refusing to send a Graph token to ${url.origin} (${method} ${url.pathname}).`,
        type: GraphFailureType.malformedResponse,
        nonRetryable: true,
        details: [{ status: 0, code: null, requestId: null, clientRequestId: null, method, path: url.pathname } satisfies GraphFailureDetails],
      });
    }
    return url;
  }

  private async send<T>(
    req: GraphRequest,
    read: (res: Dispatcher.ResponseData, ctx: GraphRequestContext, requestId: string | null) => Promise<T>,
  ): Promise<GraphResponse<T>> {
    const { signal } = req;
    const url = this.resolve(req.target, req.method);
    const ctx: GraphRequestContext = { method: req.method, path: url.pathname, clientRequestId: '' };
    let token = await this.token(ctx, signal === undefined ? {} : { abortSignal: signal }, signal);
    for (let attempt = 1; ; attempt++) {
      ctx.clientRequestId = randomUUID();
      const started = Date.now();
      const body = req.body?.();
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          dispatcher: this.options.dispatcher,
          method: req.method,
          signal,
          headers: {
            authorization: `Bearer ${token.token}`,
            accept: 'application/json',
            'client-request-id': ctx.clientRequestId,
            ...(body === undefined ? {} : { 'content-type': body.contentType, 'content-length': String(body.contentLength) }),
          },
          ...(body === undefined ? {} : { body: body.body }),
        });
      } catch (err) {
        closeBody(body);
        throw this.transportFailure(err, ctx, signal);
      }
      const requestId = header(res.headers, 'request-id') ?? null;
      this.options.logger?.debug(
        { method: ctx.method, path: ctx.path, status: res.statusCode, requestId, clientRequestId: ctx.clientRequestId, ms: Date.now() - started },
        'graph request',
      );
      try {
        if (res.statusCode === 401 && attempt === 1) {
          await res.body.dump();
          this.options.logger?.warn({ path: ctx.path, requestId, clientRequestId: ctx.clientRequestId }, 'graph answered 401; retrying once with a fresh token');
          token = await this.token(ctx, freshTokenOptions(header(res.headers, 'www-authenticate'), signal), signal);
          continue;
        }
        if (res.statusCode >= 400) {
          const bodyText = await readBounded(res.body, MAX_ERROR_BODY_BYTES);
          const failure = graphFailureFromAnswer({ status: res.statusCode, headers: res.headers, bodyText }, ctx, this.settings.http.retryAfterCapSeconds);
          this.options.logger?.warn({ method: ctx.method, path: ctx.path, status: res.statusCode, requestId, clientRequestId: ctx.clientRequestId, type: failure.type }, 'graph request failed');
          throw failure;
        }
        const data = await read(res, ctx, requestId);
        return { status: res.statusCode, requestId, clientRequestId: ctx.clientRequestId, data };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        // The answer broke off while we read it (reset, body timeout, abort).
        res.body.destroy();
        throw this.transportFailure(err, ctx, signal);
      } finally {
        // An answer can come before the whole body went out (e.g. 401 on an upload): stop reading the file.
        closeBody(body);
      }
    }
  }

  private async token(ctx: GraphRequestContext, options: GetTokenOptions, signal: AbortSignal | undefined): Promise<AccessToken> {
    let token: AccessToken | null;
    try {
      token = await this.options.credential.getToken(GRAPH_SCOPE, options);
    } catch (err) {
      throw this.credentialFailure(err, ctx, signal);
    }
    if (token === null) throw this.credentialFailure(new Error('the credential returned no token'), ctx, undefined);
    return token;
  }

  private transportFailure(err: unknown, ctx: GraphRequestContext, signal: AbortSignal | undefined): unknown {
    // Cancellation is not a Graph failure: hand the activity's own reason (Temporal's CancelledFailure) back.
    if (signal?.aborted) return signal.reason ?? err;
    return graphFailureFromTransportError(err instanceof Error ? new Error(this.scrub(err.message), { cause: err }) : err, ctx);
  }

  /**
   * A token could not be had. Entra refusing the credential (4xx, misconfiguration) will not heal by retrying; the
   * token endpoint being unreachable or failing (5xx, network) will.
   */
  private credentialFailure(err: unknown, ctx: GraphRequestContext, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason ?? err;
    const name = err instanceof Error ? err.name : 'Error';
    const message = this.scrub(err instanceof Error ? err.message : String(err)).slice(0, 1000);
    const status = (err as { statusCode?: unknown }).statusCode;
    const code = transportErrorCode(err);
    const retryable =
      (typeof status === 'number' && (status >= 500 || status === 429)) ||
      /^(E[A-Z]+|UND_ERR_\w+)$/.test(code) ||
      // OAuth's `temporarily_unavailable` / `server_error` (Entra: AADSTS90033 "transient error") after MSAL's own retries.
      /temporarily_unavailable|server_error|transient|network|ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|timed? ?out/i.test(message);
    const details: GraphFailureDetails = { status: typeof status === 'number' ? status : 0, code: name, requestId: null, clientRequestId: null, method: ctx.method, path: ctx.path };
    return ApplicationFailure.create({
      message:
        `Could not get a Graph token (${name}) for ${ctx.method} ${ctx.path}: ${message}. ` +
        (retryable
          ? 'The identity endpoint looked unreachable or failing; the activity retries.'
          : 'Check GRAPH_AUTH and the AZURE_* settings of the worker (see docs/graph-client.md).'),
      type: retryable ? GraphFailureType.network : GraphFailureType.credential,
      nonRetryable: !retryable,
      details: [details],
    });
  }

  private scrub(text: string): string {
    return this.secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text).replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]');
  }
}

async function readAll(body: Dispatcher.ResponseData['body']): Promise<string> {
  return body.text();
}

/** Reads at most `limit` bytes of an error body as text and discards the rest (so the connection can be reused). */
async function readBounded(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function closeBody(body: RequestBody | undefined): void {
  const stream = body?.body;
  if (stream !== undefined && !Buffer.isBuffer(stream) && !stream.destroyed) stream.destroy();
}
