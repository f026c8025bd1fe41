import { cancellationSignal, getClient } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { UploadManifest } from '../../contracts/manifest';
import { manifestOf } from '../../contracts/manifest';
import type { PrepareResult } from '../../contracts/prepare';
import type { ReviewUploadInput } from '../../contracts/review-upload';
import type { UploadSessionSummary } from '../../contracts/session-activities';
import type { TriggerActivities, UploadRunRecord } from '../../contracts/triggers';
import type { GraphClient } from '../graph/client';
import { eq } from '../graph/odata';
import { summarize } from '../session/compare';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const decode = <T>(payloads: temporal.api.common.v1.IPayloads | null | undefined): T | undefined => {
  const first = payloads?.payloads?.[0];
  return first ? defaultPayloadConverter.fromPayload<T>(first) : undefined;
};

/** The files a run planned: its staged input, or the manifest its preparation activity returned. */
export function plannedManifest(input: ReviewUploadInput | undefined, events: HistoryEvent[]): UploadManifest | null {
  if (input?.source.kind === 'staged') return manifestOf(input.source.files);
  const prepareScheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'prepareUploadFiles');
  if (!prepareScheduled?.eventId) return null;
  const completed = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(prepareScheduled.eventId));
  const prepared = decode<PrepareResult>(completed?.activityTaskCompletedEventAttributes?.result);
  return prepared && !prepared.blocked ? manifestOf(prepared.manifest.files) : null;
}

/** What the review-cycle and sweeper workflows read: Graph through the one client, runs through the worker's client. */
export function createTriggerActivities(deps: { graph: GraphClient }): TriggerActivities {
  const { graph } = deps;
  return {
    async listInitializingInstances({ reviewDefinitionId }) {
      const instances = await graph.listReviewInstances(reviewDefinitionId, eq('status', 'Initializing'), cancellationSignal());
      return instances.map((i) => ({ id: i.id, startDateTime: i.startDateTime }));
    },

    async listActiveSessions({ catalogId, resourceId }): Promise<UploadSessionSummary[]> {
      const sessions = await graph.listUploadSessions(catalogId, resourceId, { filter: eq('status', 'active') }, cancellationSignal());
      return sessions.map(summarize);
    },

    async readUploadRun({ workflowId }): Promise<UploadRunRecord> {
      const handle = getClient().workflow.getHandle(workflowId);
      try {
        const { status } = await handle.describe();
        const history = await handle.fetchHistory();
        const events = history.events ?? [];
        const input = decode<ReviewUploadInput>(events[0]?.workflowExecutionStartedEventAttributes?.input);
        return { running: status.name === 'RUNNING', manifest: plannedManifest(input, events), reviewDefinitionId: input?.reviewDefinitionId ?? null };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { running: false, manifest: null, reviewDefinitionId: null };
        throw err;
      }
    },
  };
}
