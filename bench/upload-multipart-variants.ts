/**
 * Which multipart body to stream uploads with: undici FormData over `fs.openAsBlob` versus our hand-written
 * preamble + file stream + epilogue (activities/graph/multipart.ts). Both go through the same undici Agent to a
 * local HTTP sink that counts bytes; prints MB/s of each, the ratio, and checks each sent the same Content-Length.
 *
 *   npx tsx bench/upload-multipart-variants.ts [--size-mb 512] [--rounds 3]
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, FormData, request } from 'undici';
import { multipartFileBody } from '../activities/graph/multipart';
import { writeSyntheticCsv } from './upload-fixtures';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

async function main(): Promise<void> {
  const sizeMb = arg('--size-mb', 512);
  const rounds = arg('--rounds', 3);
  const dir = await mkdtemp(join(tmpdir(), 'multipart-bench-'));
  const path = join(dir, 'bench.csv');
  const size = await writeSyntheticCsv(path, sizeMb * 1024 * 1024);

  const received: number[] = [];
  const server = createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      received.push(n);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: n, contentLength: req.headers['content-length'] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
  const dispatcher = new Agent({ connections: 4 });

  const variants: Record<string, () => Promise<void>> = {
    handWritten: async () => {
      const mp = multipartFileBody({ path, name: 'bench.csv', size });
      const res = await request(url, { method: 'POST', dispatcher, body: mp.body, headers: { 'content-type': mp.contentType, 'content-length': String(mp.contentLength) } });
      await res.body.dump();
    },
    formDataOpenAsBlob: async () => {
      const form = new FormData();
      form.append('file', await openAsBlob(path, { type: 'application/octet-stream' }), 'bench.csv');
      const res = await request(url, { method: 'POST', dispatcher, body: form });
      await res.body.dump();
    },
  };

  const best: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const started = process.hrtime.bigint();
      await run();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const mbps = size / 1024 / 1024 / seconds;
      best[name] = Math.max(best[name] ?? 0, mbps);
      console.log(`round ${round + 1} ${name.padEnd(20)} ${mbps.toFixed(0)} MB/s (${received.at(-1)} bytes received)`);
    }
  }
  const hand = best.handWritten ?? 0;
  const form = best.formDataOpenAsBlob ?? 0;
  console.log(`best of ${rounds}: handWritten ${hand.toFixed(0)} MB/s, formDataOpenAsBlob ${form.toFixed(0)} MB/s, ratio handWritten/formData ${(hand / form).toFixed(2)}`);

  await dispatcher.close();
  server.close();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
