import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { TASK_QUEUE } from '../contracts/temporal';
import type { WorkerSettings } from './worker-settings';

export const WORKFLOWS_ENTRY = require.resolve('../workflows');
/**
 * The bundle `npm run build` writes beside the compiled code (dist/workflow-bundle.js). Only the compiled worker uses
 * it: run from the TypeScript sources, the worker bundles them at start-up, so a stale bundle can never run.
 */
export const PREBUILT_BUNDLE = path.join(__dirname, '..', 'workflow-bundle.js');
const RUNNING_COMPILED = __filename.endsWith('.js');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: object;
  settings: WorkerSettings;
  /** A bundle from `bundleWorkflowCode` (tests bundle once per file). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
  identity?: string;
}

/** One place that turns settings into worker options, for the worker process and the tests alike. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { settings } = options;
  const bundle =
    options.workflowBundle ?? (settings.usePrebuiltBundle && RUNNING_COMPILED && existsSync(PREBUILT_BUNDLE) ? { codePath: PREBUILT_BUNDLE } : undefined);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: options.activities,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_ENTRY }),
    ...(options.identity ? { identity: options.identity } : {}),
    maxConcurrentActivityTaskExecutions: settings.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: settings.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: settings.maxCachedWorkflows,
    shutdownGraceTime: settings.shutdownGraceTime,
    maxHeartbeatThrottleInterval: settings.maxHeartbeatThrottleInterval,
  });
}
