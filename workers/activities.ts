import { createCheckActivities } from '../activities/check/activities';

/**
 * Builds every activity the worker registers, each from its factory with its dependencies. Credentials, HTTP
 * dispatchers and configuration stay here, in the worker process; workflows only ever see ids, sizes and hashes.
 */
export function createWorkerActivities(env: NodeJS.ProcessEnv = process.env) {
  return {
    ...createCheckActivities({ graphTarget: env.GRAPH_BASE_URL ?? 'https://graph.microsoft.com' }),
  };
}

export type WorkerActivities = ReturnType<typeof createWorkerActivities>;
