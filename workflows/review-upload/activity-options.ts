import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { ReviewUploadActivities } from '../../contracts/activities';
import { NON_RETRYABLE_GRAPH_FAILURES } from '../../contracts/graph-failures';
import { NoticeFailureType } from '../../contracts/notice';
import { NON_RETRYABLE_SESSION_FAILURES } from '../../contracts/session-activities';

/** Failure types no retry can fix: the run moves on to compensation at once. */
const nonRetryableErrorTypes = [...NON_RETRYABLE_GRAPH_FAILURES, ...NON_RETRYABLE_SESSION_FAILURES, 'DataInputError'];

const graphRetry = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  nonRetryableErrorTypes,
} as const;

/** Short Graph calls. Retries go on until the run's deadline cancels them (Retry-After sets each wait). */
export const graphCalls = proxyActivities<ReviewUploadActivities>({
  startToCloseTimeout: '2m',
  retry: graphRetry,
  // They do not heartbeat, so waiting for them to acknowledge a cancel would wait for their timeout.
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

/**
 * Steps that must not be abandoned half-way once started: opening (else a created session's id is lost) and
 * completing (else the run could delete a session Graph already completed). Bounded by their own schedule-to-close.
 */
export const committedGraphCalls = proxyActivities<ReviewUploadActivities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '10m',
  retry: graphRetry,
});

/** Uploads stream large files: long start-to-close, liveness by heartbeat, and a cancel waits for the stream to stop. */
export function uploadCalls(heartbeatTimeoutSeconds: number) {
  return proxyActivities<ReviewUploadActivities>({
    startToCloseTimeout: '2h',
    heartbeatTimeout: `${heartbeatTimeoutSeconds}s`,
    retry: graphRetry,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

export const preparation = proxyActivities<ReviewUploadActivities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '2m',
  retry: { ...graphRetry, maximumAttempts: 3 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Compensation and notice run after the deadline margin starts: bounded, so the run always ends. */
export const compensation = proxyActivities<ReviewUploadActivities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '5m',
  retry: graphRetry,
});

export const notices = proxyActivities<ReviewUploadActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '2s', maximumInterval: '30s', nonRetryableErrorTypes: [NoticeFailureType.rejected] },
});
