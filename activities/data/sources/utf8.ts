import { isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { DataInputError } from '../errors';

/**
 * A pass-through that refuses bytes that are not UTF-8, naming the file, line and byte offset. Parsers would
 * otherwise replace them with U+FFFD and the upload would carry mangled names. Validation uses Node's native
 * `isUtf8`; a sequence split across two chunks is carried over to the next one.
 */
export function createUtf8Guard(location: string): Transform {
  let carry: Buffer | undefined;
  let line = 1;
  let offset = 0;

  const fail = (body: Buffer, at: number): DataInputError => {
    const lineAt = line + countNewlines(body, 0, at);
    const byte = body[at] ?? 0;
    return new DataInputError({
      origin: { location, line: lineAt },
      reason: `the file is not UTF-8 (byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at byte offset ${offset + at})`,
      hint: 'Export the file as UTF-8, or convert it (for example `iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv`).',
    });
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      const bytes = carry !== undefined ? Buffer.concat([carry, chunk]) : chunk;
      const cut = completeLength(bytes);
      const body = cut === bytes.length ? bytes : bytes.subarray(0, cut);
      carry = cut === bytes.length ? undefined : Buffer.from(bytes.subarray(cut));
      if (!isUtf8(body)) {
        callback(fail(body, firstInvalidByte(body)));
        return;
      }
      line += countNewlines(body, 0, body.length);
      offset += body.length;
      callback(null, body);
    },
    flush(callback: TransformCallback): void {
      if (carry !== undefined) {
        callback(fail(carry, 0));
        return;
      }
      callback();
    },
  });
}

/** Length of the prefix that holds only complete sequences (a lead byte near the end may wait for its tail). */
function completeLength(bytes: Buffer): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && back <= end; back += 1) {
    const b = bytes[end - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? end - back : end;
  }
  return end;
}

/** Offset of the first byte that breaks UTF-8 (only called once `isUtf8` said there is one). */
export function firstInvalidByte(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need: number;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k += 1) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return 0;
}

function countNewlines(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  let at = bytes.indexOf(10, from);
  while (at !== -1 && at < to) {
    count += 1;
    at = bytes.indexOf(10, at + 1);
  }
  return count;
}
