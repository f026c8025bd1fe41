import { proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { ReviewUploadActivities } from '../contracts/activities';
import { NON_RETRYABLE_GRAPH_FAILURES } from '../contracts/graph-failures';
import { reviewUploadWorkflowId } from '../contracts/review-upload';
import { NON_RETRYABLE_SESSION_FAILURES } from '../contracts/session-activities';
import type { UploadSessionSummary } from '../contracts/session-activities';
import type { UploadTarget } from '../contracts/targets';
import type { SweepInput, SweepResult, SweptSession, TriggerActivities } from '../contracts/triggers';
import { describeFailure } from './review-upload/failures';

const graph = proxyActivities<TriggerActivities & ReviewUploadActivities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '2s', maximumInterval: '1m', nonRetryableErrorTypes: [...NON_RETRYABLE_GRAPH_FAILURES, ...NON_RETRYABLE_SESSION_FAILURES] },
});

/**
 * The backstop for runs that ended without their guaranteed ending (terminated by hand, or a run timeout): every
 * active session of the configured resources whose upload run is not running is ended by the workflow's own rule:
 * completed if it holds exactly the files the run planned (verified), otherwise deleted, and a person is told.
 */
export async function sweepUploadSessions(input: SweepInput): Promise<SweepResult> {
  const graceMs = (input.graceMinutes ?? 10) * 60_000;
  const sessions: SweptSession[] = [];
  for (const target of input.targets) {
    for (const session of await graph.listActiveSessions({ catalogId: target.catalogId, resourceId: target.resourceId })) {
      sessions.push(await sweep(target, session, graceMs));
      setCurrentDetails(`looked at ${sessions.length} active session(s); ${sessions.filter((s) => s.action === 'completed' || s.action === 'deleted').length} ended`);
    }
  }
  return { sessions };
}

async function sweep(target: UploadTarget, session: UploadSessionSummary, graceMs: number): Promise<SweptSession> {
  const reviewInstanceId = session.referenceId;
  const workflowId = reviewInstanceId ? reviewUploadWorkflowId({ catalogId: target.catalogId, resourceId: target.resourceId, reviewInstanceId }) : null;
  const base = { target: target.name, sessionId: session.sessionId, reviewInstanceId, workflowId };
  if (Date.now() - Date.parse(session.createdDateTime) < graceMs) return { ...base, action: 'skippedYoung', reason: 'created within the grace period' };
  const ref = { catalogId: target.catalogId, resourceId: target.resourceId, sessionId: session.sessionId };
  try {
    const run = workflowId ? await graph.readUploadRun({ workflowId }) : { running: false, manifest: null, reviewDefinitionId: null };
    if (run.running) return { ...base, action: 'skippedRunning', reason: 'its upload run is still running and will end it' };
    if (run.manifest) {
      const verified = await graph.verifySessionFiles({ ...ref, manifest: run.manifest });
      if (verified.matches) {
        await graph.completeUploadSession({ ...ref, manifest: run.manifest });
        return { ...base, action: 'completed', reason: 'it held exactly the files its run planned (verified)' };
      }
    }
    const reason = `upload run ${workflowId ?? '(none: the session has no referenceId)'} ended without finishing; its session held ${
      run.manifest ? 'only part of the planned files' : 'files no run planned'
    }, so the sweeper deleted it`;
    await graph.deleteUploadSession(ref);
    await graph.sendFallbackNotice({
      reviewInstanceId: reviewInstanceId ?? 'unknown',
      reviewDefinitionId: run.reviewDefinitionId ?? 'unknown (no upload run recorded for this session)',
      catalogId: target.catalogId,
      resourceId: target.resourceId,
      workflowId: workflowInfo().workflowId,
      runId: workflowInfo().runId,
      reason,
      sessionId: session.sessionId,
      unfinishedSession: 'deleted',
      deadline: null,
      files: (run.manifest?.files ?? []).map(({ name, path, size, sha256 }) => ({ name, path, size, sha256 })),
      reportPath: null,
    });
    return { ...base, action: 'deleted', reason };
  } catch (err) {
    return { ...base, action: 'failed', reason: describeFailure(err) };
  }
}
