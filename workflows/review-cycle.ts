import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, setCurrentDetails, startChild } from '@temporalio/workflow';
import { uploadInputOf } from '../contracts/targets';
import { reviewUploadWorkflowId } from '../contracts/review-upload';
import { uploadRunSearchAttributes } from '../contracts/temporal';
import type { ReviewCycleInput, ReviewCycleResult, TriggerActivities } from '../contracts/triggers';
import { NON_RETRYABLE_GRAPH_FAILURES } from '../contracts/graph-failures';
import { describeFailure } from './review-upload/failures';
import type { reviewUpload } from './review-upload/workflow';

const { listInitializingInstances } = proxyActivities<TriggerActivities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '2s', maximumInterval: '1m', nonRetryableErrorTypes: [...NON_RETRYABLE_GRAPH_FAILURES] },
  summary: 'list review instances in Initializing',
});

/**
 * One review cycle: for each configured target and review definition, find the instances in `Initializing` and start
 * one upload run per instance, as a child that outlives the cycle. The child's id is the instance's business key and
 * duplicates are refused, so running the cycle twice starts nothing twice, and an instance gets one automated attempt
 * (after a fallback, a person owns it: the notice told them to upload by hand).
 */
export async function reviewCycle(input: ReviewCycleInput): Promise<ReviewCycleResult> {
  const result: ReviewCycleResult = { found: [], started: [], alreadyStarted: [], errors: [] };
  for (const target of input.targets) {
    for (const reviewDefinitionId of target.reviewDefinitionIds) {
      let instances: { id: string }[];
      try {
        instances = await listInitializingInstances({ reviewDefinitionId });
      } catch (err) {
        result.errors.push({ target: target.name, reviewDefinitionId, reason: describeFailure(err) });
        continue;
      }
      for (const instance of instances) {
        const upload = uploadInputOf(target, reviewDefinitionId, instance.id);
        const workflowId = reviewUploadWorkflowId(upload);
        result.found.push({ target: target.name, reviewDefinitionId, reviewInstanceId: instance.id, workflowId });
        try {
          await startChild<typeof reviewUpload>('reviewUpload', {
            workflowId,
            args: [upload],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            typedSearchAttributes: uploadRunSearchAttributes(upload),
            staticSummary: `Upload access data for review instance ${instance.id} (target ${target.name}, started by the review cycle)`,
          });
          result.started.push(workflowId);
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          result.alreadyStarted.push(workflowId);
        }
        setCurrentDetails(`found ${result.found.length} instance(s): started ${result.started.length}, already started ${result.alreadyStarted.length}`);
      }
    }
  }
  setCurrentDetails(
    `found ${result.found.length} instance(s) in Initializing: started ${result.started.length}, already started ${result.alreadyStarted.length}, ` +
      `${result.errors.length} definition(s) unreadable`,
  );
  return result;
}
