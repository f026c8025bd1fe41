/**
 * The multipart/form-data body of `uploadFile`: one part `name="file"; filename="<name>"`,
 * `Content-Type: application/octet-stream`, streamed from disk with an exact Content-Length.
 *
 * Hand-written preamble + file stream + epilogue rather than undici's FormData over `fs.openAsBlob`: measured with
 * `npx tsx bench/upload-multipart-variants.ts` (512 MB to a local sink, same undici Agent, best of 3) the
 * hand-written body ran at 672 MB/s against 351 MB/s for FormData + openAsBlob (1.9x; the blob streams 64 KiB
 * chunks, we read 1 MiB at a time; other runs on this shared 2-core machine gave 2.0x-2.2x). It also reports progress per chunk without wrapping a Blob, and it fails
 * loudly if the file changes size underneath us instead of sending a wrong Content-Length.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

export interface MultipartFileSource {
  /** Path of the file on disk. */
  path: string;
  /** File name as Graph will record it. */
  name: string;
  /** Exact size in bytes (the caller has checked it against the manifest). */
  size: number;
}

export interface MultipartBody {
  /** The whole request body; each call of `multipartFileBody` gives a fresh, single-use stream. Destroying it closes the file. */
  body: Readable;
  contentType: string;
  contentLength: number;
}

export const MULTIPART_READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Characters a filename parameter cannot carry without an escaping rule the receiving parser may not share, plus
 * `/` (servers keep only the last path segment, so the name Graph records would differ from the manifest's).
 */
const UNSAFE_FILENAME = /["\\/\r\n\0]/;

export function isSafeMultipartFileName(name: string): boolean {
  return name.trim() !== '' && !UNSAFE_FILENAME.test(name);
}

export function newBoundary(): string {
  return `----entra-review-uploader-${randomBytes(16).toString('hex')}`;
}

export function multipartPreamble(boundary: string, name: string): Buffer {
  if (!isSafeMultipartFileName(name)) {
    throw new Error(`file name ${JSON.stringify(name)} cannot be sent as a multipart filename: it must be non-empty and contain no ", \\, /, CR, LF or NUL`);
  }
  return Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      'Content-Type: application/octet-stream\r\n' +
      '\r\n',
    'utf8',
  );
}

export function multipartEpilogue(boundary: string): Buffer {
  return Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
}

/**
 * Builds the body. `onProgress(bytesOfFileRead)` runs after each chunk is handed on; with undici's backpressure that
 * trails the bytes on the wire by at most a socket buffer.
 */
export function multipartFileBody(file: MultipartFileSource, onProgress?: (bytesSent: number) => void, boundary: string = newBoundary()): MultipartBody {
  const preamble = multipartPreamble(boundary, file.name);
  const epilogue = multipartEpilogue(boundary);
  async function* generate(): AsyncGenerator<Buffer, void, undefined> {
    yield preamble;
    let sent = 0;
    if (file.size > 0) {
      // `end` is inclusive; a file that grew is cut at the manifest size, one that shrank is caught below.
      const stream = createReadStream(file.path, { start: 0, end: file.size - 1, highWaterMark: MULTIPART_READ_CHUNK_BYTES });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        sent += chunk.length;
        yield chunk;
        onProgress?.(sent);
      }
    }
    if (sent !== file.size) throw new Error(`${file.path} has ${sent} bytes, expected ${file.size}: the staged file changed while uploading`);
    yield epilogue;
  }
  return {
    body: Readable.from(generate(), { objectMode: false }),
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: preamble.length + file.size + epilogue.length,
  };
}
