/**
 * Start and follow upload runs.
 *
 *   npm run upload -- start --catalog C --resource R --definition D --instance I --file a.csv --file b.csv
 *   npm run upload -- start ... --mapping examples/mapping.yaml        # prepare from source exports first
 *   npm run upload -- status <workflowId>      npm run upload -- cancel <workflowId> --reason "..."
 *
 * Exit code: 0 completed, 2 fell back to manual upload, 1 error (bad input, run failed, connection).
 */
import { Command, InvalidArgumentError } from 'commander';
import { startReviewUpload } from '../client/start-review-upload';
import { followRun, progressLine } from '../client/follow-run';
import { describeStagedFiles } from '../client/staged-files';
import { resultSummary } from '../client/summary';
import { cancelUploadUpdate, progressQuery } from '../contracts/review-upload';
import type { reviewUpload } from '../workflows';
import { webUiLink, withTemporalClient } from '../workers/temporal-connection';

const EXIT = { completed: 0, error: 1, fellBackToManual: 2 } as const;

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of 1 or more');
  return n;
};

const program = new Command('upload').description('Start and follow Entra access review upload runs.').showHelpAfterError();

program
  .command('start')
  .description('start (or join) the upload run of one review instance, and follow it to its end')
  .requiredOption('--catalog <id>', 'access package catalog id')
  .requiredOption('--resource <id>', 'custom data provided resource id')
  .requiredOption('--definition <id>', 'access review definition id')
  .requiredOption('--instance <id>', 'access review instance id')
  .option('--file <path...>', 'already-built CSV file(s) in the upload layout')
  .option('--mapping <path>', 'mapping file: prepare the files from source exports first')
  .option('--deadline <iso>', 'when the upload window closes (default: instance start + 2 h)')
  .option('--concurrency <n>', 'files uploaded at once', positiveInt)
  .option('--safety-margin <seconds>', 'stop this long before the window closes', positiveInt)
  .option('--wait-for-review', 'after completing, wait until the review instance leaves Initializing')
  .option('--task-queue <name>', 'task queue of the workers (default entra-review-upload)')
  .option('--no-follow', 'print the run id and exit without waiting')
  .option('--json', 'print the result as JSON (for scripts)')
  .action(async (opts: Record<string, unknown>) => {
    const files = opts.file as string[] | undefined;
    const mapping = opts.mapping as string | undefined;
    if ((files ? 1 : 0) + (mapping ? 1 : 0) !== 1) throw new InvalidArgumentError('give either --file (one or more) or --mapping');
    const source = files ? { kind: 'staged' as const, files: await describeStagedFiles(files) } : { kind: 'prepare' as const, mappingPath: mapping ?? '' };
    const options = {
      ...(opts.concurrency ? { uploadConcurrency: opts.concurrency as number } : {}),
      ...(opts.safetyMargin ? { safetyMarginSeconds: opts.safetyMargin as number } : {}),
      ...(opts.waitForReview ? { waitForReviewToStart: true } : {}),
    };
    const input = {
      catalogId: opts.catalog,
      resourceId: opts.resource,
      reviewDefinitionId: opts.definition,
      reviewInstanceId: opts.instance,
      source,
      ...(opts.deadline ? { deadline: opts.deadline } : {}),
      ...(Object.keys(options).length ? { options } : {}),
    };
    const json = opts.json === true;
    process.exitCode = await withTemporalClient(async ({ client, namespace }) => {
      const { handle, started, runId } = await startReviewUpload(client, input, opts.taskQueue ? { taskQueue: opts.taskQueue as string } : {});
      const link = webUiLink(namespace, handle.workflowId, runId);
      if (!json) process.stderr.write(`${started ? 'Started' : 'Joined the running'} run ${handle.workflowId}\n${link}\n`);
      if (opts.follow === false) {
        if (json) process.stdout.write(`${JSON.stringify({ workflowId: handle.workflowId, started, webUi: link })}\n`);
        return EXIT.completed;
      }
      const tty = process.stderr.isTTY && !json;
      const result = await followRun(handle, (line, redraw) => {
        if (json) return;
        process.stderr.write(tty ? `${redraw ? '\r\x1b[2K' : ''}${line}` : `${line}\n`);
      });
      if (tty) process.stderr.write('\n');
      process.stdout.write(json ? `${JSON.stringify({ workflowId: handle.workflowId, webUi: link, ...result })}\n` : `${resultSummary(result, link)}\n`);
      return EXIT[result.outcome];
    });
  });

program
  .command('status <workflowId>')
  .description("show a run's progress (or its result when it has ended)")
  .option('--json', 'print JSON')
  .action(async (workflowId: string, opts: { json?: boolean }) => {
    await withTemporalClient(async ({ client }) => {
      const handle = client.workflow.getHandle<typeof reviewUpload>(workflowId);
      const { status } = await handle.describe();
      const progress = await handle.query(progressQuery);
      process.stdout.write(opts.json ? `${JSON.stringify({ status: status.name, progress })}\n` : `${status.name}: ${progressLine(progress)}\n`);
    });
  });

program
  .command('cancel <workflowId>')
  .description('cancel a run: the session is deleted (never completed half-filled) and the fallback notice sent')
  .requiredOption('--reason <text>', 'who asks, and why (goes into the notice)')
  .action(async (workflowId: string, opts: { reason: string }) => {
    await withTemporalClient(async ({ client }) => {
      await client.workflow.getHandle(workflowId).executeUpdate(cancelUploadUpdate, { args: [opts.reason] });
      process.stdout.write(`Cancel requested for ${workflowId}; follow it with: npm run upload -- status ${workflowId}\n`);
    });
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = EXIT.error;
});
