import { proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { createCheckActivities } from '../activities/check/activities';
import type { PipelineCheckInput, PipelineCheckResult } from '../contracts/pipeline-check';
import { SearchAttributes } from '../contracts/temporal';

const { reportWorker } = proxyActivities<ReturnType<typeof createCheckActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
  summary: 'report which worker runs this project\'s activities',
});

/** Proves the pipe: a client starts it, the server records it, a worker of this project runs its activity. */
export async function pipelineCheck(input: PipelineCheckInput): Promise<PipelineCheckResult> {
  upsertSearchAttributes([{ key: SearchAttributes.uploadPhase, value: 'check' }]);
  setCurrentDetails(`Pipeline check requested by ${input.requestedBy}: waiting for a worker to pick up the activity.`);
  const worker = await reportWorker();
  upsertSearchAttributes([{ key: SearchAttributes.uploadOutcome, value: 'checked' }]);
  setCurrentDetails(`Worker ${worker.identity} (Node ${worker.nodeVersion}) answered on task queue ${worker.taskQueue}.`);
  // Date is deterministic in workflow code: it reads the workflow task's time.
  return { worker, checkedAt: new Date().toISOString() };
}
