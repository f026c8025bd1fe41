/**
 * `npm run dev`: the Temporal dev server (history kept in .data/temporal/dev.sqlite, Web UI on :8233) and a worker
 * of this project, until Ctrl-C, which stops them all in order (worker first, so it can drain).
 */
import { TASK_QUEUE } from '../contracts/temporal';
import { devStackSettings, startDevStack } from './stack/dev-stack';

async function main(): Promise<void> {
  const settings = devStackSettings();
  const stack = await startDevStack(settings, { echo: true });
  process.stdout.write(
    [
      '',
      'Dev stack is up:',
      `  Temporal server  ${stack.temporalAddress} (namespace default; history in ${settings.dataDir}/temporal/dev.sqlite)`,
      `  Web UI           ${stack.uiUrl}`,
      `  Graph emulator   ${stack.emulator.baseUrl} (Graph /v1.0 and /beta, Entra /${stack.emulator.tenantId}/oauth2/v2.0/token, admin ${stack.emulator.adminUrl})`,
      `                   trust its CA with NODE_EXTRA_CA_CERTS=${stack.emulator.caCertPath}`,
      `  Worker           task queue ${TASK_QUEUE}`,
      `  Callout receiver http://127.0.0.1:${settings.calloutPort}/callouts/access-review (the emulator calls it when a review instance starts)`,
      `  Processes        ${stack.processes.map((p) => `${p.name} (pid ${String(p.pid)})`).join(', ')}`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the dev stack…\n`);
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stopping failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A stack process dying on its own takes the stack down with a clear message, not a half-working stack.
  for (const p of stack.processes) {
    void p.onExit().then((code) => {
      if (stopping) return;
      process.stderr.write(`${p.name} exited unexpectedly (code ${String(code)}); stopping the dev stack.\n`);
      shutdown('exit');
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
