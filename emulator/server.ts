import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticate } from './auth';
import type { EmulatorContext } from './context';
import { refreshLifecycle } from './context';
import { EntraError, faultError } from './errors';
import { handleEntra } from './entra';
import type { FaultDecision } from './faults';
import type { GraphExecutor } from './graph-types';
import type { HandlerResult } from './http';
import type { Area, RequestIds } from './respond';
import { errorResult, settleRequestBody, writeResult } from './respond';
import { pathSegments } from './router';

/**
 * The one request handler behind the HTTPS server: request ids, lifecycle (upload window), auth, faults, dispatch to
 * Graph / Entra / admin, Graph's headers and the request log. It never lets an error escape: every request is answered.
 */

export type AdminHandler = (req: IncomingMessage, url: URL, segments: readonly string[]) => Promise<HandlerResult>;

function areaOf(segments: readonly string[]): Area {
  const first = segments[0]?.toLowerCase();
  if (first === 'v1.0' || first === 'beta') return 'graph';
  if (first === '_emulator') return 'admin';
  return 'entra';
}

/** Reads `afterBytes` of the body, then drops the connection: the handler never runs, so no state changes. */
async function resetConnection(req: IncomingMessage, afterBytes: number): Promise<void> {
  if (afterBytes > 0 && !req.readableEnded) {
    await new Promise<void>((resolve) => {
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= afterBytes) {
          req.pause();
          resolve();
        }
      });
      req.once('end', resolve);
      req.once('error', () => resolve());
    });
  }
  req.socket.destroy();
}

export function createRequestHandler(
  context: EmulatorContext,
  graph: GraphExecutor,
  admin: AdminHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomUUID();
    const headerId = req.headers['client-request-id'];
    const ids: RequestIds = { requestId, clientRequestId: typeof headerId === 'string' && headerId !== '' ? headerId : requestId };
    const url = new URL(req.url ?? '/', context.baseUrl);
    let area: Area = 'graph';
    let clientId: string | undefined;
    let decision: FaultDecision = { delayMs: 0, labels: [] };
    let result: HandlerResult;
    try {
      const segments = pathSegments(url.pathname);
      area = areaOf(segments);
      if (area === 'admin') {
        result = await admin(req, url, segments);
      } else {
        if (refreshLifecycle(context)) context.persist();
        const app = area === 'graph' ? await authenticate(req.headers, context) : undefined;
        clientId = app?.clientId;
        const isToken = area === 'entra' && /\/oauth2\/v2\.0\/token$/i.test(url.pathname);
        decision = context.faults.decide({ method, path: url.pathname, clientId, area: isToken ? 'token' : area === 'graph' ? 'graph' : 'entra', nowMs: Date.now() });
        if (decision.delayMs > 0) await sleep(decision.delayMs, undefined, { signal: context.stopping });
        const terminal = decision.terminal;
        if (terminal?.kind === 'reset') {
          await resetConnection(req, terminal.afterBytes);
          context.requestLog.add({ time: new Date(started).toISOString(), method, path: url.pathname, query: url.search, status: 0, clientId, ...ids, durationMs: Date.now() - started, faults: decision.labels, error: 'connection reset by fault' });
          return;
        }
        if (terminal?.kind === 'tokenOutage') {
          const headers: Record<string, string> = terminal.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(terminal.retryAfterSeconds) };
          throw new EntraError(terminal.status, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again. (emulator fault: tokenOutage)', headers);
        }
        if (terminal?.kind === 'fail') throw faultError(terminal.status, terminal.retryAfterSeconds, terminal.label);
        if (area === 'graph' && app !== undefined) {
          result = await graph({ method, url, req, app, ...ids }, context, segments);
        } else {
          result = await handleEntra(req, segments, context);
        }
      }
    } catch (error) {
      if (context.stopping.aborted) return; // stopped mid-delay: the connection is gone
      if (!(error instanceof Error) || !['GraphError', 'EntraError'].includes(error.name)) {
        context.log('unexpected error', { error: error instanceof Error ? error.stack : String(error), path: url.pathname });
      }
      result = errorResult(error, area, ids, context.clock.nowMs());
    }
    await settleRequestBody(req, res);
    const errorField = (result.json as { error?: { code?: unknown } | string } | undefined)?.error;
    const errorCode = typeof errorField === 'string' ? errorField : typeof errorField?.code === 'string' ? errorField.code : '';
    // The log shows what clients asked of Graph and Entra; the admin API's own calls would only be noise.
    if (area !== 'admin') context.requestLog.add({
      time: new Date(started).toISOString(),
      method,
      path: url.pathname,
      query: url.search,
      status: result.status,
      clientId,
      ...ids,
      durationMs: Date.now() - started,
      ...(decision.labels.length > 0 ? { faults: decision.labels } : {}),
      ...(result.status >= 400 ? { error: errorCode } : {}),
    });
    context.log('request', { method, path: url.pathname, status: result.status, clientId, requestId });
    await writeResult(res, result, { ids, area, nowMs: context.clock.nowMs(), slowBody: decision.slowBody, stopping: context.stopping });
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (context.stopping.aborted) {
        res.destroy();
        return;
      }
      context.log('failed to answer a request', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  };
}
