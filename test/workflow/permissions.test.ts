import { startReviewUpload } from '../../client/start-review-upload';
import type { UploadTestEnv } from '../harness/upload-env';
import { startUploadTestEnv } from '../harness/upload-env';

describe('reviewUpload with an app that may only read', () => {
  let env: UploadTestEnv;
  beforeAll(async () => {
    env = await startUploadTestEnv();
  });
  afterAll(async () => env.close());

  it('falls back at once with the missing permission named, and opens no session', async () => {
    const reader = env.emulator.apps.find((app) => !app.roles.includes('EntitlementManagement.ReadWrite.All') && app.clientSecret);
    if (!reader?.clientSecret) throw new Error('the emulator seed has no read-only app with a secret');
    const worker = await env.createWorker({ AZURE_CLIENT_ID: reader.clientId, AZURE_CLIENT_SECRET: reader.clientSecret });
    const instance = await env.newInstance();
    const files = await env.makeCsvFiles(1, 5);
    const { result, history } = await worker.runUntil(async () => {
      const { handle } = await startReviewUpload(env.temporal.client, { ...instance, source: { kind: 'staged', files } }, { taskQueue: env.taskQueue });
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    expect(result).toMatchObject({ outcome: 'fellBackToManual', unfinishedSession: null, noticeDelivered: true });
    expect(result.reason).toContain('EntitlementManagement.ReadWrite.All');
    expect(env.notices[0]?.body.text).toContain('EntitlementManagement.ReadWrite.All');
    expect(await env.sessionsOf(instance.reviewInstanceId)).toEqual([]);
    // Not retried: a 403 cannot fix itself.
    const attempts = (history.events ?? []).flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
    expect(Math.max(...attempts)).toBe(1);
  });
});
