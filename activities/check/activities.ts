import { hostname } from 'node:os';
import { activityInfo } from '@temporalio/activity';
import type { WorkerReport } from '../../contracts/pipeline-check';

export interface CheckActivityDeps {
  /** Base URL the worker's Graph client is configured with (never credentials). */
  graphTarget: string;
}

/** Activities of the pipeline check: they report which worker picked the task up. */
export function createCheckActivities(deps: CheckActivityDeps) {
  return {
    async reportWorker(): Promise<WorkerReport> {
      return {
        identity: `${hostname()}:${process.pid}`,
        hostname: hostname(),
        pid: process.pid,
        nodeVersion: process.version,
        taskQueue: activityInfo().taskQueue,
        graphTarget: deps.graphTarget,
      };
    },
  };
}
