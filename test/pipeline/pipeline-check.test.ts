import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import { SearchAttributes } from '../../contracts/temporal';
import { pipelineCheck } from '../../workflows';
import { createWorkerActivities } from '../../workers/activities';
import { createWorker } from '../../workers/create-worker';
import { loadWorkerSettings } from '../../workers/worker-settings';
import type { TestTemporal } from '../harness/temporal';
import { connectTestTemporal } from '../harness/temporal';

describe('pipeline check on the real dev server', () => {
  let temporal: TestTemporal;
  let worker: Worker;
  let closeGraph: () => Promise<void>;
  const taskQueue = `pipeline-check-${randomUUID()}`;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    const built = createWorkerActivities({ GRAPH_BASE_URL: 'https://graph.example.test' });
    closeGraph = built.close;
    worker = await createWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      activities: built.activities,
      settings: loadWorkerSettings({}),
      workflowBundle: temporal.workflowBundle,
      taskQueue,
    });
  });

  afterAll(async () => {
    await closeGraph();
    await temporal.close();
  });

  it('runs the project workflow on a project worker and records it in history and visibility', async () => {
    const workflowId = `pipeline-check/test/${randomUUID()}`;
    const outcome = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(pipelineCheck, {
        workflowId,
        taskQueue,
        args: [{ requestedBy: 'jest' }],
        staticSummary: 'pipeline check from the test suite',
      });
      const result = await handle.result();
      const history = await handle.fetchHistory();
      const description = await handle.describe();
      return { result, history, description };
    });

    // The activity ran in this process's worker, with the worker's configuration.
    expect(outcome.result.worker).toMatchObject({ pid: process.pid, taskQueue, graphTarget: 'https://graph.example.test' });
    expect(Number.isNaN(Date.parse(outcome.result.checkedAt))).toBe(false);

    const events = outcome.history.events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.workflowType?.name).toBe('pipelineCheck');
    expect(started?.taskQueue?.name).toBe(taskQueue);
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual(['reportWorker']);
    expect(events.filter((e) => e.activityTaskCompletedEventAttributes)).toHaveLength(1);
    expect(events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(2);
    expect(events.at(-1)?.workflowExecutionCompletedEventAttributes).toBeTruthy();

    expect(outcome.description.typedSearchAttributes.get(SearchAttributes.uploadPhase)).toBe('check');
    expect(outcome.description.typedSearchAttributes.get(SearchAttributes.uploadOutcome)).toBe('checked');

    // Visibility (what the Web UI lists) finds the run by the project's search attributes.
    const query = `WorkflowId = "${workflowId}" AND UploadOutcome = "checked"`;
    let found: string[] = [];
    for (let attempt = 0; attempt < 50 && found.length === 0; attempt++) {
      found = [];
      for await (const execution of temporal.client.workflow.list({ query })) found.push(execution.workflowId);
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(found).toEqual([workflowId]);
  });
});
