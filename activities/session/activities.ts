/**
 * Upload-session activities (issue 4, item 8). Each one is safe to retry at any point: it looks at Graph first and
 * only then acts, so a retry after a crash never creates a second session, uploads a file twice, or completes a
 * session whose files do not match the manifest.
 */
import { stat } from 'node:fs/promises';
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { GraphFailureType } from '../../contracts/graph-failures';
import { SessionFailureType } from '../../contracts/session-activities';
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
  UploadProgress,
  UploadSessionFileInput,
  UploadSessionFileResult,
  VerifySessionFilesInput,
  VerifySessionFilesResult,
} from '../../contracts/session-activities';
import type { GraphClient } from '../graph/client';
import { isSafeMultipartFileName } from '../graph/multipart';
import { eq, orderBy } from '../graph/odata';
import type { UploadSession } from '../graph/schemas';
import { compareWithManifest, describeDifferences, statsMatchManifest, summarize } from './compare';

export interface SessionActivitiesDeps {
  graph: GraphClient;
  /** Least time between two upload heartbeats (the SDK throttles too; this keeps a 2 GB upload from calling it 2,000 times). */
  heartbeatIntervalMs?: number;
}

const isGraphFailure = (err: unknown, type: string): boolean => err instanceof ApplicationFailure && err.type === type;

function notActive(session: UploadSession, wanted: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `Upload session ${session.id} is ${session.status}, so it cannot ${wanted}. Only an active session takes files or completes; open a new run for the review instance if it is still Initializing.`,
    type: SessionFailureType.notActive,
    nonRetryable: true,
    details: [{ sessionId: session.id, status: session.status }],
  });
}

/** Sessions of the instance, newest first. The client-side check guards against a server that ignores `$filter`. */
async function sessionsOfInstance(graph: GraphClient, input: FindUploadSessionInput, signal: AbortSignal): Promise<UploadSession[]> {
  const listed = await graph.listUploadSessions(
    input.catalogId,
    input.resourceId,
    { filter: eq('referenceId', input.reviewInstanceId), orderBy: orderBy('createdDateTime', 'desc') },
    signal,
  );
  return listed
    .filter((s) => (s.referenceId ?? s.data?.reviewInstanceId) === input.reviewInstanceId)
    .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
}

function decide(sessions: UploadSession[]): OpenUploadSessionResult | undefined {
  const active = sessions.find((s) => s.status === 'active');
  if (active !== undefined) return { outcome: 'reused', session: summarize(active) };
  const complete = sessions.find((s) => s.status === 'complete');
  if (complete !== undefined) return { outcome: 'alreadyCompleted', session: summarize(complete) };
  const expired = sessions.find((s) => s.status === 'expired');
  if (expired !== undefined) return { outcome: 'expired', session: summarize(expired) };
  return undefined;
}

