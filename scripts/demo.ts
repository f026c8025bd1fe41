/**
 * `npm run demo`: the main job, end to end, on the embedded dev stack (Temporal dev server, Graph + Entra emulator,
 * worker). A review instance of the seeded "Quarterly review: Ledger" starts in the emulator; the run prepares the
 * upload from the example exports (examples/ledger-mapping.yaml: an app's user/role export, HR, ITSM), uploads the
 * files through a Graph upload session over HTTPS with a real client-credentials token, verifies, completes, and
 * waits for the review to start. The demo prints the outcome, what arrived at "Graph", and the Web UI link.
 *
 * It starts the stack (or joins a running `npm run dev`) and stops what it started; the run stays in
 * .data/temporal/dev.sqlite, so `npm run dev` afterwards shows it in the Web UI.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { followRun } from '../client/follow-run';
import { startReviewUpload } from '../client/start-review-upload';
import { resultSummary } from '../client/summary';
import { createAdminClient } from '../emulator/admin-client';
import { connectClient, webUiLink } from '../workers/temporal-connection';
import { devStackSettings, startDevStack } from './stack/dev-stack';
import { REPO_ROOT } from './temporal-cli';

const LEDGER_REVIEW = {
  catalogId: 'c0ffee00-0000-4000-8000-00000000ca01',
  resourceId: 'd00d0000-0000-4000-8000-00000000b001',
  reviewDefinitionId: 'e1e1e1e1-0000-4000-8000-0000000000d1',
};
const MAPPING = path.join(REPO_ROOT, 'examples', 'ledger-mapping.yaml');

async function main(): Promise<number> {
  process.stdout.write('Starting the dev stack (Temporal dev server, Graph emulator, worker)…\n');
  const stack = await startDevStack(devStackSettings(), { echo: false });
  const admin = createAdminClient(stack.emulator.adminUrl, await readFile(stack.emulator.caCertPath, 'utf8'));
  try {
    const instance = await admin.startInstance(LEDGER_REVIEW.reviewDefinitionId);
    process.stdout.write(`Review instance ${instance.id} is Initializing in the emulator: its 2-hour upload window starts now.\n`);
    process.env.TEMPORAL_ADDRESS = stack.temporalAddress;
    process.env.TEMPORAL_NAMESPACE = 'default';
    const { client, connection } = await connectClient();
    try {
      const { handle } = await startReviewUpload(client, {
        ...LEDGER_REVIEW,
        reviewInstanceId: instance.id,
        source: { kind: 'prepare', mappingPath: MAPPING },
        options: { waitForReviewToStart: true, reviewStartTimeoutSeconds: 120 },
      });
      const link = webUiLink('default', handle.workflowId, (await handle.describe()).runId);
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
    } finally {
      await connection.close();
    }
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
