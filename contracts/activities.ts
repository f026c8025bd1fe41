/**
 * The activities the upload workflow calls, as the workflow sees them. The worker's activity object must satisfy
 * this (checked in workers/activities.ts), so a renamed or reshaped activity fails the typecheck, not a run.
 */
import type { FallbackNotice, NoticeDelivery } from './notice';
import type { CleanupStagedRunsInput, CleanupStagedRunsResult, PrepareResult, PrepareUploadFilesInput } from './prepare';
import type {
  CompleteUploadSessionInput,
  CompleteUploadSessionResult,
  DeleteUploadSessionInput,
  DeleteUploadSessionResult,
  FindUploadSessionInput,
  FindUploadSessionResult,
  OpenUploadSessionInput,
  OpenUploadSessionResult,
  ReadReviewInstanceInput,
  ReviewInstanceSummary,
  UploadSessionFileInput,
  UploadSessionFileResult,
  VerifySessionFilesInput,
  VerifySessionFilesResult,
} from './session-activities';

export interface ReviewUploadActivities {
  readReviewInstance(input: ReadReviewInstanceInput): Promise<ReviewInstanceSummary>;
  prepareUploadFiles(input: PrepareUploadFilesInput): Promise<PrepareResult>;
  cleanupStagedRuns(input: CleanupStagedRunsInput): Promise<CleanupStagedRunsResult>;
  findUploadSession(input: FindUploadSessionInput): Promise<FindUploadSessionResult>;
  openUploadSession(input: OpenUploadSessionInput): Promise<OpenUploadSessionResult>;
  uploadSessionFile(input: UploadSessionFileInput): Promise<UploadSessionFileResult>;
  verifySessionFiles(input: VerifySessionFilesInput): Promise<VerifySessionFilesResult>;
  completeUploadSession(input: CompleteUploadSessionInput): Promise<CompleteUploadSessionResult>;
  deleteUploadSession(input: DeleteUploadSessionInput): Promise<DeleteUploadSessionResult>;
  sendFallbackNotice(notice: FallbackNotice): Promise<NoticeDelivery>;
}
