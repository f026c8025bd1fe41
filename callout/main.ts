/**
 * The Entra callout receiver: `tsx callout/main.ts` (configuration in docs/callout-receiver.md). Reads its settings
 * and the upload targets, connects to Temporal with the standard TEMPORAL_* settings, listens until SIGINT/SIGTERM,
 * then stops accepting callouts and lets those in flight finish. SIGHUP reloads the targets file.
 */
import { loadUploadTargets } from '../client/targets';
import { createLogger } from '../workers/logging';
import { connectClient, loadTemporalTarget } from '../workers/temporal-connection';
import { createCalloutServer } from './server';
import { loadCalloutSettings } from './settings';
import { createTokenVerifier } from './token-verifier';

async function main(): Promise<void> {
  const settings = loadCalloutSettings();
  const logger = createLogger('callout-receiver');
  const targets = await loadUploadTargets(settings.targetsFile);
  const verifier = createTokenVerifier({
    authorityHost: settings.authorityHost,
    tenantId: settings.tenantId,
    audiences: settings.audiences,
    allowedAppIds: settings.allowedAppIds,
    extraIssuers: settings.extraIssuers,
    clockToleranceSeconds: settings.clockToleranceSeconds,
  });
  // Not fatal: the identity provider may come up later; each callout tries again and answers 503 meanwhile.
  await verifier.warmUp().catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'OpenID discovery failed at start'));

  const temporal = loadTemporalTarget();
  const { client, connection } = await connectClient(temporal).catch((error: unknown) => {
    throw new Error(`cannot connect to Temporal at ${temporal.address} (namespace ${temporal.namespace}; set TEMPORAL_ADDRESS and friends): ${(error as Error).message}`);
  });
  const receiver = createCalloutServer({
    client,
    targets,
    targetsFile: settings.targetsFile,
    verifier,
    logger,
    taskQueue: settings.taskQueue,
    path: settings.path,
    startTimeoutMs: settings.startTimeoutMs,
  });
  const url = await receiver.listen(settings.port, settings.host);
  logger.info(
    {
      url,
      temporal: temporal.address,
      namespace: temporal.namespace,
      taskQueue: settings.taskQueue,
      targets: targets.map((t) => t.name),
      authority: `${settings.authorityHost}/${settings.tenantId}`,
      audiences: settings.audiences,
      allowedAppIds: settings.allowedAppIds,
    },
    'callout receiver listening',
  );

  process.on('SIGHUP', () => {
    loadUploadTargets(settings.targetsFile).then(
      (next) => {
        receiver.setTargets(next);
        logger.info({ targets: next.map((t) => t.name) }, 'upload targets reloaded');
      },
      (error: unknown) => logger.error({ reason: (error as Error).message }, 'upload targets NOT reloaded; the previous ones stay in use'),
    );
  });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: no new callouts, waiting for those in flight');
    receiver
      .close()
      .then(() => connection.close())
      .then(
        () => {
          logger.info('callout receiver stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ reason: (error as Error).message }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`callout receiver failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
