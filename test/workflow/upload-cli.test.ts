import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ReviewUploadResult } from '../../contracts/review-upload';
import type { UploadTestEnv } from '../harness/upload-env';
import { startUploadTestEnv } from '../harness/upload-env';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

/** Runs `npm run upload -- …` as a person would (the CLI in its own process, against the test's server). */
async function uploadCli(env: UploadTestEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'upload.ts'), ...args], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: env.temporal.address, TEMPORAL_NAMESPACE: env.temporal.namespace },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run upload (scripts/upload.ts)', () => {
  let env: UploadTestEnv;

  beforeAll(async () => {
    env = await startUploadTestEnv();
    await env.runWorkerInBackground();
  });
  afterAll(async () => env.close());

  const idArgs = (instance: Awaited<ReturnType<UploadTestEnv['newInstance']>>) => [
    '--catalog', instance.catalogId, '--resource', instance.resourceId, '--definition', instance.reviewDefinitionId, '--instance', instance.reviewInstanceId,
    '--task-queue', env.taskQueue,
  ];

  it('starts a run from CSV files, follows it, prints the result as JSON and exits 0 when completed', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(2, 10);
    const { code, stdout } = await uploadCli(env, ['start', ...idArgs(instance), '--file', files[0]!.path, '--file', files[1]!.path, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ReviewUploadResult & { workflowId: string; webUi: string };
    expect(result).toMatchObject({ outcome: 'completed', workflowId: `review-upload/${instance.catalogId}/${instance.resourceId}/${instance.reviewInstanceId}` });
    expect(result.files.map((f) => [f.name, f.size, f.sha256, f.rows])).toEqual(files.map((f) => [f.name, f.size, f.sha256, f.rows]));
    expect(result.webUi).toContain(encodeURIComponent(result.workflowId));
  });

  it('prints a readable summary with the Web UI link, and exits 2 when the run falls back to manual upload', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(1, 5);
    await env.emulator.admin.setInstanceStatus(instance.reviewInstanceId, 'Initializing', new Date(Date.now() - 3 * 3600_000).toISOString());
    const { code, stdout, stderr } = await uploadCli(env, ['start', ...idArgs(instance), '--file', files[0]!.path]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/^Fell back to manual upload: .*window/m);
    expect(stdout).toContain('Web UI: http://localhost:8233/namespaces/default/workflows/review-upload');
    expect(stderr).toContain('Started run review-upload/');
  });

  it('refuses bad input with the field named, and exits 1 without starting anything', async () => {
    const instance = await env.newInstance();
    const missing = await uploadCli(env, ['start', ...idArgs(instance), '--file', '/nonexistent/access.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/nonexistent/access.csv: no such file');
    const both = await uploadCli(env, ['start', ...idArgs(instance)]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give either --file (one or more) or --mapping');
    const badDeadline = await uploadCli(env, ['start', ...idArgs(instance), '--mapping', 'examples/ledger-mapping.yaml', '--deadline', 'tomorrow']);
    expect(badDeadline.code).toBe(1);
    expect(badDeadline.stderr).toMatch(/deadline: /);
    expect(await env.sessionsOf(instance.reviewInstanceId)).toEqual([]);
  });

  it('shows the status of a run and cancels it with a reason', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(2, 5);
    // Far slower than two CLI processes starting, so the run is still uploading when the cancel comes.
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 60_000, pathPattern: '/uploadFile$' });
    try {
      const started = await uploadCli(env, ['start', ...idArgs(instance), '--file', files[0]!.path, '--file', files[1]!.path, '--no-follow', '--json']);
      expect(started.code).toBe(0);
      const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
      const status = await uploadCli(env, ['status', workflowId, '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ status: 'RUNNING' });
      const cancelled = await uploadCli(env, ['cancel', workflowId, '--reason', 'cli test']);
      expect(cancelled.stdout).toContain(`Cancel requested for ${workflowId}`);
      const result = await env.temporal.client.workflow.getHandle(workflowId).result() as ReviewUploadResult;
      expect(result).toMatchObject({ outcome: 'fellBackToManual', reason: 'cancelled on request: cli test' });
    } finally {
      await env.emulator.admin.clearFaults();
    }
  });
});
