import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ReviewUploadInput } from '../contracts/review-upload';
import { reviewUploadWorkflowId } from '../contracts/review-upload';
import { parseReviewUploadInput } from '../contracts/review-upload-schema';
import { TASK_QUEUE, uploadRunSearchAttributes } from '../contracts/temporal';
import type { reviewUpload } from '../workflows';

export interface StartedUpload {
  handle: WorkflowHandle<typeof reviewUpload>;
  input: ReviewUploadInput;
  /** False when a run for this review instance was already running and this call joined it. */
  started: boolean;
  /** The run started or joined (a joined run's handle carries no run id). */
  runId: string;
}

export interface StartOptions {
  taskQueue?: string;
  /**
   * An automated trigger (the Entra callout, a cycle): one attempt per instance. A closed run is not repeated
   * (`REJECT_DUPLICATE`): after a fallback a person owns the instance, and a new automated run could write into the
   * session they are filling by hand. The existing run is returned with `started: false`.
   */
  automated?: boolean;
}

/**
 * Starts the upload run of one review instance, or joins the one already running: the workflow id is the business
 * key (catalog, resource, instance), and
 * - a start while a run is open joins it (`USE_EXISTING`): a second trigger never starts a second upload;
 * - a start by a person after a run closed starts a new run (`ALLOW_DUPLICATE`): Graph is the record, so the new run
 *   reports "already completed" when the data was delivered, or tries again within the window when it was not;
 * - an automated start after a run closed starts nothing (see `StartOptions.automated`).
 */
export async function startReviewUpload(client: Client, raw: unknown, options: StartOptions = {}): Promise<StartedUpload> {
  const input = parseReviewUploadInput(raw);
  const workflowId = reviewUploadWorkflowId(input);
  const existing = client.workflow.getHandle<typeof reviewUpload>(workflowId);
  const current = await existing.describe().then(
    (d) => ({ status: d.status.name, runId: d.runId }),
    () => undefined, // none yet
  );
  if (current && (current.status === 'RUNNING' || options.automated)) return { handle: existing, input, started: false, runId: current.runId };
  const handle = await client.workflow
    .start<typeof reviewUpload>('reviewUpload', {
      workflowId,
      taskQueue: options.taskQueue ?? TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: options.automated ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE',
      typedSearchAttributes: uploadRunSearchAttributes(input),
      staticSummary: `Upload access data for review instance ${input.reviewInstanceId}`,
      staticDetails: [
        `catalog ${input.catalogId}, resource ${input.resourceId}`,
        `review definition ${input.reviewDefinitionId}, instance ${input.reviewInstanceId}`,
        input.source.kind === 'staged' ? `${input.source.files.length} staged file(s)` : `prepared from ${input.source.mappingPath}`,
      ].join('\n'),
    })
    .catch((err: unknown) => {
      // An automated start racing a run that just closed: that run is the instance's one attempt.
      if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
      throw err;
    });
  if (!handle) return { handle: existing, input, started: false, runId: (await existing.describe()).runId };
  // A start racing another one joins it (USE_EXISTING); `started` then says true for both, which is only a label.
  return { handle, input, started: true, runId: handle.firstExecutionRunId };
}
