/**
 * `npm run demo`: runs the main job on the embedded dev stack and prints the outcome and the Web UI link.
 * It starts the stack (or joins a running `npm run dev`), runs the job, and stops what it started; the run's history
 * stays in .data/temporal/dev.sqlite, so `npm run dev` afterwards shows it in the Web UI.
 *
 * Until the upload pipeline lands, the job is the pipeline check: client -> server -> worker -> activity -> history.
 */
import { pipelineCheckWorkflowId } from '../contracts/pipeline-check';
import { TASK_QUEUE } from '../contracts/temporal';
import { pipelineCheck } from '../workflows';
import { devStackSettings, startDevStack } from './stack/dev-stack';
import { connectClient, webUiLink } from '../workers/temporal-connection';

async function main(): Promise<void> {
  const stack = await startDevStack(devStackSettings(), { echo: false });
  try {
    process.env.TEMPORAL_ADDRESS = stack.temporalAddress;
    process.env.TEMPORAL_NAMESPACE = 'default';
    const { client, connection } = await connectClient();
    try {
      const workflowId = pipelineCheckWorkflowId('demo', new Date());
      const handle = await client.workflow.start(pipelineCheck, {
        workflowId,
        taskQueue: TASK_QUEUE,
        args: [{ requestedBy: 'demo' }],
        staticSummary: 'Pipeline check started by npm run demo',
      });
      const result = await handle.result();
      process.stdout.write(
        [
          '',
          `Pipeline check completed: worker ${result.worker.identity} (Node ${result.worker.nodeVersion}) on task queue ${result.worker.taskQueue}.`,
          `Web UI: ${webUiLink('default', workflowId, handle.firstExecutionRunId)}`,
          '(The Web UI is served while `npm run dev` runs; the run is kept in .data/temporal/dev.sqlite.)',
          '',
        ].join('\n'),
      );
    } finally {
      await connection.close();
    }
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
