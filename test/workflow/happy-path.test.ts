import type { Worker } from '@temporalio/worker';
import { startReviewUpload } from '../../client/start-review-upload';
import { progressQuery } from '../../contracts/review-upload';
import { SearchAttributes } from '../../contracts/temporal';
import type { UploadTestEnv } from '../harness/upload-env';
import { startUploadTestEnv } from '../harness/upload-env';

describe('reviewUpload: the happy path on the dev server and the emulator', () => {
  let env: UploadTestEnv;
  let worker: Worker;

  beforeAll(async () => {
    env = await startUploadTestEnv();
    worker = await env.createWorker();
  });
  afterAll(async () => env.close());

  it('uploads several files, verifies, completes, and the emulator holds exactly the manifest', async () => {
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(3, 50);
    const { handle, result, progress } = await worker.runUntil(async () => {
      const { handle } = await startReviewUpload(
        env.temporal.client,
        { ...instance, source: { kind: 'staged', files }, options: { waitForReviewToStart: true } },
        { taskQueue: env.taskQueue },
      );
      const result = await handle.result();
      return { handle, result, progress: await handle.query(progressQuery) };
    });

    expect(result).toMatchObject({ outcome: 'completed', alreadyCompleted: false, reason: null, unfinishedSession: null });
    // Entra moved the review on once it had the data, and the run saw it.
    expect(result.reviewStatusAfter).toBe('InProgress');
    expect(result.stats).toEqual({ filesUploaded: 3, totalBytesUploaded: files.reduce((s, f) => s + f.size, 0) });
    expect(progress).toMatchObject({ phase: 'done', filesDone: 3, filesTotal: 3, sessionId: result.sessionId });
    expect(env.notices).toHaveLength(0);

    // What arrived at "Graph": one complete session with exactly our files, byte for byte.
    const sessions = (await env.emulator.admin.sessions()).filter((s) => s.referenceId === instance.reviewInstanceId);
    expect(sessions).toHaveLength(1);
    const session = await env.emulator.admin.session(sessions[0]!.id, { waitForProcessing: true });
    expect(session.status).toBe('complete');
    const arrived = session.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })).sort((a, b) => a.name.localeCompare(b.name));
    expect(arrived).toEqual(files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })).sort((a, b) => a.name.localeCompare(b.name)));
    // The instance leaves Initializing once its data is processed.
    expect((await env.emulator.admin.instance(instance.reviewInstanceId)).status).toBe('InProgress');

    // Ops see it in the Web UI: search attributes and a readable history.
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(SearchAttributes.reviewInstanceId)).toBe(instance.reviewInstanceId);
    expect(description.typedSearchAttributes.get(SearchAttributes.uploadSessionId)).toBe(result.sessionId);
    expect(description.typedSearchAttributes.get(SearchAttributes.uploadOutcome)).toBe('completed');
    const history = await handle.fetchHistory();
    const activities = (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities.slice(0, 7)).toEqual(['readReviewInstance', 'openUploadSession', 'uploadSessionFile', 'uploadSessionFile', 'uploadSessionFile', 'verifySessionFiles', 'completeUploadSession']);
    expect(activities.slice(7).every((name) => name === 'readReviewInstance')).toBe(true);
  });
});
