/**
 * The cost of durability: the upload workflow (Temporal dev server, worker, activities, history) against a plain
 * script making the same Graph calls to the same emulator (create, upload each file with the same concurrency,
 * verify with $expand=files, complete), for 5 files of 40 MB each. Prints each side's median time and the ratio.
 * Target (issue 5): workflow / plain <= 1.25.
 *
 *   npx tsx bench/durability-overhead.ts [--files 5] [--mb 40] [--rounds 5]
 *
 * Both sides run in this process, alternating, each on a fresh review instance; files are generated in a temp dir.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { startReviewUpload } from '../client/start-review-upload';
import type { StagedFile } from '../contracts/manifest';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/temporal';
import { clientEnvironment, startEmulator } from '../emulator';
import { reexecTrustingEmulatorCa } from './emulator-ca';
import { resolveTemporalCli } from '../scripts/temporal-cli';
import { createWorkerActivities } from '../workers/activities';
import { WORKFLOWS_ENTRY, createWorker } from '../workers/create-worker';
import { loadWorkerSettings } from '../workers/worker-settings';
import { LEDGER, writeSyntheticCsv } from './upload-fixtures';

const CONCURRENCY = 2; // the workflow's default; the plain script uses the same

const option = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1] ?? fallback) : fallback;
};

async function stagedFile(filePath: string): Promise<StagedFile> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return { name: path.basename(filePath), path: filePath, size: (await stat(filePath)).size, sha256: hash.digest('hex'), rows: 0 };
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}


const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const files = option('--files', 5);
  const mb = option('--mb', 40);
  const rounds = option('--rounds', 5);
  const dir = await mkdtemp(path.join(tmpdir(), 'durability-bench-'));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const emulator = await startEmulator({ port: 0, maxUploadBytes: (mb + 1) * 1024 * 1024 });
  const cli = await resolveTemporalCli({ install: true });
  const temporal = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cli.path }, searchAttributes: ALL_SEARCH_ATTRIBUTES } });
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  const { activities, graph, close } = createWorkerActivities({ ...clientEnvironment(emulator), STAGING_DIR: path.join(dir, 'staging') });
  try {
    process.stdout.write(`generating ${files} files of ${mb} MB…\n`);
    const staged: StagedFile[] = [];
    for (let i = 1; i <= files; i++) {
      const p = path.join(dir, `bench-${i}.csv`);
      await writeSyntheticCsv(p, mb * 1024 * 1024);
      staged.push(await stagedFile(p));
    }
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: new DefaultLogger('ERROR') });
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    await writeFile(bundlePath, code);
    // One long-running worker, as in production: its start-up is not part of any measured run.
    worker = await createWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace ?? 'default',
      activities,
      settings: loadWorkerSettings({}),
      workflowBundle: { codePath: bundlePath },
      taskQueue: 'durability-bench',
    });
    workerRun = worker.run();

    // The emulator parses a completed session's CSVs in the background (as Graph processes them); let that finish,
    // untimed, so it does not slow down the next measured run.
    const settle = async (sessionId: string): Promise<void> => {
      await emulator.admin.session(sessionId, { waitForProcessing: true });
    };

    const plain = async (): Promise<number> => {
      const instance = await emulator.admin.startInstance(LEDGER.reviewDefinitionId);
      const started = performance.now();
      const session = await graph.createUploadSession(LEDGER.catalogId, LEDGER.resourceId, { reviewDefinitionId: LEDGER.reviewDefinitionId, reviewInstanceId: instance.id });
      await pool(staged, CONCURRENCY, async (f) => {
        await graph.uploadFile(LEDGER.catalogId, LEDGER.resourceId, session.id, { path: f.path, name: f.name, size: f.size });
      });
      const verified = await graph.getUploadSession(LEDGER.catalogId, LEDGER.resourceId, session.id, { expandFiles: {} });
      if ((verified.files ?? []).length !== staged.length) throw new Error('plain script: the session does not hold every file');
      const completed = await graph.completeUploadSession(LEDGER.catalogId, LEDGER.resourceId, session.id);
      if (completed.status !== 'complete') throw new Error(`plain script: session ended ${completed.status}`);
      const seconds = (performance.now() - started) / 1000;
      await settle(session.id);
      return seconds;
    };

    const durable = async (): Promise<number> => {
      const instance = await emulator.admin.startInstance(LEDGER.reviewDefinitionId);
      const started = performance.now();
      const { handle } = await startReviewUpload(
        temporal.client,
        { ...LEDGER, reviewInstanceId: instance.id, source: { kind: 'staged', files: staged }, options: { uploadConcurrency: CONCURRENCY } },
        { taskQueue: 'durability-bench' },
      );
      const result = await handle.result();
      if (result.outcome !== 'completed') throw new Error(`workflow: ${result.reason ?? result.outcome}`);
      const seconds = (performance.now() - started) / 1000;
      await settle(result.sessionId ?? '');
      return seconds;
    };

    await plain(); // warm-up: token, connections, JIT
    await durable();
    const plainTimes: number[] = [];
    const durableTimes: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      plainTimes.push(await plain());
      durableTimes.push(await durable());
      process.stdout.write(`round ${round}: plain ${plainTimes.at(-1)?.toFixed(2)} s, workflow ${durableTimes.at(-1)?.toFixed(2)} s\n`);
    }
    const p = median(plainTimes);
    const d = median(durableTimes);
    const totalMb = files * mb;
    process.stdout.write(
      [
        '',
        `${files} files x ${mb} MB, concurrency ${CONCURRENCY}, median of ${rounds} rounds:`,
        `  plain script  ${p.toFixed(2)} s  (${(totalMb / p).toFixed(1)} MB/s)`,
        `  workflow      ${d.toFixed(2)} s  (${(totalMb / d).toFixed(1)} MB/s)`,
        `  ratio workflow/plain = ${(d / p).toFixed(3)}  (target <= 1.25)`,
        '',
      ].join('\n'),
    );
  } finally {
    worker?.shutdown();
    await workerRun;
    await close();
    await temporal.teardown();
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

reexecTrustingEmulatorCa()
  .then((isParent) => (isParent ? undefined : main()))
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
