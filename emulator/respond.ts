import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntraError, GraphError, graphError, graphErrorBody } from './errors';
import type { HandlerResult } from './http';
import { entraTimestamp } from './time';

/** Turning handler results and errors into HTTP answers, with the headers every Graph answer carries. */

export interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

export type Area = 'graph' | 'entra' | 'admin';

export function errorResult(error: unknown, area: Area, ids: RequestIds, nowMs: number): HandlerResult {
  if (area === 'entra') {
    const entra =
      error instanceof EntraError
        ? error
        : error instanceof GraphError
          ? new EntraError(error.status, 'invalid_request', undefined, error.message, error.headers)
          : new EntraError(500, 'server_error', 50000, 'There was an error issuing a token or an authorization code.');
    const traceId = randomUUID();
    const timestamp = entraTimestamp(nowMs);
    return {
      status: entra.status,
      headers: { ...entra.headers },
      json: {
        error: entra.error,
        error_description: `${entra.message} Trace ID: ${traceId} Correlation ID: ${ids.clientRequestId} Timestamp: ${timestamp}`,
        error_codes: entra.aadstsCode === undefined ? [] : [entra.aadstsCode],
        timestamp,
        trace_id: traceId,
        correlation_id: ids.clientRequestId,
        error_uri: entra.aadstsCode === undefined ? undefined : `https://login.microsoftonline.com/error?code=${entra.aadstsCode}`,
      },
    };
  }
  const graph = error instanceof GraphError ? error : graphError.internal('An unexpected error occurred in the emulator; see its log.');
  return {
    status: graph.status,
    headers: { ...graph.headers },
    json: graphErrorBody(graph, { ...ids, date: new Date(nowMs).toISOString().slice(0, 19) }),
  };
}

/**
 * Makes sure an unread request body does not poison the connection: a small one is drained before answering,
 * a large one gets `Connection: close` (answering early, as servers do for an early 413).
 */
export async function settleRequestBody(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (!Number.isFinite(declared) || declared > 16 * 1024 * 1024) {
    res.setHeader('Connection', 'close');
    req.resume();
    return;
  }
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
    req.once('error', () => resolve());
    req.resume();
  });
}

export interface WriteOptions {
  ids: RequestIds;
  area: Area;
  nowMs: number;
  slowBody?: { chunkBytes: number; delayMs: number };
  stopping?: AbortSignal;
}

export async function writeResult(res: ServerResponse, result: HandlerResult, options: WriteOptions): Promise<void> {
  res.statusCode = result.status;
  res.setHeader('Date', new Date(options.nowMs).toUTCString());
  if (options.area !== 'entra') {
    res.setHeader('request-id', options.ids.requestId);
    res.setHeader('client-request-id', options.ids.clientRequestId);
    res.setHeader('x-ms-ags-diagnostic', JSON.stringify({ ServerInfo: { DataCenter: 'Local Emulator', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'emulator' } }));
  } else {
    res.setHeader('client-request-id', options.ids.clientRequestId);
    res.setHeader('x-ms-request-id', options.ids.requestId);
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.stream !== undefined) {
    await pipeline(result.stream, res);
    return;
  }
  let body: Buffer | undefined;
  if (result.json !== undefined) {
    body = Buffer.from(JSON.stringify(result.json));
    if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8');
    if (options.area === 'entra') res.setHeader('Content-Type', 'application/json; charset=utf-8');
  } else if (result.body !== undefined) {
    body = Buffer.isBuffer(result.body) ? result.body : Buffer.from(result.body);
  }
  if (body === undefined || result.status === 204) {
    res.end();
    return;
  }
  res.setHeader('Content-Length', String(body.length));
  if (options.slowBody === undefined) {
    res.end(body);
    return;
  }
  const { chunkBytes, delayMs } = options.slowBody;
  for (let offset = 0; offset < body.length; offset += chunkBytes) {
    if (res.destroyed) return;
    if (!res.write(body.subarray(offset, offset + chunkBytes))) await new Promise((resolve) => res.once('drain', resolve));
    if (offset + chunkBytes < body.length) await sleep(delayMs, undefined, { signal: options.stopping });
  }
  res.end();
}
