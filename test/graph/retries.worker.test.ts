/**
 * Retries as Temporal runs them: a real worker (on the run's dev server) executes our activities against the
 * emulator with faults switched on. Shows that a 429 storm is waited out by Retry-After on every retry, and that a
 * connection reset and a 500 in the middle of an upload end with the file in the session exactly once.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ActivityOptions } from '@temporalio/common';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { NON_RETRYABLE_GRAPH_FAILURES } from '../../contracts/graph-failures';
import type { OpenUploadSessionResult, UploadSessionFileResult } from '../../contracts/session-activities';
import { NON_RETRYABLE_SESSION_FAILURES } from '../../contracts/session-activities';
import { createSessionActivities } from '../../activities/session';
import { connectTestTemporal } from '../harness/temporal';
import type { TestTemporal } from '../harness/temporal';
import { csv, SEED, startGraphTestEnv } from './helpers/graph-env';
import type { GraphTestEnv } from './helpers/graph-env';
import type { runSessionActivity } from './workflows/run-activity';

let env: GraphTestEnv;
let temporal: TestTemporal;
let workflowBundle: { code: string };

beforeAll(async () => {
  env = await startGraphTestEnv();
  temporal = await connectTestTemporal();
  const quiet = (): void => undefined;
  workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows/run-activity'),
    logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
});
afterAll(async () => {
  await temporal?.close();
  await env?.close();
});
afterEach(async () => {
  await env.emulator.admin.reset();
});

const retryOptions: ActivityOptions = {
  startToCloseTimeout: '60s',
  heartbeatTimeout: '20s',
  retry: {
    initialInterval: '50ms',
    backoffCoefficient: 1,
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...NON_RETRYABLE_GRAPH_FAILURES, ...NON_RETRYABLE_SESSION_FAILURES],
  },
};

async function runActivity<T>(name: string, args: unknown[]): Promise<T> {
  const taskQueue = `graph-retries-${randomUUID()}`;
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle,
    activities: createSessionActivities({ graph: env.graph }),
  });
  const result = await worker.runUntil(
    temporal.client.workflow.execute<typeof runSessionActivity>('runSessionActivity', { taskQueue, workflowId: `graph-retries-${randomUUID()}`, args: [name, retryOptions, args] }),
  );
  return result as T;
}

it('a 429 storm: every retry waits at least Retry-After, then the activity succeeds', async () => {
  const instance = await env.emulator.admin.startInstance(SEED.quarterlyDefinitionId);
  await env.emulator.admin.setFaults({ rules: [{ kind: 'fail', status: 429, retryAfterSeconds: 1, count: 3, method: 'GET', pathPattern: '/uploadSessions$' }] });
  await env.emulator.admin.clearRequests();

  const result = await runActivity<OpenUploadSessionResult>('openUploadSession', [
    { catalogId: SEED.catalogId, resourceId: SEED.ledgerId, reviewDefinitionId: SEED.quarterlyDefinitionId, reviewInstanceId: instance.id },
  ]);
  expect(result.outcome).toBe('created');

  const lists = (await env.emulator.admin.requests()).filter((r) => r.method === 'GET' && r.path.endsWith('/uploadSessions'));
  expect(lists.map((r) => r.status)).toEqual([429, 429, 429, 200]);
  const times = lists.map((r) => Date.parse(r.time));
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
});

it('a connection reset and then a 500 in the middle of an upload: the retry uploads the file once, intact', async () => {
  const instance = await env.emulator.admin.startInstance(SEED.quarterlyDefinitionId);
  const session = await env.graph.createUploadSession(SEED.catalogId, SEED.ledgerId, { reviewDefinitionId: SEED.quarterlyDefinitionId, reviewInstanceId: instance.id });
  const file = await env.stage('access.csv', csv(60_000));
  await env.emulator.admin.setFaults({
    rules: [
      { kind: 'resetUpload', afterBytes: 512 * 1024, count: 1 },
      { kind: 'fail', status: 500, count: 1, method: 'POST', pathPattern: '/uploadFile$' },
    ],
  });
  await env.emulator.admin.clearRequests();

  const result = await runActivity<UploadSessionFileResult>('uploadSessionFile', [{ catalogId: SEED.catalogId, resourceId: SEED.ledgerId, sessionId: session.id, file }]);
  expect(result).toMatchObject({ outcome: 'uploaded', session: { filesUploaded: 1, totalBytesUploaded: file.size } });

  const uploads = (await env.emulator.admin.requests()).filter((r) => r.method === 'POST' && r.path.endsWith('/uploadFile'));
  expect(uploads).toHaveLength(3);
  expect(uploads.map((r) => r.status).slice(1)).toEqual([500, 200]);
  const stored = await env.emulator.admin.session(session.id);
  expect(stored.files.map((f) => [f.name, f.size])).toEqual([['access.csv', file.size]]);
  const content = await env.emulator.admin.fileContent(session.id, stored.files[0]!.id);
  expect(content.equals(await readFile(file.path))).toBe(true);
});
