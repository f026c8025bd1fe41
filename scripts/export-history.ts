/**
 * Writes a run's history as JSON (the format `temporal workflow show --output json` and the Web UI export use),
 * for the replay tests: npx tsx scripts/export-history.ts <workflowId> test/replay/histories/<name>.json [--run <runId>]
 * Histories carry ids, paths, sizes and hashes only: no file contents or secrets cross the workflow boundary.
 */
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { withTemporalClient } from '../workers/temporal-connection';

async function main(): Promise<void> {
  const [workflowId, out] = process.argv.slice(2);
  const runFlag = process.argv.indexOf('--run');
  const runId = runFlag > 0 ? process.argv[runFlag + 1] : undefined;
  if (!workflowId || !out) throw new Error('usage: tsx scripts/export-history.ts <workflowId> <out.json> [--run <runId>]');
  const history = await withTemporalClient(({ client }) => client.workflow.getHandle(workflowId, runId).fetchHistory());
  await writeFile(out, `${historyToJSON(history)}\n`);
  process.stdout.write(`wrote ${out} (${history.events?.length ?? 0} events)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
