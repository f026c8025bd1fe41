/** The pipeline check: a run that proves client -> server -> worker -> activity -> history works end to end. */
export interface PipelineCheckInput {
  /** Who or what asked (a person, `demo`, `ci`): shows in the run's summary. */
  requestedBy: string;
}

export interface WorkerReport {
  identity: string;
  hostname: string;
  pid: number;
  nodeVersion: string;
  taskQueue: string;
  /** Where the worker will send Graph calls, e.g. https://graph.microsoft.com (no credentials). */
  graphTarget: string;
}

export interface PipelineCheckResult {
  worker: WorkerReport;
  /** Workflow time when the check finished (ISO 8601). */
  checkedAt: string;
}
