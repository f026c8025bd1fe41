import { z } from 'zod';
import { TASK_QUEUE } from '../contracts/temporal';

/** A duration written as 500ms, 30s or 2m, parsed to milliseconds. */
function duration(fallback: string) {
  return z
    .string()
    .regex(/^\d+(ms|s|m)$/, 'a duration such as 500ms, 30s or 2m')
    .default(fallback)
    .transform((v) => {
      const [, amount = '0', unit] = /^(\d+)(ms|s|m)$/.exec(v) ?? [];
      return Number(amount) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1);
    });
}

/** Worker tuning, from the environment. Each setting names its variable in errors. */
export const WorkerSettingsSchema = z.object({
  /** Runs are started on the project's task queue; a separate queue isolates e.g. a staging worker fleet. */
  taskQueue: z.string().min(1).default(TASK_QUEUE),
  maxConcurrentActivities: z.coerce.number().int().min(1).max(1000).default(20),
  maxConcurrentWorkflowTasks: z.coerce.number().int().min(1).max(1000).default(20),
  maxCachedWorkflows: z.coerce.number().int().min(0).max(100_000).default(500),
  /** Milliseconds; written as 500ms, 30s or 2m. */
  shutdownGraceTime: duration('30s'),
  /**
   * Milliseconds; heartbeats reach the server at most this far apart. A cancel reaches a running activity only in
   * a heartbeat's answer, so this bounds how long a cancel or the deadline margin waits on an upload in flight.
   */
  maxHeartbeatThrottleInterval: duration('5s'),
  usePrebuiltBundle: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});
export type WorkerSettings = z.infer<typeof WorkerSettingsSchema>;

const ENV_NAMES: Record<keyof WorkerSettings, string> = {
  taskQueue: 'WORKER_TASK_QUEUE',
  maxConcurrentActivities: 'WORKER_MAX_CONCURRENT_ACTIVITIES',
  maxConcurrentWorkflowTasks: 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
  maxCachedWorkflows: 'WORKER_MAX_CACHED_WORKFLOWS',
  shutdownGraceTime: 'WORKER_SHUTDOWN_GRACE_TIME',
  maxHeartbeatThrottleInterval: 'WORKER_MAX_HEARTBEAT_THROTTLE_INTERVAL',
  usePrebuiltBundle: 'WORKER_USE_PREBUILT_BUNDLE',
};

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const raw = Object.fromEntries(
    Object.entries(ENV_NAMES).flatMap(([key, name]) => (env[name] !== undefined && env[name] !== '' ? [[key, env[name]]] : [])),
  );
  const parsed = WorkerSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof WorkerSettings;
      return `  ${ENV_NAMES[key] ?? String(key)}=${JSON.stringify(raw[key])}: ${issue.message}`;
    });
    throw new SettingsError(`Invalid worker settings:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
