import { CancellationScope, setHandler, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { StagedFile } from '../../contracts/manifest';
import { manifestOf } from '../../contracts/manifest';
import type { ReviewUploadInput, ReviewUploadOptions, ReviewUploadResult, UnfinishedSessionEnd } from '../../contracts/review-upload';
import { cancelUploadUpdate, progressQuery } from '../../contracts/review-upload';
import type { UploadSessionSummary } from '../../contracts/session-activities';
import { SearchAttributes } from '../../contracts/temporal';
import { committedGraphCalls, compensation, graphCalls, notices, preparation, uploadCalls } from './activity-options';
import { describeFailure, stopRun } from './failures';
import { UploadProgress } from './progress';

const UPLOAD_WINDOW_MS = 2 * 60 * 60 * 1000;

type Options = Required<ReviewUploadOptions>;

function withDefaults(options: ReviewUploadOptions = {}): Options {
  return {
    uploadConcurrency: Math.min(10, Math.max(1, options.uploadConcurrency ?? 2)),
    safetyMarginSeconds: options.safetyMarginSeconds ?? 900,
    waitForReviewToStart: options.waitForReviewToStart ?? false,
    reviewStartTimeoutSeconds: options.reviewStartTimeoutSeconds ?? 3600,
    uploadHeartbeatTimeoutSeconds: options.uploadHeartbeatTimeoutSeconds ?? 60,
  };
}

/** What the run has learnt so far; the compensation and the result read it. */
interface RunState {
  sessionId: string | null;
  /** An active session this run opened or reused and has not completed: the compensation must end it. */
  sessionNeedsEnding: boolean;
  alreadyCompleted: boolean;
  files: StagedFile[];
  stats: { filesUploaded: number; totalBytesUploaded: number } | null;
  reportPath: string | null;
  deadline: string | null;
}

/**
 * One run per review instance: prepare the files, open (or reuse) the upload session, upload each file, verify the
 * session against the manifest, complete it, confirm. Whatever stops it after the session is open (a step failing
 * for good, the deadline's safety margin, a cancel), the session ends complete with the full verified manifest or is
 * deleted, and a person is told what to upload by hand.
 */
export async function reviewUpload(input: ReviewUploadInput): Promise<ReviewUploadResult> {
  const options = withDefaults(input.options);
  const progress = new UploadProgress();
  const run: RunState = { sessionId: null, sessionNeedsEnding: false, alreadyCompleted: false, files: [], stats: null, reportPath: null, deadline: null };
  const work = new CancellationScope();
  let stopReason: string | null = null;
  const stop = (reason: string): void => {
    stopReason ??= reason;
    work.cancel();
  };

  setHandler(progressQuery, () => progress.snapshot());
  setHandler(cancelUploadUpdate, (reason) => stop(`cancelled on request: ${reason}`), {
    validator: (reason) => {
      if (typeof reason !== 'string' || reason.trim() === '') throw new Error('cancelUpload needs a reason: who asks, and why');
    },
  });

  let failure: string | null = null;
  try {
    await work.run(() => deliver(input, options, progress, run, stop));
  } catch (err) {
    failure = stopReason ?? describeFailure(err);
    progress.error(failure);
  }

  let unfinishedSession: UnfinishedSessionEnd | null = null;
  let noticeDelivered = false;
  if (failure !== null) {
    // Not cancellable: a cancel of the whole run must still end the session and tell a person.
    await CancellationScope.nonCancellable(async () => {
      unfinishedSession = await compensate(input, run, progress);
      noticeDelivered = await notify(input, run, failure ?? 'unknown', unfinishedSession, progress);
    });
  }

  const reviewStatusAfter = failure === null && options.waitForReviewToStart ? await waitForReviewToStart(input, options, progress) : null;
  const outcome = failure === null ? 'completed' : 'fellBackToManual';
  progress.enter('done');
  upsertSearchAttributes([{ key: SearchAttributes.uploadOutcome, value: outcome }]);
  return {
    outcome,
    alreadyCompleted: run.alreadyCompleted,
    sessionId: run.sessionId,
    stats: run.stats,
    files: run.files.map(({ name, size, sha256, rows }) => ({ name, size, sha256, rows })),
    reason: failure,
    deadline: run.deadline,
    unfinishedSession,
    noticeDelivered,
    reviewStatusAfter,
    reportPath: run.reportPath,
  };
}

async function deliver(input: ReviewUploadInput, options: Options, progress: UploadProgress, run: RunState, stop: (reason: string) => void): Promise<void> {
  const instanceRef = { reviewDefinitionId: input.reviewDefinitionId, reviewInstanceId: input.reviewInstanceId };
  const instance = await graphCalls.readReviewInstance.executeWithOptions({ summary: 'read the review instance (status, start)' }, [instanceRef]);
  const deadlineMs = input.deadline ? Date.parse(input.deadline) : instance.startDateTime ? Date.parse(instance.startDateTime) + UPLOAD_WINDOW_MS : NaN;
  if (Number.isNaN(deadlineMs)) {
    throw stopRun(`the upload window of review instance ${input.reviewInstanceId} is unknown: Graph gave no startDateTime; pass an explicit deadline`);
  }
  run.deadline = new Date(deadlineMs).toISOString();
  progress.state.deadline = run.deadline;
  const stopInMs = deadlineMs - options.safetyMarginSeconds * 1000 - Date.now();
  if (instance.status !== 'Initializing' || stopInMs <= 0) {
    // Graph is the record: an earlier run may have delivered the data (the instance then leaves Initializing).
    const target = { catalogId: input.catalogId, resourceId: input.resourceId, reviewInstanceId: input.reviewInstanceId };
    const { session } = await graphCalls.findUploadSession.executeWithOptions({ summary: 'look for data already delivered' }, [target]);
    if (session?.status === 'complete') return alreadyDelivered(session, run, progress);
    throw stopRun(
      instance.status !== 'Initializing'
        ? `review instance ${input.reviewInstanceId} is ${instance.status}, not Initializing: its upload window is over`
        : `too late to upload safely: the window closes at ${run.deadline} and the safety margin is ${options.safetyMarginSeconds} s`,
    );
  }
  // The deadline's margin cancels whatever is in flight, so retries stop in time to compensate and notify.
  void sleep(stopInMs, { summary: 'safety margin before the upload window closes' }).then(
    () => stop(`the upload window closes at ${run.deadline}; stopped ${options.safetyMarginSeconds} s before it to clean up`),
    () => undefined, // cancelled with the work: nothing to do
  );

  progress.enter('preparing');
  run.files = await stagedFiles(input, run);
  progress.setFiles(run.files);
  const manifest = manifestOf(run.files);

  progress.enter('opening');
  const target = { catalogId: input.catalogId, resourceId: input.resourceId };
  const opened = await CancellationScope.nonCancellable(() =>
    committedGraphCalls.openUploadSession.executeWithOptions({ summary: 'find or create the upload session' }, [{ ...target, ...instanceRef }]),
  );
  run.sessionId = opened.session.sessionId;
  progress.setSession(opened.session.sessionId);
  if (opened.outcome === 'expired') throw stopRun(`the upload session for review instance ${input.reviewInstanceId} has expired: the window is over`);
  if (opened.outcome === 'alreadyCompleted') return alreadyDelivered(opened.session, run, progress);
  run.sessionNeedsEnding = true;
  const session = { ...target, sessionId: opened.session.sessionId };

  progress.enter('uploading');
  const { uploadSessionFile } = uploadCalls(options.uploadHeartbeatTimeoutSeconds);
  const queue = [...run.files];
  const uploader = async (): Promise<void> => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const summary = `upload ${file.name} (${(file.size / 1024 / 1024).toFixed(1)} MB)`;
      await uploadSessionFile.executeWithOptions({ summary }, [{ ...session, file }]);
      progress.fileDone(file.size);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.uploadConcurrency, run.files.length) }, uploader));

  progress.enter('verifying');
  const verified = await graphCalls.verifySessionFiles.executeWithOptions({ summary: 'compare the session files with the manifest' }, [{ ...session, manifest }]);
  if (!verified.matches) {
    const gaps = [
      ...verified.missing.map((f) => `missing ${f.name}`),
      ...verified.unexpected.map((f) => `unexpected ${f.name}`),
      ...verified.sizeMismatched.map((f) => `${f.name} is ${f.actualSize} bytes, expected ${f.expectedSize}`),
    ];
    throw stopRun(`the session does not hold exactly the planned files (${gaps.join('; ') || 'counts differ'}); it was not completed`, 'UploadVerificationFailed');
  }

  progress.enter('completing');
  // Once asked, completing is seen through: a cancel must not race a PATCH that Graph may already have applied.
  const completed = await CancellationScope.nonCancellable(() =>
    committedGraphCalls.completeUploadSession.executeWithOptions({ summary: 'set isUploadDone and confirm status complete' }, [{ ...session, manifest }]),
  );
  run.sessionNeedsEnding = false; // complete: Graph no longer lets anyone delete it, and it holds our data
  if (!completed.matchesManifest) {
    throw stopRun('the completed session\'s stats differ from the manifest; check the audit logs in Entra', 'UploadVerificationFailed');
  }
  run.stats = { filesUploaded: completed.session.filesUploaded, totalBytesUploaded: completed.session.totalBytesUploaded };
}

