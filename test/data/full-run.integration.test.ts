/**
 * Data preparation against the emulator and the dev server: principals resolved through the project's Graph client,
 * and a full run from the example source exports to a completed upload session (issue 6, "Done when").
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Worker } from '@temporalio/worker';
import { startReviewUpload } from '../../client/start-review-upload';
import type { UploadManifest } from '../../contracts/manifest';
import { prepareUpload } from '../../activities/data/prepare';
import { createGraphPrincipalResolver } from '../../activities/data/resolver';
import { createWorkerActivities } from '../../workers/activities';
import type { UploadTestEnv } from '../harness/upload-env';
import { startUploadTestEnv } from '../harness/upload-env';

const EXAMPLE_MAPPING = resolve(__dirname, '../../examples/ledger-mapping.yaml');

describe('data preparation on the emulator and the dev server', () => {
  let env: UploadTestEnv;
  let worker: Worker;

  beforeAll(async () => {
    env = await startUploadTestEnv();
    worker = await env.createWorker();
  });
  afterAll(async () => env.close());

  it('resolves UPNs (one with a quote) through the Graph client and reports the unknown one', async () => {
    const { graph, close } = createWorkerActivities(env.workerEnv);
    try {
      const result = await prepareUpload(
        { mappingPath: EXAMPLE_MAPPING, runId: 'resolve-against-emulator', stagingRoot: join(env.stagingDir, 'resolve'), dryRun: true },
        { principalResolver: createGraphPrincipalResolver(graph) },
      );
      if (result.blocked) throw new Error(result.reason);
      expect(result.summary).toMatchObject({ rowsRead: 8, rowsWritten: 6, rowsUnresolved: 1, unresolvedPrincipals: 1 });
      const csv = (await Promise.all(result.manifest.files.map((f) => readFile(f.path, 'utf8')))).join('');
      for (const id of ['a1b2c3d4-0001-4000-8000-000000000001', 'a1b2c3d4-0002-4000-8000-000000000002', 'a1b2c3d4-0003-4000-8000-000000000003']) {
        expect(csv).toContain(`${id},EntraIdUser,`);
      }
      const batches = (await env.emulator.admin.requests()).filter((r) => r.path.endsWith('/$batch'));
      expect(batches.length).toBeGreaterThanOrEqual(1);
    } finally {
      await close();
    }
  });

  it('dry-runs from the command line with principals resolved through Graph, as a run would', async () => {
    const root = resolve(__dirname, '../..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/prepare.ts', '--mapping', EXAMPLE_MAPPING, '--resolver', 'graph', '--dry-run', '--out', join(env.stagingDir, 'cli'), '--run-id', 'cli-graph'],
      { cwd: root, env: { ...process.env, ...env.workerEnv } },
    );
    expect(stdout).toContain('Dry run: ready to upload (run cli-graph)');
    expect(stdout).toContain('rows read 8, written 6, rejected 0, unknown principal 1 (1 distinct)');
    expect((await env.emulator.admin.requests()).some((r) => r.path.endsWith('/$batch'))).toBe(true);
  });

  it('runs the workflow from the example exports to a complete session holding exactly the prepared file', async () => {
    const instance = await env.newInstance();
    const result = await worker.runUntil(async () => {
      const { handle } = await startReviewUpload(env.temporal.client, { ...instance, source: { kind: 'prepare', mappingPath: EXAMPLE_MAPPING } }, { taskQueue: env.taskQueue });
      return handle.result();
    });
    expect(result).toMatchObject({ outcome: 'completed', reason: null });

    const runs = await readdir(env.stagingDir);
    const runDir = runs.map((r) => join(env.stagingDir, r)).find((d) => d.includes(instance.reviewInstanceId));
    expect(runDir).toBeDefined();
    const manifest = JSON.parse(await readFile(join(runDir!, 'manifest.json'), 'utf8')) as UploadManifest;
    expect(manifest.totalRows).toBe(6);

    const session = (await env.sessionsOf(instance.reviewInstanceId))[0]!;
    const complete = await env.emulator.admin.session(session.id, { waitForProcessing: true });
    expect(complete.status).toBe('complete');
    // Files upload two at a time, so they arrive in either order.
    const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
    expect(complete.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })).sort(byName)).toEqual(
      (await Promise.all(manifest.files.map(async (f) => ({ name: f.name, size: f.size, sha256: createHash('sha256').update(await readFile(f.path)).digest('hex') })))).sort(byName),
    );
  });
});
