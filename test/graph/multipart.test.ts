/**
 * The upload body, byte for byte, against a plain local HTTP server of our own (no emulator): what a multipart
 * parser (busboy, as servers use) reads, the exact Content-Length, progress, a file that changes size, cancellation.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import busboy from 'busboy';
import { Agent, request } from 'undici';
import { isSafeMultipartFileName, multipartFileBody } from '../../activities/graph/multipart';

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  parts: { field: string; filename: string; mimeType: string; content: Buffer }[];
  aborted: boolean;
}

let server: Server;
let url: string;
let dir: string;
const dispatcher = new Agent({ connections: 2 });
let received: Promise<Received>;
let onRequest: (r: Received) => void;

function expectRequest(): void {
  received = new Promise((resolve) => (onRequest = resolve));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'multipart-test-'));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const result: Received = { headers: req.headers, raw: Buffer.alloc(0), parts: [], aborted: false };
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('aborted', () => {
      result.aborted = true;
      onRequest(result);
    });
    req.on('end', () => {
      result.raw = Buffer.concat(chunks);
      const parser = busboy({ headers: req.headers, defParamCharset: 'utf8' });
      parser.on('file', (field, stream, info) => {
        const content: Buffer[] = [];
        stream.on('data', (c: Buffer) => content.push(c));
        stream.on('end', () => result.parts.push({ field, filename: info.filename ?? '', mimeType: info.mimeType, content: Buffer.concat(content) }));
      });
      parser.on('close', () => {
        onRequest(result);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      parser.end(result.raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/uploadFile`;
});

afterAll(async () => {
  await dispatcher.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function send(path: string, name: string, size: number, options: { onProgress?: (n: number) => void; signal?: AbortSignal } = {}) {
  const mp = multipartFileBody({ path, name, size }, options.onProgress, '----test-boundary-0123456789');
  const res = await request(url, {
    method: 'POST',
    dispatcher,
    body: mp.body,
    signal: options.signal,
    headers: { 'content-type': mp.contentType, 'content-length': String(mp.contentLength) },
  });
  await res.body.dump();
  return mp;
}

describe('multipart upload body', () => {
  it('is exactly one part named "file" with the filename, application/octet-stream and the file bytes', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const path = join(dir, 'data.csv');
    await writeFile(path, content);
    expectRequest();
    const progress: number[] = [];
    const mp = await send(path, "O'Brien data.csv", content.length, { onProgress: (n) => progress.push(n) });
    const got = await received;

    const expected = Buffer.concat([
      Buffer.from(
        '------test-boundary-0123456789\r\n' +
          'Content-Disposition: form-data; name="file"; filename="O\'Brien data.csv"\r\n' +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      content,
      Buffer.from('\r\n------test-boundary-0123456789--\r\n'),
    ]);
    expect(got.raw.equals(expected)).toBe(true);
    expect(Number(got.headers['content-length'])).toBe(expected.length);
    expect(mp.contentLength).toBe(expected.length);
    expect(got.headers['content-type']).toBe('multipart/form-data; boundary=----test-boundary-0123456789');
    expect(got.parts).toHaveLength(1);
    expect(got.parts[0]).toMatchObject({ field: 'file', filename: "O'Brien data.csv", mimeType: 'application/octet-stream' });
    expect(got.parts[0]!.content.equals(content)).toBe(true);
    // Progress rises to the file size, in more than one step (it streams, it does not read the file whole).
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(content.length);
  });

  it('sends an empty file as an empty part', async () => {
    const path = join(dir, 'empty.csv');
    await writeFile(path, '');
    expectRequest();
    await send(path, 'empty.csv', 0);
    const got = await received;
    expect(got.parts).toEqual([{ field: 'file', filename: 'empty.csv', mimeType: 'application/octet-stream', content: Buffer.alloc(0) }]);
  });

  it('sends unicode file names as UTF-8', async () => {
    const path = join(dir, 'u.csv');
    await writeFile(path, 'a\n');
    expectRequest();
    await send(path, 'Übersicht – März.csv', 2);
    expect((await received).parts[0]?.filename).toBe('Übersicht – März.csv');
  });

  it('fails instead of sending a wrong length when the file shrank after it was measured', async () => {
    const path = join(dir, 'shrinks.csv');
    await writeFile(path, randomBytes(1000));
    await truncate(path, 400);
    await expect(send(path, 'shrinks.csv', 1000)).rejects.toThrow();
  });

  it('stops sending when the signal aborts, and the server sees the request cut off', async () => {
    const size = 64 * 1024 * 1024;
    const path = join(dir, 'big.csv');
    await writeFile(path, Buffer.alloc(size, 0x61));
    const controller = new AbortController();
    let maxSent = 0;
    expectRequest();
    const sending = send(path, 'big.csv', size, {
      signal: controller.signal,
      onProgress: (n) => {
        maxSent = n;
        if (n >= 4 * 1024 * 1024) controller.abort(new Error('cancelled by test'));
      },
    });
    await expect(sending).rejects.toThrow('cancelled by test');
    expect((await received).aborted).toBe(true);
    expect(maxSent).toBeLessThan(size);
  });

  it('refuses file names a multipart header cannot carry unambiguously', () => {
    for (const bad of ['', ' ', 'a"b.csv', 'a\\b.csv', 'dir/a.csv', 'a\r\nb.csv']) expect(isSafeMultipartFileName(bad)).toBe(false);
    expect(isSafeMultipartFileName("it's (1); 50% + more.csv")).toBe(true);
    expect(() => multipartFileBody({ path: '/x', name: 'a"b.csv', size: 1 })).toThrow('cannot be sent as a multipart filename');
  });
});
