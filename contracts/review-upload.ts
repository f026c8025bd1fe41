/**
 * The upload workflow's contract: input, result, progress, and its query and update. Plain types and message
 * definitions: the client, the worker and workflow code all import this file.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { StagedFile } from './manifest';

/** Where the files come from: already staged CSV files, or the data-preparation step run from a mapping file. */
export type UploadSource = { kind: 'staged'; files: StagedFile[] } | { kind: 'prepare'; mappingPath: string };

export interface ReviewUploadOptions {
  /** Files uploaded at once (1-10, default 2). */
  uploadConcurrency?: number;
  /** Stop trying this long before the window closes, to leave time to delete the session and notify (default 900 s). */
  safetyMarginSeconds?: number;
  /** After completing, wait until the review instance leaves `Initializing` and report its status (default false). */
  waitForReviewToStart?: boolean;
  /** How long to wait for that (default 3600 s). */
  reviewStartTimeoutSeconds?: number;
  /** A worker that stops heartbeating an upload for this long is presumed dead; another retries it (default 60 s). */
  uploadHeartbeatTimeoutSeconds?: number;
}

export interface ReviewUploadInput {
  catalogId: string;
  resourceId: string;
  reviewDefinitionId: string;
  reviewInstanceId: string;
  source: UploadSource;
  /** When the upload window closes (ISO 8601). Default: the review instance's start + 2 hours. */
  deadline?: string;
  options?: ReviewUploadOptions;
}

export const UPLOAD_PHASES = [
  'starting',
  'preparing',
  'opening',
  'uploading',
  'verifying',
  'completing',
  'waitingForReview',
  'compensating',
  'notifying',
  'done',
] as const;
export type UploadPhase = (typeof UPLOAD_PHASES)[number];

export interface ReviewUploadProgress {
  phase: UploadPhase;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  sessionId: string | null;
  lastError: string | null;
  /** When the upload window closes (ISO 8601), once known. */
  deadline: string | null;
}

export type ReviewUploadOutcome = 'completed' | 'fellBackToManual';
export type UnfinishedSessionEnd = 'deleted' | 'expired' | 'leftActive';

export interface ReviewUploadResult {
  outcome: ReviewUploadOutcome;
  /** The session was already complete when the run opened it: an earlier run delivered the data. */
  alreadyCompleted: boolean;
  sessionId: string | null;
  /** The session's stats as Graph reports them after completion. */
  stats: { filesUploaded: number; totalBytesUploaded: number } | null;
  files: { name: string; size: number; sha256: string; rows: number }[];
  /** Why the run fell back to a manual upload. */
  reason: string | null;
  deadline: string | null;
  /**
   * How an unfinished session ended: `deleted` by the compensation or found `expired` (either way no partial data
   * reaches reviewers); `leftActive` if deleting failed (the notice says so; it expires with the window). Null when
   * no unfinished session was left (none opened, or completed).
   */
  unfinishedSession: UnfinishedSessionEnd | null;
  /** The fallback notice reached its channel. */
  noticeDelivered: boolean;
  /** Status of the review instance after the upload, when `waitForReviewToStart` was set. */
  reviewStatusAfter: string | null;
  /** The pre-flight report of data preparation, where it ran. */
  reportPath: string | null;
}

/** One run per review instance and resource: the id is the business key. */
export function reviewUploadWorkflowId(input: Pick<ReviewUploadInput, 'catalogId' | 'resourceId' | 'reviewInstanceId'>): string {
  return `review-upload/${input.catalogId}/${input.resourceId}/${input.reviewInstanceId}`;
}

export const progressQuery = defineQuery<ReviewUploadProgress>('progress');
/** Cancels the run with a reason: the session is deleted (never completed half-filled) and the fallback notice sent. */
export const cancelUploadUpdate = defineUpdate<void, [reason: string]>('cancelUpload');
