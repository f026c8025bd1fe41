import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startReviewUpload } from '../../client/start-review-upload';
import type { UploadTestEnv } from '../harness/upload-env';
import { startUploadTestEnv } from '../harness/upload-env';
import { waitForPendingActivity, waitForProgress } from '../harness/run-state';

const root = path.resolve(__dirname, '..', '..');

/** A worker as production runs it: its own process (`workers/main.ts`), in its own process group so SIGKILL takes all of it. */
function spawnWorkerProcess(env: UploadTestEnv): { child: ChildProcess; ready: Promise<void>; output: () => string } {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'workers', 'main.ts')], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env.workerEnv, TEMPORAL_ADDRESS: env.temporal.address, TEMPORAL_NAMESPACE: env.temporal.namespace, LOG_LEVEL: 'info' },
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('"msg":"worker started"')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker process exited (${String(code)}) before it started:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

describe('reviewUpload survives a worker killed mid-upload', () => {
  let env: UploadTestEnv;
  beforeAll(async () => {
    env = await startUploadTestEnv();
  });
  afterAll(async () => env.close());

  it('finishes on a replacement worker: session complete, no file twice, every sha256 as in the manifest', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(3, 200);
    const doomed = spawnWorkerProcess(env);
    await doomed.ready;
    // Slow answers to uploads, so the kill lands while one is in flight.
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 1500, pathPattern: '/uploadFile$' });
    const { handle } = await startReviewUpload(
      env.temporal.client,
      { ...instance, source: { kind: 'staged', files }, options: { uploadConcurrency: 1, uploadHeartbeatTimeoutSeconds: 5 } },
      { taskQueue: env.taskQueue },
    );
    await waitForProgress(handle, (p) => p.phase === 'uploading' && p.filesDone >= 1);
    await waitForPendingActivity(handle, 'uploadSessionFile', 'started'); // the next file's attempt is held by the doomed worker
    process.kill(-(doomed.child.pid ?? 0), 'SIGKILL');
    await env.emulator.admin.clearFaults();

    const replacement = await env.createWorker();
    const result = await replacement.runUntil(handle.result());

    expect(result).toMatchObject({ outcome: 'completed', unfinishedSession: null });
    const [session] = await env.sessionsOf(instance.reviewInstanceId);
    expect(session?.status).toBe('complete');
    const arrived = (session?.files ?? []).map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })).sort((a, b) => a.name.localeCompare(b.name));
    expect(arrived).toEqual(files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })));
    // The history shows the attempt lost with the worker and its retry on the replacement.
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
  });
});
