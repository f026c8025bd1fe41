/**
 * The worker process: `npm run worker` (or `node dist/workers/main.js` after `npm run build`).
 * Connects with the standard TEMPORAL_* settings, runs until SIGINT/SIGTERM, then drains in-flight activities for
 * WORKER_SHUTDOWN_GRACE_TIME before exiting.
 */
import { Runtime } from '@temporalio/worker';
import { createWorkerActivities } from './activities';
import { createWorker } from './create-worker';
import { createLogger, temporalLoggerFrom } from './logging';
import { connectNative, loadTemporalTarget } from './temporal-connection';
import { loadWorkerSettings } from './worker-settings';

async function main(): Promise<void> {
  const logger = createLogger('worker');
  // Before any connection: one Runtime per process, with our structured logger and signal handling.
  Runtime.install({ logger: temporalLoggerFrom(logger), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const settings = loadWorkerSettings();
  const target = loadTemporalTarget();
  const { activities, close: closeGraph } = createWorkerActivities(process.env, logger);
  const connection = await connectNative(target).catch((err: unknown) => {
    throw new Error(
      `cannot connect to Temporal at ${target.address} (namespace ${target.namespace}): ${err instanceof Error ? err.message : String(err)}. ` +
        'Set TEMPORAL_ADDRESS (and TEMPORAL_TLS / TEMPORAL_API_KEY for a cluster or Temporal Cloud); see README "Configuration".',
    );
  });
  try {
    const worker = await createWorker({ connection, namespace: target.namespace, activities, settings, taskQueue: settings.taskQueue });
    logger.info({ address: target.address, namespace: target.namespace, taskQueue: settings.taskQueue, settings }, 'worker started');
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await closeGraph();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
