import type { UnfinishedSessionEnd } from './review-upload';

/** The fallback notice: what a person must do by hand when a run cannot deliver the data itself. */
export interface FallbackNotice {
  reviewInstanceId: string;
  reviewDefinitionId: string;
  catalogId: string;
  resourceId: string;
  workflowId: string;
  runId: string;
  /** What went wrong, in words a person can act on. */
  reason: string;
  /** The session the run had opened, if any, and how it ended. */
  sessionId: string | null;
  unfinishedSession: UnfinishedSessionEnd | null;
  /** When the upload window closes (ISO 8601), if known. */
  deadline: string | null;
  /** The staged files to upload by hand (paths on the worker's staging volume), if preparation got that far. */
  files: { name: string; path: string; size: number; sha256: string }[];
  reportPath: string | null;
}

export interface NoticeDelivery {
  delivered: boolean;
  /** `webhook` when NOTIFY_WEBHOOK_URL is set; otherwise `log` (an ERROR line in the worker's log). */
  channel: 'webhook' | 'log';
}

/** `ApplicationFailure.type` names of `sendFallbackNotice`; workflows list `rejected` in `nonRetryableErrorTypes`. */
export const NoticeFailureType = {
  /** The webhook did not answer, or answered 429 or 5xx: retried. */
  undelivered: 'NoticeUndelivered',
  /** The webhook refused the notice (another 4xx, or 3xx): retrying does not help. */
  rejected: 'NoticeRejected',
} as const;
