import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type pino from 'pino';
import type { UploadTarget } from '../contracts/targets';
import type { CalloutRequest } from './payload';
import { InvalidCalloutError, parseCallout } from './payload';
import type { StartedFromCallout } from './start-from-callout';
import { CalloutTargetError, describeStartFailure, startFromCallout } from './start-from-callout';
import type { CalloutTokenVerifier } from './token-verifier';
import { AuthorityUnavailableError, CalloutAuthError } from './token-verifier';

/**
 * The HTTP side of the receiver: `POST {path}` with Entra's callout, checked in this order: the bearer token (before
 * the body is read at all), the body, the upload targets; then the run is started or joined and the answer is 202 at
 * once. Plain HTTP: in production it sits behind a TLS-terminating ingress. `GET /healthz` answers 200 for probes.
 */

export interface CalloutServerDeps {
  client: Client;
  targets: readonly UploadTarget[];
  verifier: CalloutTokenVerifier;
  logger: pino.Logger;
  taskQueue: string;
  /** Default /callouts/access-review. */
  path?: string;
  /** The targets file named in errors (default: "the upload targets file (UPLOAD_TARGETS_FILE)"). */
  targetsFile?: string;
  /** Deadline of the Temporal calls of one callout (default 10 s). */
  startTimeoutMs?: number;
  /** Largest callout body (default 64 KiB; real ones are a few hundred bytes). */
  maxBodyBytes?: number;
}

export interface CalloutServer {
  server: Server;
  /** Listens; returns the callout URL. */
  listen(port: number, host: string): Promise<string>;
  /** Replaces the targets (e.g. after the file changed). */
  setTargets(targets: readonly UploadTarget[]): void;
  /** Stops accepting connections and waits for callouts in flight. */
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Fields for the one log line of this request. */
  log: Record<string, unknown>;
}

const errorAnswer = (status: number, code: string, message: string, log: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Answer => ({
  status,
  body: { error: { code, message, ...extra } },
  log: { outcome: code, ...log },
});

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new BodyError(415, 'unsupportedMediaType', `Content-Type must be application/json (got "${req.headers['content-type'] ?? 'none'}").`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new BodyError(413, 'payloadTooLarge', `The body exceeds ${limit} bytes; a callout is a few hundred bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw new BodyError(400, 'invalidJson', `The body is not JSON: ${(error as Error).message}`);
  }
}

export function createCalloutServer(deps: CalloutServerDeps): CalloutServer {
  const calloutPath = deps.path ?? '/callouts/access-review';
  const targetsFile = deps.targetsFile ?? 'the upload targets file (UPLOAD_TARGETS_FILE)';
  const maxBodyBytes = deps.maxBodyBytes ?? 64 * 1024;
  let targets = deps.targets;

  const answerCallout = async (req: IncomingMessage): Promise<Answer> => {
    // The token first: an unauthenticated caller learns nothing about the body rules or the targets.
    let appId: string;
    try {
      appId = (await deps.verifier.verify(req.headers.authorization)).appId;
    } catch (error) {
      if (error instanceof CalloutAuthError) {
        const code = error.status === 401 ? 'unauthorized' : 'forbidden';
        const answer = errorAnswer(error.status, code, `Callout refused: ${error.reason}.`, { appId: error.appId });
        if (error.status === 401) answer.headers = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
        return answer;
      }
      if (error instanceof AuthorityUnavailableError) {
        return { ...errorAnswer(503, 'authorityUnavailable', 'The token cannot be checked now (identity provider unreachable); try again.', { reason: error.message }), headers: { 'Retry-After': '5' } };
      }
      throw error;
    }
    let callout: CalloutRequest;
    try {
      callout = parseCallout(await readJsonBody(req, maxBodyBytes));
    } catch (error) {
      if (error instanceof BodyError) return errorAnswer(error.status, error.code, error.message, { appId });
      if (error instanceof InvalidCalloutError) return errorAnswer(400, 'invalidCallout', error.message, { appId }, { fields: error.issues });
      throw error;
    }
    const ids = { appId, catalogId: callout.catalogId, resourceId: callout.resourceId, dataType: callout.dataType };
    if (callout.kind !== 'upload') {
      // Decisions for custom data resources are applied by people after the review, never by a callout.
      const message =
        callout.kind === 'applyDecision'
          ? 'Not handled here: decisions for custom data provided resources are never applied automatically.'
          : 'Not handled here: this receiver only starts uploads of access data.';
      return { status: 202, body: { handled: false, message }, log: { outcome: 'notHandled', ...ids } };
    }
    const runIds = { ...ids, reviewDefinitionId: callout.reviewDefinitionId, reviewInstanceId: callout.reviewInstanceId };
    let run: StartedFromCallout;
    try {
      run = await startFromCallout(callout, { client: deps.client, targets, targetsFile, taskQueue: deps.taskQueue, startTimeoutMs: deps.startTimeoutMs ?? 10_000 });
    } catch (error) {
      if (error instanceof CalloutTargetError) return errorAnswer(error.status, error.code, error.message, runIds, { targetsFile });
      const { reason, transient } = describeStartFailure(error);
      // Temporal unreachable or slow: Entra (or a person) can retry; the workflow id keeps a retry from doubling up.
      if (transient) return { ...errorAnswer(503, 'startFailed', 'The upload run could not be started now; try again.', { ...runIds, reason }), headers: { 'Retry-After': '5' } };
      return errorAnswer(500, 'startRefused', 'Temporal refused to start the upload run (a configuration problem of this deployment); see the receiver log.', { ...runIds, reason });
    }
    return {
      status: 202,
      body: { workflowId: run.workflowId, runId: run.runId, started: run.started, webUi: run.webUi },
      log: { outcome: run.started ? 'started' : 'joined', ...runIds, target: run.target, workflowId: run.workflowId, runId: run.runId },
    };
  };

  const route = async (req: IncomingMessage): Promise<Answer> => {
    const { pathname } = new URL(req.url ?? '/', 'http://receiver');
    if (pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) return { status: 200, body: { status: 'ok' }, log: { outcome: 'health' } };
    if (pathname !== calloutPath) return errorAnswer(404, 'notFound', `No endpoint here; callouts go to POST ${calloutPath}.`);
    if (req.method !== 'POST') return { ...errorAnswer(405, 'methodNotAllowed', `Callouts are POSTed to ${calloutPath}.`), headers: { Allow: 'POST' } };
    return answerCallout(req);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestId = randomUUID();
    let answer: Answer;
    try {
      answer = await route(req);
    } catch (error) {
      answer = errorAnswer(500, 'internalError', 'The receiver failed; see its log.', { reason: error instanceof Error ? error.message : String(error) });
    }
    // Unread bodies (refused before reading) are drained so the connection stays usable; callouts are small.
    if (!req.readableEnded) req.resume();
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'request-id': requestId, ...answer.headers });
    res.end(body);
    // Never the token or the headers: ids, outcome and timing only.
    const level = answer.status >= 500 ? 'error' : answer.status >= 400 ? 'warn' : 'info';
    deps.logger[level]({ requestId, method: req.method, path: req.url, status: answer.status, durationMs: Date.now() - started, remote: req.socket.remoteAddress, ...answer.log }, 'callout');
  };

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    void handle(req, res);
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}${calloutPath}`);
        });
      }),
    setTargets(next) {
      targets = next;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
