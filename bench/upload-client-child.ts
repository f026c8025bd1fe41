/**
 * Child process of bench/upload-throughput.ts: uploads one file with our GraphClient, as a worker would, and prints
 * `{ seconds, peakRssBytes, baselineRssBytes }` as JSON. RSS is sampled every 20 ms during the upload.
 */
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GraphClient } from '../activities/graph/client';
import { GRAPH_SCOPE, createCredential } from '../activities/graph/credential';
import { createGraphDispatcher } from '../activities/graph/dispatcher';
import { loadGraphSettings } from '../activities/graph/settings';

export interface ChildTask {
  catalogId: string;
  resourceId: string;
  sessionId: string;
  path: string;
  name: string;
  size: number;
}

export interface ChildResult {
  seconds: number;
  peakRssBytes: number;
  baselineRssBytes: number;
  /** User + system CPU time the upload took in this process. */
  cpuSeconds: number;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.env.UPLOAD_BENCH_TASK ?? '{}') as ChildTask;
  const settings = loadGraphSettings();
  const credential = createCredential(settings);
  const dispatcher = createGraphDispatcher(settings);
  const graph = new GraphClient({ credential, dispatcher, settings });
  // Warm the token cache so both sides start with a token in hand (curl gets one too).
  await credential.getToken(GRAPH_SCOPE);
  // A worker is long-lived: warm the JIT and the connection with a small untimed upload, as curl needs no warm-up.
  const warmupPath = join(dirname(task.path), `warmup-${task.name}`);
  await writeFile(warmupPath, Buffer.alloc(4 * 1024 * 1024, 'a'));
  await graph.uploadFile(task.catalogId, task.resourceId, task.sessionId, { path: warmupPath, name: `warmup-${task.name}`, size: 4 * 1024 * 1024 });
  await rm(warmupPath);

  const baselineRssBytes = process.memoryUsage().rss;
  let peakRssBytes = baselineRssBytes;
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
  }, 20);
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const session = await graph.uploadFile(task.catalogId, task.resourceId, task.sessionId, {
    path: task.path,
    name: task.name,
    size: task.size,
    onProgress: () => {
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  if (!(session.files ?? []).some((f) => f.name === task.name && f.size === task.size)) throw new Error(`${task.name} is not in the session after upload`);
  await dispatcher.close();
  const result: ChildResult = { seconds, peakRssBytes, baselineRssBytes, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
