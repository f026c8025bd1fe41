import path from 'node:path';
import { createCheckActivities } from '../activities/check/activities';
import { createDataActivities } from '../activities/data/activities';
import { createGraphPrincipalResolver } from '../activities/data/resolver';
import type { GraphLogger } from '../activities/graph';
import { createGraphClient, loadGraphSettings } from '../activities/graph';
import { createNotifyActivities } from '../activities/notify/activities';
import { createSessionActivities } from '../activities/session';
import { createTriggerActivities } from '../activities/triggers/activities';
import type { ReviewUploadActivities } from '../contracts/activities';
import type { TriggerActivities } from '../contracts/triggers';
import { SettingsError } from './worker-settings';

/** Where staged upload files go (STAGING_DIR) and how long staged runs are kept (STAGING_RETENTION_HOURS). */
function stagingSettings(env: NodeJS.ProcessEnv): { stagingRoot: string; retentionHours: number } {
  const retention = env.STAGING_RETENTION_HOURS ?? '72';
  const retentionHours = Number(retention);
  if (!Number.isFinite(retentionHours) || retentionHours <= 0) {
    throw new SettingsError(`STAGING_RETENTION_HOURS=${JSON.stringify(retention)}: give a positive number of hours (default 72).`);
  }
  return { stagingRoot: path.resolve(env.STAGING_DIR ?? path.join(process.cwd(), '.data', 'staging')), retentionHours };
}

/**
 * Builds every activity the worker registers, each from its factory with its dependencies: one Graph client (one
 * credential, one HTTP dispatcher) per process. Credentials and configuration stay here, in the worker; workflows
 * only ever see ids, sizes and hashes.
 */
export function createWorkerActivities(env: NodeJS.ProcessEnv = process.env, logger?: GraphLogger) {
  const graphSettings = loadGraphSettings(env);
  const { graph, close } = createGraphClient(graphSettings, logger);
  const activities = {
    ...createCheckActivities({ graphTarget: graphSettings.baseUrl }),
    ...createSessionActivities({ graph }),
    ...createDataActivities({ principalResolver: createGraphPrincipalResolver(graph), ...stagingSettings(env) }),
    ...createNotifyActivities({ webhookUrl: env.NOTIFY_WEBHOOK_URL }),
    ...createTriggerActivities({ graph }),
  } satisfies ReviewUploadActivities & TriggerActivities;
  return { activities, graph, close };
}
