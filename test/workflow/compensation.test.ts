import { startReviewUpload } from '../../client/start-review-upload';
import { cancelUploadUpdate } from '../../contracts/review-upload';
import type { ReviewUploadInput } from '../../contracts/review-upload';
import type { UploadTestEnv } from '../harness/upload-env';
import { startUploadTestEnv } from '../harness/upload-env';
import { waitForPendingActivity, waitForProgress } from '../harness/run-state';

describe('reviewUpload: guaranteed ending and compensation', () => {
  let env: UploadTestEnv;

  beforeAll(async () => {
    env = await startUploadTestEnv();
    await env.runWorkerInBackground();
  });
  afterAll(async () => env.close());
  afterEach(async () => {
    await env.emulator.admin.clearFaults();
    env.notices.length = 0;
  });

  const start = async (input: Omit<ReviewUploadInput, 'catalogId' | 'resourceId' | 'reviewDefinitionId'>, instance: Awaited<ReturnType<UploadTestEnv['newInstance']>>) =>
    startReviewUpload(env.temporal.client, { ...instance, ...input }, { taskQueue: env.taskQueue });

  it('a cancel by update deletes the half-filled session and tells a person what to upload', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(3, 20);
    // Slow uploads, so the cancel arrives mid-upload.
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 1500, pathPattern: '/uploadFile$' });
    const { handle } = await start({ reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files }, options: { uploadConcurrency: 1 } }, instance);
    await waitForProgress(handle, (p) => p.phase === 'uploading' && p.filesDone >= 1);
    await handle.executeUpdate(cancelUploadUpdate, { args: ['test: the catalog owner asked to stop'] });
    const result = await handle.result();

    expect(result).toMatchObject({ outcome: 'fellBackToManual', unfinishedSession: 'deleted', noticeDelivered: true });
    expect(result.reason).toContain('cancelled on request: test: the catalog owner asked to stop');
    expect(await env.sessionsOf(instance.reviewInstanceId)).toEqual([]);
    expect(env.notices).toHaveLength(1);
    const notice = env.notices[0]!.body;
    expect(notice.notice).toMatchObject({ reviewInstanceId: instance.reviewInstanceId, unfinishedSession: 'deleted', deadline: result.deadline });
    expect(notice.notice.files.map((f) => f.name)).toEqual(files.map((f) => f.name));
    expect(notice.text).toContain('was deleted, so reviewers never see partial data');
  });

  it('a cancel reaches an upload that is waiting for a slow answer from Graph', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(1, 20);
    // Graph holds its answer for a long time after the last byte: only heartbeats carry the cancel in.
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 60_000, pathPattern: '/uploadFile$' });
    const { handle } = await start({ reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files } }, instance);
    await waitForProgress(handle, (p) => p.phase === 'uploading');
    await waitForPendingActivity(handle, 'uploadSessionFile', 'started', (a) => a.heartbeatDetails !== null && a.heartbeatDetails !== undefined); // sending, or waiting for the answer
    await handle.executeUpdate(cancelUploadUpdate, { args: ['test: stop while Graph is slow'] });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'fellBackToManual', unfinishedSession: 'deleted' });
    const events = (await handle.fetchHistory()).events ?? [];
    // The upload acknowledged the cancel instead of running on to Graph's answer.
    expect(events.some((e) => e.activityTaskCanceledEventAttributes)).toBe(true);
    expect(events.some((e) => e.activityTaskCompletedEventAttributes && JSON.stringify(e).includes('uploaded'))).toBe(false);
  });

  it('a cancel without a reason is refused and the run goes on', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(1, 5);
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 1500, pathPattern: '/uploadFile$' });
    const { handle } = await start({ reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files } }, instance);
    await expect(handle.executeUpdate(cancelUploadUpdate, { args: ['  '] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/needs a reason/) as unknown },
    });
    expect((await handle.result()).outcome).toBe('completed');
  });

  it('cancelling the whole run still deletes the session and notifies', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(2, 20);
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 2000, pathPattern: '/uploadFile$' });
    const { handle } = await start({ reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files } }, instance);
    await waitForProgress(handle, (p) => p.phase === 'uploading' && p.sessionId !== null);
    await handle.cancel();
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'fellBackToManual', reason: 'the run was cancelled', unfinishedSession: 'deleted', noticeDelivered: true });
    expect(await env.sessionsOf(instance.reviewInstanceId)).toEqual([]);
  });

  it('a Graph outage that outlasts the deadline is compensated and notified before the window closes', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(2, 10);
    await env.emulator.admin.addFault({ kind: 'fail', status: 503, retryAfterSeconds: 1, pathPattern: '/uploadFile$' });
    const deadline = new Date(Date.now() + 20_000).toISOString();
    const { handle } = await start(
      { reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files }, deadline, options: { safetyMarginSeconds: 8 } },
      instance,
    );
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'fellBackToManual', unfinishedSession: 'deleted', noticeDelivered: true, deadline });
    expect(result.reason).toMatch(/upload window closes at .*stopped 8 s before it/);
    expect(env.notices[0]!.at).toBeLessThan(Date.parse(deadline));
    expect(await env.sessionsOf(instance.reviewInstanceId)).toEqual([]);
    expect((await env.uploadRequests()).filter((r) => r.status === 503).length).toBeGreaterThan(1); // it did retry meanwhile
  });

  it('a 429 storm finishes, and every retry waits at least Retry-After', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(1, 10);
    await env.emulator.admin.clearRequests();
    await env.emulator.admin.addFault({ kind: 'fail', status: 429, retryAfterSeconds: 2, pathPattern: '/uploadFile$', count: 3 });
    const { handle } = await start({ reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files } }, instance);
    expect((await handle.result()).outcome).toBe('completed');
    const uploads = await env.uploadRequests();
    expect(uploads.map((r) => r.status)).toEqual([429, 429, 429, 200]);
    for (let i = 1; i < uploads.length; i++) {
      const previousEnd = Date.parse(uploads[i - 1]!.time) + uploads[i - 1]!.durationMs;
      expect(Date.parse(uploads[i]!.time) - previousEnd).toBeGreaterThanOrEqual(2000 - 50);
    }
  });

  it('a run resumed over an existing session does not upload a file twice', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(3, 10);
    // An earlier run opened the session and sent the first file, then was lost.
    const first = await startReviewUpload(env.temporal.client, { ...instance, source: { kind: 'staged', files: files.slice(0, 1) }, options: { safetyMarginSeconds: 0 } }, { taskQueue: 'nobody-polls-this-queue' });
    await first.handle.terminate('test: simulate a lost run');
    const { createWorkerActivities } = await import('../../workers/activities');
    const built = createWorkerActivities(env.workerEnv);
    try {
      const opened = await built.graph.createUploadSession(instance.catalogId, instance.resourceId, {
        reviewDefinitionId: instance.reviewDefinitionId,
        reviewInstanceId: instance.reviewInstanceId,
      });
      await built.graph.uploadFile(instance.catalogId, instance.resourceId, opened.id, { path: files[0]!.path, name: files[0]!.name, size: files[0]!.size });
    } finally {
      await built.close();
    }
    await env.emulator.admin.clearRequests();
    const { handle } = await start({ reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files } }, instance);
    const result = await handle.result();
    expect(result.outcome).toBe('completed');
    expect((await env.uploadRequests()).length).toBe(2);
    const [session] = await env.sessionsOf(instance.reviewInstanceId);
    expect(session?.files.map((f) => f.name).sort()).toEqual(files.map((f) => f.name).sort());
  });

  it('two starts for the same review instance make one run and one session', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(2, 10);
    const input = { reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged' as const, files } };
    const [a, b] = await Promise.all([start(input, instance), start(input, instance)]);
    expect(a.handle.workflowId).toBe(b.handle.workflowId);
    const [ra, rb] = await Promise.all([a.handle.result(), b.handle.result()]);
    expect(ra).toEqual(rb);
    expect((await a.handle.describe()).runId).toBe((await b.handle.describe()).runId);
    expect(await env.sessionsOf(instance.reviewInstanceId)).toHaveLength(1);
    // A later start finds the delivered data and says so, without a second session.
    const again = await start(input, instance);
    const rerun = await again.handle.result();
    expect(rerun).toMatchObject({ outcome: 'completed', alreadyCompleted: true, sessionId: ra.sessionId });
    expect(await env.sessionsOf(instance.reviewInstanceId)).toHaveLength(1);
    // An automated trigger (callout, cycle) gets one attempt per instance: it starts nothing after a closed run.
    const automated = await startReviewUpload(env.temporal.client, { ...instance, ...input }, { taskQueue: env.taskQueue, automated: true });
    expect(automated.started).toBe(false);
    expect((await automated.handle.describe()).runId).toBe((await again.handle.describe()).runId);
  });

  it('a review whose window is over falls back without opening a session', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(1, 5);
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
    await env.emulator.admin.setInstanceStatus(instance.reviewInstanceId, 'Initializing', threeHoursAgo);
    const { handle } = await start({ reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files } }, instance);
    const result = await handle.result();
    expect(result.outcome).toBe('fellBackToManual');
    expect(result.reason).toMatch(/too late|not Initializing|window/);
    expect(result.unfinishedSession).toBeNull();
    expect(await env.sessionsOf(instance.reviewInstanceId)).toEqual([]);
    expect(env.notices).toHaveLength(1);
  });

  it('a session that expires mid-run ends expired, and a person is told', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(2, 5);
    await env.emulator.admin.addFault({ kind: 'latency', delayMs: 2000, pathPattern: '/uploadFile$' });
    const deadline = new Date(Date.now() + 3600_000).toISOString(); // the run believes it has time
    const { handle } = await start({ reviewInstanceId: instance.reviewInstanceId, source: { kind: 'staged', files }, deadline, options: { uploadConcurrency: 1 } }, instance);
    await waitForProgress(handle, (p) => p.phase === 'uploading' && p.sessionId !== null);
    await env.emulator.admin.advanceClock(3 * 3600);
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'fellBackToManual', unfinishedSession: 'expired', noticeDelivered: true });
    expect(env.notices[0]!.body.text).toContain('expired with the window');
  });
});
