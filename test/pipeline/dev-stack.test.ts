import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Agent, request } from 'undici';
import type { ReviewUploadResult } from '../../contracts/review-upload';
import { TASK_QUEUE } from '../../contracts/temporal';
import { createAdminClient } from '../../emulator/admin-client';
import type { reviewUpload } from '../../workflows';
import { pipelineCheck } from '../../workflows';

const root = path.resolve(__dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run dev (scripts/dev.ts)', () => {
  let dataDir: string;
  let dev: ChildProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'dev-stack-'));
  });

  afterAll(async () => {
    if (dev?.pid && alive(dev.pid)) dev.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('brings up server, Web UI and worker, runs work, and stops every process on SIGINT', async () => {
    const [temporalPort, uiPort, emulatorPort, calloutPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    dev = spawn(process.execPath, [require.resolve('tsx/cli'), 'scripts/dev.ts'], {
      cwd: root,
      env: { ...process.env, DEV_TEMPORAL_PORT: String(temporalPort), DEV_TEMPORAL_UI_PORT: String(uiPort), DEV_EMULATOR_PORT: String(emulatorPort), DEV_CALLOUT_PORT: String(calloutPort), DEV_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    dev.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => dev?.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 90_000;
    while (!output.includes('Ctrl-C stops everything.') && Date.now() < deadline) {
      if (dev.exitCode !== null) throw new Error(`dev stack exited early:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(output).toContain(`Web UI           http://localhost:${uiPort}`);
    const pids = [...output.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(4);

    // The stack's own worker runs a workflow, and the Web UI's API lists it.
    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    const workflowId = `pipeline-check/dev-stack-test/${Date.now()}`;
    try {
      const client = new Client({ connection });
      const result = await client.workflow.execute(pipelineCheck, { workflowId, taskQueue: TASK_QUEUE, args: [{ requestedBy: 'dev-stack-test' }] });
      // The stack's worker is pointed at the stack's emulator by configuration alone.
      expect(result.worker.graphTarget).toBe(`https://localhost:${emulatorPort}`);
    } finally {
      await connection.close();
    }
    let listed = '';
    for (let attempt = 0; attempt < 40 && !listed.includes(workflowId); attempt++) {
      const response = await fetch(`http://127.0.0.1:${uiPort}/api/v1/namespaces/default/workflows`);
      expect(response.status).toBe(200);
      listed = await response.text();
      if (!listed.includes(workflowId)) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(listed).toContain(workflowId);

    // The emulator answers Entra's discovery over HTTPS with the stack's CA.
    const ca = await readFile(path.join(dataDir, 'emulator', 'tls', 'ca.pem'), 'utf8');
    const discovery = await request(`https://localhost:${emulatorPort}/8f1c2a52-3b7e-4c1d-9a3e-5d2f6b7c8e90/v2.0/.well-known/openid-configuration`, {
      dispatcher: new Agent({ connect: { ca } }),
    });
    expect(discovery.statusCode).toBe(200);
    expect(((await discovery.body.json()) as { token_endpoint: string }).token_endpoint).toContain(`https://localhost:${emulatorPort}/`);

    // The whole loop: an instance starts, the emulator calls the stack's receiver, the receiver starts the upload.
    const admin = createAdminClient(`https://localhost:${emulatorPort}/_emulator`, ca);
    const instance = await admin.startInstance('e1e1e1e1-0000-4000-8000-0000000000d1');
    await admin.close();
    const check = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    try {
      const uploadId = `review-upload/c0ffee00-0000-4000-8000-00000000ca01/d00d0000-0000-4000-8000-00000000b001/${instance.id}`;
      let result: ReviewUploadResult | undefined;
      for (let i = 0; i < 100 && !result; i++) {
        result = await new Client({ connection: check }).workflow.getHandle<typeof reviewUpload>(uploadId).result().catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          return undefined;
        });
      }
      expect(result?.outcome).toBe('completed');
    } finally {
      await check.close();
    }

    dev.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});
