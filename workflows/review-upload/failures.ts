import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';

/** Words a person can act on for whatever ended the attempt: the activity's own message, not a stack. */
export function describeFailure(err: unknown): string {
  if (isCancellation(err)) return 'the run was cancelled';
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    const step = err.activityType ?? 'a step';
    if (cause instanceof ApplicationFailure) return `${step} failed: ${cause.message}${cause.type ? ` (${cause.type})` : ''}`;
    if (cause instanceof TimeoutFailure) return `${step} timed out (${String(cause.timeoutType)})`;
    return `${step} failed: ${cause?.message ?? err.message}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A business stop of the run (no retry can change it): becomes the fallback reason as written. */
export function stopRun(reason: string, type = 'UploadStopped'): ApplicationFailure {
  return ApplicationFailure.create({ message: reason, type, nonRetryable: true });
}
