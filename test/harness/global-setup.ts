/**
 * Runs once per `jest` run: resolves (or builds) the project's Temporal CLI, starts ONE dev server with the
 * project's search attributes, and bundles the project's workflows once. Test files connect to it through
 * test/harness/temporal.ts. Server-backed tests never skip: a missing CLI fails here, saying how to get one.
 *
 * TEMPORAL_TEST_SERVER_ADDRESS (+ TEMPORAL_TEST_NAMESPACE) runs the suite against an existing server instead.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/temporal';
import { REPO_ROOT, resolveTemporalCli } from '../../scripts/temporal-cli';
import { WORKFLOWS_ENTRY } from '../../workers/create-worker';
import { ensureSearchAttributes } from '../../workers/search-attributes';

export const TEST_BUNDLE_PATH = path.join(REPO_ROOT, '.data', 'test', 'workflow-bundle.js');

declare global {
  var __temporalTestEnv: TestWorkflowEnvironment | undefined;
}

export default async function globalSetup(): Promise<void> {
  const existing = process.env.TEMPORAL_TEST_SERVER_ADDRESS;
  const namespace = process.env.TEMPORAL_TEST_NAMESPACE ?? 'default';
  if (existing) {
    const connection = await Connection.connect({ address: existing });
    await ensureSearchAttributes(connection, namespace);
    await connection.close();
    process.env.TEMPORAL_TEST_ADDRESS = existing;
  } else {
    const cli = await resolveTemporalCli({ install: true });
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli.path },
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
        namespace,
      },
    });
    globalThis.__temporalTestEnv = env;
    process.env.TEMPORAL_TEST_ADDRESS = env.address;
  }
  process.env.TEMPORAL_TEST_NAMESPACE = namespace;

  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: quietBundlerLogger });
  await mkdir(path.dirname(TEST_BUNDLE_PATH), { recursive: true });
  await writeFile(TEST_BUNDLE_PATH, code);
  process.env.TEMPORAL_TEST_BUNDLE = TEST_BUNDLE_PATH;
}

const ignore = (): void => undefined;
const quietBundlerLogger = {
  log: ignore,
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: (message: string, meta?: unknown) => console.error(message, meta),
};
