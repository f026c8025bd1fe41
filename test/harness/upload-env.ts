import { randomUUID, createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { RunningEmulator } from '../../emulator';
import { clientEnvironment, startEmulator } from '../../emulator';
import type { StagedFile } from '../../contracts/manifest';
import type { FallbackNotice } from '../../contracts/notice';
import { createWorkerActivities } from '../../workers/activities';
import { createWorker } from '../../workers/create-worker';
import { loadWorkerSettings } from '../../workers/worker-settings';
import type { TestTemporal } from './temporal';
import { connectTestTemporal } from './temporal';

/** The seeded review the tests upload for: definition "Quarterly review: Ledger" (examples/emulator-seed.json). */
export const LEDGER = {
  catalogId: 'c0ffee00-0000-4000-8000-00000000ca01',
  resourceId: 'd00d0000-0000-4000-8000-00000000b001',
  reviewDefinitionId: 'e1e1e1e1-0000-4000-8000-0000000000d1',
} as const;

export interface ReceivedNotice {
  at: number;
  body: { text: string; notice: FallbackNotice };
}

/** A local HTTP receiver standing in for the notice webhook (a Teams or Slack channel in production). */
export async function startNoticeReceiver(): Promise<{ url: string; notices: ReceivedNotice[]; close(): Promise<void> }> {
  const notices: ReceivedNotice[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      notices.push({ at: Date.now(), body: JSON.parse(body) as ReceivedNotice['body'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/notices`, notices, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface UploadTestEnv {
  temporal: TestTemporal;
  emulator: RunningEmulator;
  taskQueue: string;
  /** Environment of a worker wired to this emulator (also for worker processes a test spawns). */
  workerEnv: NodeJS.ProcessEnv;
  notices: ReceivedNotice[];
  stagingDir: string;
  /** A fresh review instance of the seeded Ledger review, Initializing now. */
  newInstance(): Promise<typeof LEDGER & { reviewInstanceId: string }>;
  /** Upload-layout CSV files of `rows` rows each, from seeded users, with their manifest entries. */
  makeCsvFiles(count: number, rows: number, prefix?: string): Promise<StagedFile[]>;
  /** A worker of this project wired to the emulator, on the test's task queue unless another is given. */
  createWorker(env?: NodeJS.ProcessEnv, taskQueue?: string): Promise<Worker>;
  /** A worker running in the background until `close()`, for tests that start runs and wait on their results. */
  runWorkerInBackground(): Promise<void>;
  /** Request-log entries of uploadFile calls (in order). */
  uploadRequests(): Promise<Awaited<ReturnType<RunningEmulator['admin']['requests']>>>;
  /** The emulator's sessions of one review instance. */
  sessionsOf(reviewInstanceId: string): Promise<Awaited<ReturnType<RunningEmulator['admin']['sessions']>>>;
  close(): Promise<void>;
}

const HEADER = 'PrincipalId,PrincipalType,PermissionId,PermissionName,PermissionDescription,PermissionType,ScopeId,ScopeDisplayName,EntitlementOwners_Users,EntitlementOwners_Groups,CustomData';
const USERS = ['a1b2c3d4-0001-4000-8000-000000000001', 'a1b2c3d4-0002-4000-8000-000000000002'];

export async function startUploadTestEnv(options: { uploadWindowSeconds?: number } = {}): Promise<UploadTestEnv> {
  const temporal = await connectTestTemporal();
  const emulator = await startEmulator({ port: 0, ...(options.uploadWindowSeconds ? { uploadWindowSeconds: options.uploadWindowSeconds } : {}) });
  const receiver = await startNoticeReceiver();
  const stagingDir = await mkdtemp(path.join(tmpdir(), 'upload-test-'));
  const taskQueue = `review-upload-test-${randomUUID()}`;
  const workerEnv: NodeJS.ProcessEnv = {
    ...clientEnvironment(emulator),
    GRAPH_API_VERSION: 'v1.0',
    NOTIFY_WEBHOOK_URL: receiver.url,
    STAGING_DIR: stagingDir,
    WORKER_TASK_QUEUE: taskQueue,
  };
  const closers: (() => Promise<void>)[] = [];
  let background: { worker: Worker; running: Promise<void> } | undefined;
  let fileCounter = 0;
  const newWorker = async (env: NodeJS.ProcessEnv = {}, queue = taskQueue): Promise<Worker> => {
    const built = createWorkerActivities({ ...workerEnv, ...env });
    closers.push(built.close);
    return createWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      activities: built.activities,
      settings: loadWorkerSettings({}),
      workflowBundle: temporal.workflowBundle,
      taskQueue: queue,
    });
  };


  return {
    temporal,
    emulator,
    taskQueue,
    workerEnv,
    notices: receiver.notices,
    stagingDir,
    async newInstance() {
      const instance = await emulator.admin.startInstance(LEDGER.reviewDefinitionId);
      return { ...LEDGER, reviewInstanceId: instance.id };
    },
    async makeCsvFiles(count, rows, prefix = 'ledger-access') {
      const files: StagedFile[] = [];
      for (let i = 0; i < count; i++) {
        const name = `${prefix}-${++fileCounter}.csv`;
        const lines = [HEADER];
        for (let r = 0; r < rows; r++) {
          const user = USERS[r % USERS.length] ?? '';
          lines.push(`${user},EntraIdUser,perm-${i}-${r},Read ${r},Reads ledger ${r},Role,${LEDGER.resourceId},Ledger,,,row ${r} of ${name}`);
        }
        const content = `${lines.join('\r\n')}\r\n`;
        const filePath = path.join(stagingDir, name);
        await writeFile(filePath, content);
        files.push({ name, path: filePath, size: Buffer.byteLength(content), sha256: createHash('sha256').update(content).digest('hex'), rows });
      }
      return files;
    },
    async runWorkerInBackground() {
      const worker = await newWorker();
      background = { worker, running: worker.run() };
    },
    async uploadRequests() {
      return (await emulator.admin.requests()).filter((r) => r.method === 'POST' && r.path.endsWith('/uploadFile'));
    },
    async sessionsOf(reviewInstanceId) {
      return (await emulator.admin.sessions()).filter((s) => s.referenceId === reviewInstanceId);
    },
    createWorker: newWorker,
    async close() {
      if (background) {
        background.worker.shutdown();
        await background.running;
      }
      for (const close of closers) await close();
      await receiver.close();
      await emulator.stop();
      await temporal.close();
      await rm(stagingDir, { recursive: true, force: true });
    },
  };
}