/** A complete session already holds this instance's data: the work is done, and the run says so. */
function alreadyDelivered(session: UploadSessionSummary, run: RunState, progress: UploadProgress): void {
  run.sessionId = session.sessionId;
  progress.setSession(session.sessionId);
  run.alreadyCompleted = true;
  run.stats = { filesUploaded: session.filesUploaded, totalBytesUploaded: session.totalBytesUploaded };
}

async function stagedFiles(input: ReviewUploadInput, run: RunState): Promise<StagedFile[]> {
  if (input.source.kind === 'staged') return input.source.files;
  const prepared = await preparation.prepareUploadFiles.executeWithOptions({ summary: 'prepare and validate the upload files' }, [
    { mappingPath: input.source.mappingPath, runId: workflowInfo().workflowId },
  ]);
  run.reportPath = prepared.reportMarkdownPath;
  if (prepared.blocked) throw stopRun(`data preparation stopped the run before any session was opened: ${prepared.reason}`, 'PreparationBlocked');
  return prepared.manifest.files;
}

/** Ends a session the run opened but did not complete: deleted, so its partial data never reaches reviewers. */
async function compensate(input: ReviewUploadInput, run: RunState, progress: UploadProgress): Promise<UnfinishedSessionEnd | null> {
  if (!run.sessionNeedsEnding || run.sessionId === null) return null;
  progress.enter('compensating');
  try {
    const deleted = await compensation.deleteUploadSession.executeWithOptions({ summary: 'delete the unfinished session (compensation)' }, [
      { catalogId: input.catalogId, resourceId: input.resourceId, sessionId: run.sessionId },
    ]);
    if (deleted.outcome !== 'notActive') return 'deleted';
    // Expired is as good as deleted: Graph will not process it. Complete cannot happen: only this run completes it.
    return deleted.status === 'expired' ? 'expired' : 'leftActive';
  } catch (err) {
    progress.error(`could not delete session ${run.sessionId}: ${describeFailure(err)}`);
    return 'leftActive';
  }
}

