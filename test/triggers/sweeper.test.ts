import type { WorkflowHandle } from '@temporalio/client';
import { startReviewUpload } from '../../client/start-review-upload';
import type { ReviewUploadProgress } from '../../contracts/review-upload';
import type { UploadTarget } from '../../contracts/targets';
import { sweepUploadSessions } from '../../workflows';
import type { UploadTestEnv } from '../harness/upload-env';
import { LEDGER, startUploadTestEnv } from '../harness/upload-env';
import { waitForPendingActivity, waitForProgress } from '../harness/run-state';

describe('the sweeper ends sessions of runs that were terminated by hand', () => {
  let env: UploadTestEnv;
  const targets: UploadTarget[] = [
    { name: 'ledger', catalogId: LEDGER.catalogId, resourceId: LEDGER.resourceId, reviewDefinitionIds: [LEDGER.reviewDefinitionId], source: { kind: 'staged', files: [] } },
  ];

  beforeAll(async () => {
    env = await startUploadTestEnv();
    await env.runWorkerInBackground();
  });
  afterAll(async () => env.close());
  afterEach(async () => {
    await env.emulator.admin.clearFaults();
    env.notices.length = 0;
  });

  async function terminateWhen(
    instance: Awaited<ReturnType<UploadTestEnv['newInstance']>>,
    fileCount: number,
    ready: (p: ReviewUploadProgress) => boolean,
    settled: (handle: WorkflowHandle) => Promise<void> = async () => undefined,
  ) {
    const files = await env.makeCsvFiles(fileCount, 10);
    const { handle } = await startReviewUpload(env.temporal.client, { ...instance, source: { kind: 'staged', files }, options: { uploadConcurrency: 1 } }, { taskQueue: env.taskQueue });
    await waitForProgress(handle, ready);
    await settled(handle);
    await handle.terminate('test: an operator terminated the run by hand');
    return { files, workflowId: handle.workflowId };
  }

  const sweep = async () =>
    env.temporal.client.workflow.execute(sweepUploadSessions, { workflowId: `sweep-test-${Date.now()}`, taskQueue: env.taskQueue, args: [{ targets, graceMinutes: 0 }] });

  it('deletes the half-filled session of a run terminated mid-upload, and tells a person', async () => {
    const instance = await env.newInstance();
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 1500, pathPattern: '/uploadFile$' });
    const { workflowId } = await terminateWhen(instance, 3, (p) => p.phase === 'uploading' && p.filesDone >= 1);
    await env.emulator.admin.clearFaults();
    expect((await env.sessionsOf(instance.reviewInstanceId))[0]?.status).toBe('active'); // the run's finally never ran

    const result = await sweep();
    expect(result.sessions.find((s) => s.reviewInstanceId === instance.reviewInstanceId)).toMatchObject({ action: 'deleted', workflowId });
    expect(await env.sessionsOf(instance.reviewInstanceId)).toEqual([]);
    expect(env.notices.map((n) => n.body.notice.reviewInstanceId)).toContain(instance.reviewInstanceId);
    expect(env.notices[0]!.body.text).toContain('the sweeper deleted it');
    expect(env.notices[0]!.body.notice.reviewDefinitionId).toBe(LEDGER.reviewDefinitionId);
  });

  it('completes the session of a run terminated after every planned file was in (verified against the run\'s manifest)', async () => {
    const instance = await env.newInstance();
    // Completing fails for now, so the run is stuck retrying its last step when it is terminated.
    await env.emulator.admin.addFault({ kind: 'fail', status: 503, method: 'PATCH', pathPattern: '/uploadSessions/[^/]+$' });
    const { files } = await terminateWhen(instance, 2, (p) => p.phase === 'completing', (handle) =>
      // No attempt may be in flight: one still running would complete the session itself once the fault is cleared.
      waitForPendingActivity(handle, 'completeUploadSession', 'waitingForRetry'),
    );
    await env.emulator.admin.clearFaults();

    const result = await sweep();
    expect(result.sessions.find((s) => s.reviewInstanceId === instance.reviewInstanceId)).toMatchObject({ action: 'completed' });
    const [session] = await env.sessionsOf(instance.reviewInstanceId);
    expect(session?.status).toBe('complete');
    expect(session?.files.map((f) => f.name).sort()).toEqual(files.map((f) => f.name).sort());
  });

  it('leaves sessions of running runs alone', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(1, 5);
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 10_000, pathPattern: '/uploadFile$' }); // the sweep must see it running
    const { handle } = await startReviewUpload(env.temporal.client, { ...instance, source: { kind: 'staged', files } }, { taskQueue: env.taskQueue });
    await waitForProgress(handle, (p) => p.phase === 'uploading'); // its session is open
    const result = await sweep();
    expect(result.sessions.find((s) => s.reviewInstanceId === instance.reviewInstanceId)).toMatchObject({ action: 'skippedRunning' });
    await env.emulator.admin.clearFaults();
    expect((await handle.result()).outcome).toBe('completed');
  });
});
