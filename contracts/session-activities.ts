/**
 * Inputs and results of the upload-session activities (activities/session). Plain interfaces and constants only:
 * workflow code imports this file, so no zod and no runtime dependencies.
 */
import type { StagedFile, UploadManifest } from './manifest';

/** Where an upload session lives: a custom data provided resource in an access package catalog. */
export interface SessionTarget {
  catalogId: string;
  resourceId: string;
}

export interface SessionRef extends SessionTarget {
  sessionId: string;
}

/** Graph's `customDataProvidedResourceUploadStatus`; values this code does not know arrive as `unknownFutureValue`. */
export const UPLOAD_SESSION_STATUSES = ['active', 'complete', 'expired', 'unknownFutureValue'] as const;
export type UploadSessionStatus = (typeof UPLOAD_SESSION_STATUSES)[number];

/** What the workflow may keep of a session: ids, status and counts, nothing else. */
export interface UploadSessionSummary {
  sessionId: string;
  status: UploadSessionStatus;
  isUploadDone: boolean;
  referenceId: string | null;
  createdDateTime: string;
  filesUploaded: number;
  totalBytesUploaded: number;
}

export interface SessionFileSummary {
  name: string;
  size: number;
}

// --- openUploadSession --------------------------------------------------------------------------------------------

export interface OpenUploadSessionInput extends SessionTarget {
  reviewDefinitionId: string;
  reviewInstanceId: string;
}

/**
 * - `created`: no session existed for the review instance; a new active one was created.
 * - `reused`: an active session for the instance existed (an earlier attempt or run created it); it is returned.
 * - `alreadyCompleted`: a complete session exists: the data for this instance was already delivered.
 * - `expired`: only expired sessions exist: the upload window has passed; nothing was created.
 */
export type OpenUploadSessionOutcome = 'created' | 'reused' | 'alreadyCompleted' | 'expired';

export interface OpenUploadSessionResult {
  outcome: OpenUploadSessionOutcome;
  session: UploadSessionSummary;
}

// --- findUploadSession --------------------------------------------------------------------------------------------

export interface FindUploadSessionInput extends SessionTarget {
  reviewInstanceId: string;
}

export interface FindUploadSessionResult {
  /** The instance's session (an active one first, then a complete one, then an expired one), or null: none exists. */
  session: UploadSessionSummary | null;
}

// --- uploadSessionFile --------------------------------------------------------------------------------------------

export interface UploadSessionFileInput extends SessionRef {
  file: StagedFile;
}

/** `alreadyPresent`: a file with the same name and size was already in the session (an earlier attempt sent it). */
export type UploadSessionFileOutcome = 'uploaded' | 'alreadyPresent';

export interface UploadSessionFileResult {
  outcome: UploadSessionFileOutcome;
  file: SessionFileSummary;
  session: UploadSessionSummary;
}

/** Heartbeat details of `uploadSessionFile` (what a retried attempt sees in `heartbeatDetails`). */
export interface UploadProgress {
  name: string;
  bytesSent: number;
  size: number;
}

// --- verifySessionFiles -------------------------------------------------------------------------------------------

export interface VerifySessionFilesInput extends SessionRef {
  manifest: UploadManifest;
}

export interface SizeMismatch {
  name: string;
  expectedSize: number;
  actualSize: number;
}

export interface VerifySessionFilesResult {
  /** True when names, sizes, count and total bytes of the session's files and stats equal the manifest. */
  matches: boolean;
  session: UploadSessionSummary;
  /** In the manifest, not in the session. */
  missing: SessionFileSummary[];
  /** In the session, not in the manifest (or there more often than in the manifest). */
  unexpected: SessionFileSummary[];
  sizeMismatched: SizeMismatch[];
  expectedCount: number;
  actualCount: number;
  expectedBytes: number;
  actualBytes: number;
}

// --- completeUploadSession ----------------------------------------------------------------------------------------

export interface CompleteUploadSessionInput extends SessionRef {
  manifest: UploadManifest;
}

/** `alreadyCompleted`: the session was complete before this call (an earlier attempt completed it). */
export type CompleteUploadSessionOutcome = 'completed' | 'alreadyCompleted';

export interface CompleteUploadSessionResult {
  outcome: CompleteUploadSessionOutcome;
  session: UploadSessionSummary;
  /**
   * The complete session's stats (file count, total bytes) equal the manifest. Always true for `completed` (the
   * activity refuses to complete otherwise); for `alreadyCompleted` it tells whether the delivered data is ours.
   */
  matchesManifest: boolean;
}

// --- deleteUploadSession ------------------------------------------------------------------------------------------

export type DeleteUploadSessionInput = SessionRef;

/**
 * - `deleted`: the session was active and is now gone.
 * - `alreadyGone`: no such session (404): an earlier attempt deleted it, or it never existed.
 * - `notActive`: the session is complete or expired; it was left alone (Graph only deletes active sessions and a
 *   complete one is delivered data).
 */
export type DeleteUploadSessionOutcome = 'deleted' | 'alreadyGone' | 'notActive';

export interface DeleteUploadSessionResult {
  outcome: DeleteUploadSessionOutcome;
  /** Status seen before deleting, or null when the session was not found. */
  status: UploadSessionStatus | null;
}

// --- readReviewInstance -------------------------------------------------------------------------------------------

export interface ReadReviewInstanceInput {
  reviewDefinitionId: string;
  reviewInstanceId: string;
}

export interface ReviewInstanceSummary {
  id: string;
  /** As Graph sends it, e.g. `Initializing`, `InProgress`, `Applying` (an open set of strings, not an enum). */
  status: string;
  /**
   * When the instance started (ISO 8601), or null if Graph does not say. Graph gives no separate "entered
   * Initializing" time; the instance starts in `Initializing`, so this is the start of the 2-hour upload window.
   */
  startDateTime: string | null;
  endDateTime: string | null;
}

// --- failures -----------------------------------------------------------------------------------------------------

/**
 * `ApplicationFailure.type` names the session activities throw for states of the session itself (Graph answered
 * fine). All are non-retryable: the workflow decides (delete and recreate, or fall back to manual upload).
 */
export const SessionFailureType = {
  /** The session is complete or expired where an active one is needed (details: `{ sessionId, status }`). */
  notActive: 'UploadSessionNotActive',
  /**
   * The session holds a file with the same name but another size than the staged file: it cannot be replaced
   * (Graph has no per-file delete). Delete the session and upload again.
   */
  fileConflict: 'UploadSessionFileConflict',
  /** Refused to complete: the session's stats do not equal the manifest, and completing would deliver partial data. */
  incomplete: 'UploadSessionIncomplete',
  /** The staged file on disk is missing or its size differs from the manifest: data preparation must run again. */
  stagedFileChanged: 'StagedFileChanged',
  /** A file name that multipart/form-data cannot carry unambiguously (`"`, `\`, `/`, CR, LF, NUL or empty). */
  invalidFileName: 'InvalidUploadFileName',
  /** Retryable: Graph accepted `isUploadDone` but the session does not show `complete` yet; the next attempt looks again. */
  notYetComplete: 'UploadSessionNotYetComplete',
} as const;

export type SessionFailureTypeName = (typeof SessionFailureType)[keyof typeof SessionFailureType];

export const NON_RETRYABLE_SESSION_FAILURES: readonly SessionFailureTypeName[] = [
  SessionFailureType.notActive,
  SessionFailureType.fileConflict,
  SessionFailureType.incomplete,
  SessionFailureType.stagedFileChanged,
  SessionFailureType.invalidFileName,
];
