/**
 * The review-cycle and sweeper workflows: inputs, results and the activities they call. Plain types only (workflow
 * code imports this file).
 */
import type { UploadManifest } from './manifest';
import type { UploadSessionSummary } from './session-activities';
import type { UploadTarget } from './targets';

export interface ReviewCycleInput {
  targets: UploadTarget[];
}

export interface FoundInstance {
  target: string;
  reviewDefinitionId: string;
  reviewInstanceId: string;
  workflowId: string;
}

export interface ReviewCycleResult {
  /** Instances in `Initializing` that this cycle found. */
  found: FoundInstance[];
  /** Upload runs this cycle started (workflow ids). */
  started: string[];
  /** Runs that already existed for an instance (running, or closed: one automated attempt per instance). */
  alreadyStarted: string[];
  /** Targets or definitions that could not be read, with the reason (the cycle goes on with the others). */
  errors: { target: string; reviewDefinitionId: string; reason: string }[];
}

export interface SweepInput {
  targets: UploadTarget[];
  /** Sessions younger than this are left alone: their run may be starting up (default 10). */
  graceMinutes?: number;
}

export type SweepAction = 'completed' | 'deleted' | 'skippedRunning' | 'skippedYoung' | 'failed';

export interface SweptSession {
  target: string;
  sessionId: string;
  reviewInstanceId: string | null;
  workflowId: string | null;
  action: SweepAction;
  reason: string;
}

export interface SweepResult {
  sessions: SweptSession[];
}

/** What Temporal knows of the upload run of one review instance. */
export interface UploadRunRecord {
  /** The run is still open: its own guaranteed ending will end the session. */
  running: boolean;
  /** The files the run planned to upload (its staged input, or its preparation's manifest), if it got that far. */
  manifest: UploadManifest | null;
  /** The review definition of the run's input (the session itself does not name it). */
  reviewDefinitionId: string | null;
}

export interface TriggerActivities {
  listInitializingInstances(input: { reviewDefinitionId: string }): Promise<{ id: string; startDateTime: string | null }[]>;
  listActiveSessions(input: { catalogId: string; resourceId: string }): Promise<UploadSessionSummary[]>;
  readUploadRun(input: { workflowId: string }): Promise<UploadRunRecord>;
}