export function createSessionActivities(deps: SessionActivitiesDeps) {
  const { graph } = deps;
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 1000;

  return {
    /** Read-only: what Graph holds for the instance (active first, then complete, then expired), creating nothing. */
    async findUploadSession(input: FindUploadSessionInput): Promise<FindUploadSessionResult> {
      const found = decide(await sessionsOfInstance(graph, input, cancellationSignal()));
      return { session: found?.session ?? null };
    },

    async openUploadSession(input: OpenUploadSessionInput): Promise<OpenUploadSessionResult> {
      const signal = cancellationSignal();
      const existing = decide(await sessionsOfInstance(graph, input, signal));
      if (existing !== undefined) {
        log.info('upload session found', { outcome: existing.outcome, sessionId: existing.session.sessionId });
        return existing;
      }
      try {
        const created = await graph.createUploadSession(input.catalogId, input.resourceId, input, signal);
        log.info('upload session created', { sessionId: created.id });
        return { outcome: 'created', session: summarize(created) };
      } catch (err) {
        // Another attempt or worker created it between our list and our create: use theirs.
        if (isGraphFailure(err, GraphFailureType.conflict)) {
          const raced = decide(await sessionsOfInstance(graph, input, signal));
          if (raced !== undefined) return raced;
        }
        throw err;
      }
    },

    async uploadSessionFile(input: UploadSessionFileInput): Promise<UploadSessionFileResult> {
      const signal = cancellationSignal();
      const { file, catalogId, resourceId, sessionId } = input;
      if (!isSafeMultipartFileName(file.name)) {
        throw ApplicationFailure.create({
          message: `File name ${JSON.stringify(file.name)} cannot be uploaded: it must be non-empty and contain no ", \\, /, CR, LF or NUL (rename it in data preparation).`,
          type: SessionFailureType.invalidFileName,
          nonRetryable: true,
        });
      }
      await checkStagedFile(file.path, file.size);

      // Re-check first: an earlier attempt may have sent this file before the worker died.
      const session = await graph.getUploadSession(catalogId, resourceId, sessionId, { expandFiles: { filter: eq('name', file.name) } }, signal);
      if (session.status !== 'active') throw notActive(session, `take ${file.name}`);
      const sameName = (session.files ?? []).filter((f) => f.name === file.name);
      if (sameName.some((f) => f.size === file.size)) {
        log.info('file already in session', { sessionId, name: file.name, attempt: activityInfo().attempt });
        return { outcome: 'alreadyPresent', file: { name: file.name, size: file.size }, session: summarize(session) };
      }
      if (sameName.length > 0) {
        throw ApplicationFailure.create({
          message:
            `Session ${sessionId} already holds ${file.name} with ${sameName.map((f) => f.size).join(', ')} bytes, but the staged file has ${file.size}. ` +
            'Graph cannot replace or remove one file: delete the session and upload all files again.',
          type: SessionFailureType.fileConflict,
          nonRetryable: true,
          details: [{ sessionId, name: file.name, expectedSize: file.size, actualSizes: sameName.map((f) => f.size) }],
        });
      }

      let lastBeat = 0;
      const beat = (bytesSent: number): void => {
        const now = Date.now();
        if (bytesSent < file.size && now - lastBeat < heartbeatIntervalMs) return;
        lastBeat = now;
        const progress: UploadProgress = { name: file.name, bytesSent, size: file.size };
        heartbeat(progress);
      };
      beat(0);
      // Keep heartbeating while Graph takes its time to answer after the last byte: liveness for the heartbeat
      // timeout, and the only way a cancel reaches this activity in that wait.
      let bytesSoFar = 0;
      const whileWaiting = setInterval(() => heartbeat({ name: file.name, bytesSent: bytesSoFar, size: file.size } satisfies UploadProgress), heartbeatIntervalMs);
      let uploaded: Awaited<ReturnType<GraphClient['uploadFile']>>;
      try {
        uploaded = await graph.uploadFile(
          catalogId,
          resourceId,
          sessionId,
          { path: file.path, name: file.name, size: file.size, onProgress: (sent) => beat((bytesSoFar = sent)) },
          signal,
        );
      } finally {
        clearInterval(whileWaiting);
      }
      log.info('file uploaded', { sessionId, name: file.name, size: file.size });
      return { outcome: 'uploaded', file: { name: file.name, size: file.size }, session: summarize(uploaded) };
    },

    async verifySessionFiles(input: VerifySessionFilesInput): Promise<VerifySessionFilesResult> {
      const session = await graph.getUploadSession(input.catalogId, input.resourceId, input.sessionId, { expandFiles: true }, cancellationSignal());
      return { ...compareWithManifest(session, input.manifest), session: summarize(session) };
    },

    async completeUploadSession(input: CompleteUploadSessionInput): Promise<CompleteUploadSessionResult> {
      const signal = cancellationSignal();
      const { catalogId, resourceId, sessionId, manifest } = input;
      const before = await graph.getUploadSession(catalogId, resourceId, sessionId, { expandFiles: true }, signal);
      if (before.status === 'complete') {
        return { outcome: 'alreadyCompleted', session: summarize(before), matchesManifest: statsMatchManifest(before, manifest) };
      }
      if (before.status !== 'active') throw notActive(before, 'be completed');
      const diff = compareWithManifest(before, manifest);
      if (!diff.matches) {
        throw ApplicationFailure.create({
          message: `Refusing to complete upload session ${sessionId}: its files do not match the manifest (${describeDifferences(diff)}). Completing would deliver partial data; upload the missing files or delete the session.`,
          type: SessionFailureType.incomplete,
          nonRetryable: true,
          details: [{ sessionId, ...diff }],
        });
      }
      let after = await graph.completeUploadSession(catalogId, resourceId, sessionId, signal);
      if (after.status !== 'complete') after = await graph.getUploadSession(catalogId, resourceId, sessionId, {}, signal);
      if (after.status !== 'complete') {
        throw ApplicationFailure.create({
          message: `Upload session ${sessionId} accepted isUploadDone but shows status ${after.status}; looking again on the next attempt.`,
          type: SessionFailureType.notYetComplete,
          nonRetryable: false,
          details: [{ sessionId, status: after.status }],
        });
      }
      return { outcome: 'completed', session: summarize(after), matchesManifest: statsMatchManifest(after, manifest) };
    },

    async deleteUploadSession(input: DeleteUploadSessionInput): Promise<DeleteUploadSessionResult> {
      const signal = cancellationSignal();
      const { catalogId, resourceId, sessionId } = input;
      let session: UploadSession;
      try {
        session = await graph.getUploadSession(catalogId, resourceId, sessionId, {}, signal);
      } catch (err) {
        if (isGraphFailure(err, GraphFailureType.notFound)) return { outcome: 'alreadyGone', status: null };
        throw err;
      }
      if (session.status !== 'active') {
        log.warn('upload session not deleted: not active', { sessionId, status: session.status });
        return { outcome: 'notActive', status: session.status };
      }
      try {
        await graph.deleteUploadSession(catalogId, resourceId, sessionId, signal);
      } catch (err) {
        if (isGraphFailure(err, GraphFailureType.notFound)) return { outcome: 'alreadyGone', status: session.status };
        throw err;
      }
      log.info('upload session deleted', { sessionId });
      return { outcome: 'deleted', status: session.status };
    },

    async readReviewInstance(input: ReadReviewInstanceInput): Promise<ReviewInstanceSummary> {
      const instance = await graph.getReviewInstance(input.reviewDefinitionId, input.reviewInstanceId, cancellationSignal());
      return { id: instance.id, status: instance.status, startDateTime: instance.startDateTime, endDateTime: instance.endDateTime };
    },
  };
}

export type SessionActivities = ReturnType<typeof createSessionActivities>;

async function checkStagedFile(path: string, size: number): Promise<void> {
  const problem = await stat(path).then(
    (s) => (!s.isFile() ? 'is not a regular file' : s.size !== size ? `has ${s.size} bytes, the manifest says ${size}` : undefined),
    (err: NodeJS.ErrnoException) => `cannot be read (${err.code ?? err.message})`,
  );
  if (problem !== undefined) {
    throw ApplicationFailure.create({
      message: `Staged file ${path} ${problem}: run data preparation again to stage the upload.`,
      type: SessionFailureType.stagedFileChanged,
      nonRetryable: true,
      details: [{ path, expectedSize: size }],
    });
  }
}
