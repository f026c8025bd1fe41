import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { pipelineCheck } from '../../workflows';
import type { TestTemporal } from '../harness/temporal';
import { connectTestTemporal } from '../harness/temporal';

const root = path.resolve(__dirname, '..', '..');

describe('the production build (npm run build, node dist/workers/main.js)', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(async () => temporal.close());

  it('starts from the prebuilt workflow bundle, runs work, and stops gracefully on SIGTERM', async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: root });
    const taskQueue = `production-build-${Date.now()}`;
    const worker = spawn(process.execPath, [path.join(root, 'dist', 'workers', 'main.js')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, WORKER_TASK_QUEUE: taskQueue },
    });
    let output = '';
    worker.stdout.on('data', (c: Buffer) => (output += c.toString()));
    worker.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    for (let i = 0; i < 150 && !output.includes('"msg":"worker started"'); i++) {
      if (worker.exitCode !== null) throw new Error(`the worker exited early:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // No webpack at start-up: the bundle `npm run build` wrote was used.
    expect(output).not.toContain('Workflow bundle created');

    const result = await temporal.client.workflow.execute(pipelineCheck, { workflowId: `production-build/${Date.now()}`, taskQueue, args: [{ requestedBy: 'test' }] });
    expect(result.worker.pid).toBe(worker.pid);

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"worker stopped"');
  });

  it('says how to fix an unreachable Temporal server', async () => {
    const failed = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'workers', 'main.ts')], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    }).catch((err: { code: number; stderr: string }) => err);
    expect('code' in failed && failed.code).toBe(1);
    expect('stderr' in failed ? failed.stderr : '').toContain('cannot connect to Temporal at 127.0.0.1:1 (namespace default)');
  });
});
