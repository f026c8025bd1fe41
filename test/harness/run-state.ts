import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { progressQuery } from '../../contracts/review-upload';
import type { ReviewUploadProgress } from '../../contracts/review-upload';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the run's progress query until `ready` holds (30 s at most), and returns that progress. */
export async function waitForProgress(handle: WorkflowHandle, ready: (p: ReviewUploadProgress) => boolean): Promise<ReviewUploadProgress> {
  for (let i = 0; i < 300; i++) {
    const progress = await handle.query(progressQuery).catch(() => undefined);
    if (progress && ready(progress)) return progress;
    await pause(100);
  }
  throw new Error(`run ${handle.workflowId} never reached the expected progress`);
}

const { PENDING_ACTIVITY_STATE_SCHEDULED, PENDING_ACTIVITY_STATE_STARTED } = temporal.api.enums.v1.PendingActivityState;

/**
 * Waits until the server shows an attempt of `activityType` in the given state: `started` (a worker holds it, so it
 * is lost with that worker) or `waitingForRetry` (it failed and waits for its next attempt, so none is in flight).
 * Tests synchronise on this, not on sleeps, so a slow machine cannot move the moment they act on.
 */
export async function waitForPendingActivity(
  handle: WorkflowHandle,
  activityType: string,
  state: 'started' | 'waitingForRetry',
  match: (pending: temporal.api.workflow.v1.IPendingActivityInfo) => boolean = () => true,
): Promise<void> {
  const wanted = state === 'started' ? PENDING_ACTIVITY_STATE_STARTED : PENDING_ACTIVITY_STATE_SCHEDULED;
  for (let i = 0; i < 300; i++) {
    const { raw } = await handle.describe();
    const found = raw.pendingActivities?.some(
      (a) => a.activityType?.name === activityType && a.state === wanted && (state === 'started' || (a.attempt ?? 0) >= 2) && match(a),
    );
    if (found) return;
    await pause(100);
  }
  throw new Error(`run ${handle.workflowId}: ${activityType} was never ${state === 'started' ? 'started' : 'waiting for a retry'}`);
}
