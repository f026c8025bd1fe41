/**
 * `npm run demo`: the main job, end to end, on the embedded dev stack (Temporal dev server, Graph + Entra emulator,
 * worker, callout receiver). A review instance of the seeded "Quarterly review: Ledger" starts in the emulator, which
 * calls the receiver (Entra's callout); a review cycle (the workflow the schedule runs, with
 * examples/upload-targets.yaml) looks for instances in Initializing too. Whichever comes first starts the instance's
 * one upload run; the other finds it. The run prepares the files from the example exports (examples/ledger-mapping.yaml: an app's user/role export, HR,
 * ITSM), uploads them through a Graph upload session over HTTPS with a real client-credentials token, verifies,
 * completes, and waits for the review to start. The demo prints the outcome, what arrived at "Graph", and the Web UI
 * link.
 *
 * It starts the stack (or joins a running `npm run dev`) and stops what it started; the run stays in
 * .data/temporal/dev.sqlite, so `npm run dev` afterwards shows it in the Web UI.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { followRun } from '../client/follow-run';
import { resultSummary } from '../client/summary';
import { loadUploadTargets } from '../client/targets';
import { TASK_QUEUE } from '../contracts/temporal';
import type { reviewUpload } from '../workflows';
import { reviewCycle } from '../workflows';
import { createAdminClient } from '../emulator/admin-client';
import { webUiLink, withTemporalClient } from '../workers/temporal-connection';
import { devStackSettings, startDevStack } from './stack/dev-stack';
import { REPO_ROOT } from './temporal-cli';

const TARGETS_FILE = path.join(REPO_ROOT, 'examples', 'upload-targets.yaml');

async function main(): Promise<number> {
  process.stdout.write('Starting the dev stack (Temporal dev server, Graph emulator, worker, callout receiver)…\n');
  const stack = await startDevStack(devStackSettings(), { echo: false });
  const admin = createAdminClient(stack.emulator.adminUrl, await readFile(stack.emulator.caCertPath, 'utf8'));
  try {
    const target = (await loadUploadTargets(TARGETS_FILE))[0];
    if (!target) throw new Error(`${TARGETS_FILE} has no target`);
    const instance = await admin.startInstance(target.reviewDefinitionIds[0] ?? '');
    process.stdout.write(`Review instance ${instance.id} is Initializing in the emulator: its 2-hour upload window starts now.\n`);
    const temporal = { address: stack.temporalAddress, namespace: 'default', connectionOptions: { address: stack.temporalAddress } };
    return await withTemporalClient(async ({ client }) => {
      // What the review-cycle schedule does every 15 minutes, run once now.
      const cycle = await client.workflow.execute(reviewCycle, { workflowId: `review-cycle/demo/${instance.id}`, taskQueue: TASK_QUEUE, args: [{ targets: [target] }] });
      const found = cycle.found.find((f) => f.reviewInstanceId === instance.id);
      if (!found) throw new Error(`the review cycle did not find instance ${instance.id}: ${JSON.stringify(cycle)}`);
      const startedBy = cycle.started.includes(found.workflowId) ? 'the review cycle' : "the emulator's callout to the receiver";
      process.stdout.write(`The review cycle found ${cycle.found.length} instance(s) in Initializing; this instance's upload run was started by ${startedBy}.\n`);
      const handle = client.workflow.getHandle<typeof reviewUpload>(found.workflowId);
      const link = webUiLink('default', handle.workflowId, (await handle.describe()).runId, stack.uiUrl);
      process.stdout.write(`Run ${handle.workflowId}\n`);
      const result = await followRun(handle, (line) => process.stdout.write(`  ${line}\n`), 250);
      process.stdout.write(`\n${resultSummary(result, link)}\n`);
      if (result.sessionId) {
        const session = await admin.session(result.sessionId, { waitForProcessing: true });
        process.stdout.write(`\nWhat the emulated Graph received (session ${session.id}, status ${session.status}):\n`);
        for (const f of session.files) process.stdout.write(`  ${f.name}  ${f.size} bytes  sha256 ${f.sha256}\n`);
      }
      process.stdout.write('\nThe Web UI is served while `npm run dev` runs; the run is kept in .data/temporal/dev.sqlite.\n');
      return result.outcome === 'completed' ? 0 : 2;
    }, temporal);
  } finally {
    await admin.close();
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