async function notify(
  input: ReviewUploadInput,
  run: RunState,
  reason: string,
  unfinishedSession: UnfinishedSessionEnd | null,
  progress: UploadProgress,
): Promise<boolean> {
  progress.enter('notifying');
  const info = workflowInfo();
  try {
    const delivery = await notices.sendFallbackNotice.executeWithOptions({ summary: 'tell a person what to upload by hand' }, [
      {
        reviewInstanceId: input.reviewInstanceId,
        reviewDefinitionId: input.reviewDefinitionId,
        catalogId: input.catalogId,
        resourceId: input.resourceId,
        workflowId: info.workflowId,
        runId: info.runId,
        reason,
        sessionId: run.sessionId,
        unfinishedSession,
        deadline: run.deadline,
        files: run.files.map(({ name, path, size, sha256 }) => ({ name, path, size, sha256 })),
        reportPath: run.reportPath,
      },
    ]);
    return delivery.delivered;
  } catch (err) {
    progress.error(`the fallback notice failed: ${describeFailure(err)}`);
    return false;
  }
}

/** After completion: Entra moves the instance out of Initializing once it has the data. */
async function waitForReviewToStart(input: ReviewUploadInput, options: Options, progress: UploadProgress): Promise<string> {
  progress.enter('waitingForReview');
  const ref = { reviewDefinitionId: input.reviewDefinitionId, reviewInstanceId: input.reviewInstanceId };
  const giveUpAt = Date.now() + options.reviewStartTimeoutSeconds * 1000;
  for (;;) {
    const instance = await graphCalls.readReviewInstance.executeWithOptions({ summary: 'has the review started?' }, [ref]);
    if (instance.status !== 'Initializing' || Date.now() >= giveUpAt) return instance.status;
    await sleep(Math.min(30_000, giveUpAt - Date.now()), { summary: 'wait before asking again' });
  }
}
