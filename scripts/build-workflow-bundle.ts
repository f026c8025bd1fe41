/** `npm run build` step 2: the production workflow bundle, so the worker starts without webpack (dist/workflow-bundle.js). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { REPO_ROOT } from './temporal-cli';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(REPO_ROOT, 'workflows', 'index.ts') });
  const out = path.join(REPO_ROOT, 'dist', 'workflow-bundle.js');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code);
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, out)} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
