import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { graphError } from './errors';

/** What a handler answers; the server writes it (through the fault layer) and adds the Graph headers. */
export interface HandlerResult {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer | string;
  stream?: Readable;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): HandlerResult => ({ status, json: body, headers });
export const noContent = (): HandlerResult => ({ status: 204 });

export function mediaType(req: Pick<IncomingMessage, 'headers'>): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Reads a whole (small) body, refusing more than `limit` bytes with Graph's 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw graphError.payloadTooLarge(`The request body is ${declared} bytes; the limit is ${limit} bytes.`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > limit) throw graphError.payloadTooLarge(`The request body exceeds the limit of ${limit} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON body: 415 for another content type, 400 for text that is not JSON. */
export async function readJson(req: IncomingMessage | undefined, limit: number): Promise<unknown> {
  if (req === undefined) throw graphError.badRequest('A request body is required.');
  const type = mediaType(req);
  if (type !== 'application/json') {
    throw graphError.unsupportedMediaType(
      `Content-Type '${req.headers['content-type'] ?? '(none)'}' is not supported here; send the body as application/json.`,
    );
  }
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.trim() === '') throw graphError.badRequest('Empty Payload. JSON content expected.');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw graphError.badRequest(`Unable to read JSON request payload: ${(error as Error).message}. Please ensure Content-Type header is set and payload is of valid JSON format.`);
  }
}
