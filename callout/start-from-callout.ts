import type { Client } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/client';
import { startReviewUpload } from '../client/start-review-upload';
import { targetFor } from '../client/targets';
import type { ReviewUploadInput } from '../contracts/review-upload';
import { uploadInputOf } from '../contracts/targets';
import type { UploadTarget } from '../contracts/targets';
import { webUiLink } from '../workers/temporal-connection';
import type { CalloutRequest } from './payload';

/**
 * From an accepted upload callout to a run: find the target that feeds the (catalog, resource) pair, check that it
 * serves the review definition, and start the instance's upload run or join the one already running (the workflow
 * id is the business key, so a repeated callout never starts a second upload). Never waits for the upload.
 */

export interface StartedFromCallout {
  workflowId: string;
  runId: string;
  started: boolean;
  webUi: string;
  target: string;
}

/** The callout names something the targets file does not feed: the fix is an edit to that file. */
export class CalloutTargetError extends Error {
  override name = 'CalloutTargetError';
  constructor(
    readonly status: 404 | 422,
    readonly code: 'unknownTarget' | 'reviewDefinitionNotConfigured',
    message: string,
  ) {
    super(message);
  }
}

export interface StartFromCalloutDeps {
  client: Client;
  targets: readonly UploadTarget[];
  /** Named in errors, so the person reading them knows which file to edit. */
  targetsFile: string;
  taskQueue: string;
  /** Deadline of the Temporal calls; a receiver that cannot reach Temporal answers 503 rather than hanging. */
  startTimeoutMs: number;
}

export function uploadInputFor(callout: Extract<CalloutRequest, { kind: 'upload' }>, deps: Pick<StartFromCalloutDeps, 'targets' | 'targetsFile'>): { input: ReviewUploadInput; target: UploadTarget } {
  const target = targetFor(deps.targets, callout.catalogId, callout.resourceId);
  if (target === undefined) {
    throw new CalloutTargetError(
      404,
      'unknownTarget',
      `No upload target feeds catalog ${callout.catalogId}, resource ${callout.resourceId}: add a target with this catalogId and resourceId to ${deps.targetsFile} (then restart the receiver or send it SIGHUP).`,
    );
  }
  if (!target.reviewDefinitionIds.includes(callout.reviewDefinitionId)) {
    const index = deps.targets.indexOf(target);
    throw new CalloutTargetError(
      422,
      'reviewDefinitionNotConfigured',
      `Target "${target.name}" does not serve review definition ${callout.reviewDefinitionId}: add it to targets.${index}.reviewDefinitionIds in ${deps.targetsFile} if its instances need this resource's data.`,
    );
  }
  return { input: uploadInputOf(target, callout.reviewDefinitionId, callout.reviewInstanceId), target };
}

export async function startFromCallout(callout: Extract<CalloutRequest, { kind: 'upload' }>, deps: StartFromCalloutDeps): Promise<StartedFromCallout> {
  const { input, target } = uploadInputFor(callout, deps);
  const deadline = Date.now() + deps.startTimeoutMs;
  return deps.client.withDeadline(deadline, async () => {
    // An automated trigger: one attempt per instance (a repeated callout joins the run, or finds it closed).
    const { handle, started, runId } = await startReviewUpload(deps.client, input, { taskQueue: deps.taskQueue, automated: true });
    return { workflowId: handle.workflowId, runId, started, webUi: webUiLink(deps.client.options.namespace, handle.workflowId, runId), target: target.name };
  });
}

/** gRPC codes worth retrying: CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const TRANSIENT_GRPC_CODES = new Set([1, 4, 8, 14]);

/**
 * Why a start failed, for the log (the SDK's "Failed to start Workflow" says little; its causes say why), and
 * whether trying again may help: Temporal unreachable or busy may pass, a refusal (e.g. unregistered search
 * attributes, a missing namespace) will not.
 */
export function describeStartFailure(error: unknown): { reason: string; transient: boolean } {
  const messages: string[] = [];
  let grpcCode: number | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (!messages.includes(current.message)) messages.push(current.message);
    const code = (current as { code?: unknown }).code;
    if (grpcCode === undefined && typeof code === 'number') grpcCode = code;
    current = current.cause;
  }
  const refused = error instanceof NamespaceNotFoundError || (grpcCode !== undefined && !TRANSIENT_GRPC_CODES.has(grpcCode));
  return { reason: messages.join(': ') || String(error), transient: !refused };
}
