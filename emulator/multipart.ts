import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { GraphError } from './errors';
import { graphError } from './errors';
import { mediaType } from './http';

/**
 * Receives the one `file` part of an uploadFile request, streamed to disk and hashed on the way (never buffered
 * whole: benchmarks send gigabytes). Any rule broken rejects the request and removes what was written.
 */

export interface ReceivedFile {
  name: string;
  size: number;
  sha256: string;
  /** Absolute path of the stored content. */
  contentPath: string;
}

/** Multipart framing allowance on top of the file size limit when checking Content-Length up front. */
const FRAMING_ALLOWANCE = 64 * 1024;
const SNIFF_BYTES = 8192;

export async function receiveSingleFile(req: IncomingMessage, options: { dataDir: string; maxBytes: number }): Promise<ReceivedFile> {
  if (mediaType(req) !== 'multipart/form-data') {
    throw graphError.unsupportedMediaType(
      `Content-Type '${req.headers['content-type'] ?? '(none)'}' is not supported for uploadFile; send multipart/form-data with one part named 'file'.`,
    );
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes + FRAMING_ALLOWANCE) {
    throw graphError.payloadTooLarge(`The upload is ${declared} bytes; files may be at most ${options.maxBytes} bytes. Split the data into several files.`);
  }
  let parser: busboy.Busboy;
  try {
    // busboy signals the limit when a file reaches it; one byte more means "over".
    parser = busboy({ headers: req.headers, limits: { fileSize: options.maxBytes + 1, files: 1, fields: 0 } });
  } catch (error) {
    throw graphError.badRequest(`Invalid multipart/form-data request: ${(error as Error).message}.`);
  }

  const contentPath = path.join(options.dataDir, `${randomUUID()}.upload`);
  let failure: GraphError | undefined;
  let received: Omit<ReceivedFile, 'contentPath'> | undefined;
  let fileDone: Promise<void> | undefined;
  const fail = (error: GraphError): void => {
    failure ??= error;
  };

  parser.on('file', (fieldName, stream, info) => {
    if (fieldName !== 'file') {
      fail(graphError.badRequest(`Unexpected multipart part '${fieldName}': send exactly one part, named 'file'.`));
      stream.resume();
      return;
    }
    if (info.filename === undefined || info.filename.trim() === '') {
      fail(graphError.badRequest("The 'file' part has no filename; set Content-Disposition: form-data; name=\"file\"; filename=\"<name>.csv\"."));
      stream.resume();
      return;
    }
    const name = path.basename(info.filename.replace(/\\/g, '/'));
    if (!/\.csv$/i.test(name)) {
      fail(graphError.badRequest(`File '${name}' is not a .csv file; upload CSV text files named <name>.csv.`));
      stream.resume();
      return;
    }
    const hash = createHash('sha256');
    let size = 0;
    let sniffed = 0;
    // Never errors: a broken rule is recorded and the rest of the part is read and dropped, so busboy can finish
    // reading the request (destroying its file stream would stall the whole parse).
    const inspect = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (failure !== undefined) {
          callback();
          return;
        }
        if (sniffed < SNIFF_BYTES && chunk.subarray(0, SNIFF_BYTES - sniffed).includes(0)) {
          fail(graphError.badRequest(`File '${name}' is not CSV text (it contains binary NUL bytes).`));
          callback();
          return;
        }
        sniffed += chunk.length;
        size += chunk.length;
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    stream.on('limit', () => {
      fail(graphError.payloadTooLarge(`File '${name}' exceeds the limit of ${options.maxBytes} bytes. Split the data into several files.`));
    });
    fileDone = pipeline(stream, inspect, createWriteStream(contentPath, { mode: 0o600 })).then(
      () => {
        received = { name, size, sha256: hash.digest('hex') };
      },
      (error: unknown) => {
        fail(graphError.badRequest(`The upload was interrupted: ${(error as Error).message}.`));
      },
    );
  });
  parser.on('field', (fieldName) => fail(graphError.badRequest(`Unexpected multipart field '${fieldName}': send exactly one part, named 'file'.`)));
  parser.on('filesLimit', () => fail(graphError.badRequest("More than one file part: send exactly one part, named 'file', per uploadFile call.")));
  parser.on('fieldsLimit', () => fail(graphError.badRequest("Unexpected multipart field: send exactly one part, named 'file'.")));

  try {
    await pipeline(req, parser);
  } catch (error) {
    fail(graphError.badRequest(`Invalid multipart/form-data body: ${(error as Error).message}.`));
  }
  if (fileDone !== undefined) await fileDone;
  if (failure === undefined && received === undefined) fail(graphError.badRequest("The request has no part named 'file': send the CSV as multipart/form-data part 'file'."));
  if (failure === undefined && received !== undefined && received.size === 0) fail(graphError.badRequest(`File '${received.name}' is empty.`));
  if (failure !== undefined || received === undefined) {
    await fs.rm(contentPath, { force: true });
    throw failure ?? graphError.badRequest('The upload could not be read.');
  }
  return { ...received, contentPath };
}
