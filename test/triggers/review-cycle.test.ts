import { createReviewSchedule } from '../../client/schedules';
import type { UploadTarget } from '../../contracts/targets';
import type { ReviewUploadResult } from '../../contracts/review-upload';
import { reviewCycle } from '../../workflows';
import type { UploadTestEnv } from '../harness/upload-env';
import { LEDGER, startUploadTestEnv } from '../harness/upload-env';

describe('the review cycle and its schedule', () => {
  let env: UploadTestEnv;
  let targets: UploadTarget[];

  beforeAll(async () => {
    env = await startUploadTestEnv();
    await env.runWorkerInBackground();
    const files = await env.makeCsvFiles(2, 10, 'cycle');
    targets = [{ name: 'ledger', catalogId: LEDGER.catalogId, resourceId: LEDGER.resourceId, reviewDefinitionIds: [LEDGER.reviewDefinitionId], source: { kind: 'staged', files } }];
  });
  afterAll(async () => env.close());

  const initializing = async (): Promise<string[]> => {
    const seed = await env.emulator.admin.getSeed();
    const definition = seed.accessReviewDefinitions.find((d) => d.id === LEDGER.reviewDefinitionId);
    const ids = await Promise.all((definition?.instances ?? []).map(async (i) => env.emulator.admin.instance(i.id)));
    return ids.filter((i) => i.status === 'Initializing').map((i) => i.id);
  };

  it('finds the instances in Initializing and starts one run each; run again, it starts none', async () => {
    const mine = [await env.newInstance(), await env.newInstance(), await env.newInstance()].map((i) => i.reviewInstanceId);
    const first = await env.temporal.client.workflow.execute(reviewCycle, { workflowId: `cycle-test-1-${Date.now()}`, taskQueue: env.taskQueue, args: [{ targets }] });
    const startedFor = (result: typeof first): string[] => result.found.filter((f) => result.started.includes(f.workflowId)).map((f) => f.reviewInstanceId);
    expect(startedFor(first)).toEqual(expect.arrayContaining(mine));
    expect(first.started).toHaveLength(first.found.length);
    expect(first.errors).toEqual([]);

    // Run again at once, while those runs may still be going: nothing starts twice.
    const second = await env.temporal.client.workflow.execute(reviewCycle, { workflowId: `cycle-test-2-${Date.now()}`, taskQueue: env.taskQueue, args: [{ targets }] });
    expect(second.started).toEqual([]);

    // The runs complete; each instance has exactly one session.
    for (const found of first.found) {
      const result = (await env.temporal.client.workflow.getHandle(found.workflowId).result()) as ReviewUploadResult;
      expect(result.outcome).toBe('completed');
      expect(await env.sessionsOf(found.reviewInstanceId)).toHaveLength(1);
    }
    // Delivered instances leave Initializing: a later cycle finds none of them.
    const third = await env.temporal.client.workflow.execute(reviewCycle, { workflowId: `cycle-test-3-${Date.now()}`, taskQueue: env.taskQueue, args: [{ targets }] });
    expect(third.found.map((f) => f.reviewInstanceId).filter((id) => mine.includes(id))).toEqual([]);
    expect(await initializing()).not.toEqual(expect.arrayContaining(mine));
  });

  it('a schedule fires the cycle, and its runs show up in visibility with their search attributes', async () => {
    const instance = await env.newInstance();
    const scheduleId = `review-cycle-test-${Date.now()}`;
    const handle = await createReviewSchedule(env.temporal.client, { scheduleId, kind: 'cycle', targets, every: '1h', taskQueue: env.taskQueue, triggerImmediately: true });
    try {
      let description = await handle.describe();
      for (let i = 0; i < 100 && description.info.recentActions.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        description = await handle.describe();
      }
      expect(description.policies.overlap).toBe('SKIP');
      const cycleRun = description.info.recentActions[0]?.action.workflow;
      expect(cycleRun?.workflowId).toMatch(new RegExp(`^${scheduleId}/run`));
      const cycle = await env.temporal.client.workflow.getHandle<typeof reviewCycle>(cycleRun!.workflowId).result();
      expect(cycle).toMatchObject({ errors: [] });

      const query = `ReviewInstanceId = "${instance.reviewInstanceId}" AND CatalogId = "${LEDGER.catalogId}" AND ResourceId = "${LEDGER.resourceId}"`;
      let listed: string[] = [];
      for (let i = 0; i < 100 && listed.length === 0; i++) {
        listed = [];
        for await (const run of env.temporal.client.workflow.list({ query })) listed.push(run.workflowId);
        if (listed.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(listed).toEqual([`review-upload/${LEDGER.catalogId}/${LEDGER.resourceId}/${instance.reviewInstanceId}`]);
    } finally {
      await handle.delete();
    }
  });
});
