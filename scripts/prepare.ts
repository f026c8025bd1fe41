/**
 * Data preparation from the command line: sources -> validated, staged upload files + pre-flight report.
 *
 *   npx tsx scripts/prepare.ts --mapping examples/ledger-mapping.yaml --resolver static:examples/emulator-seed.json --dry-run
 *
 * No upload session is ever opened here. Exit code 0: ready; 2: blocked (see the report); 1: failure.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { prepareUpload } from '../activities/data/prepare';
import { createStaticResolver, loadStaticResolverFile } from '../activities/data/resolver';
import type { PrincipalResolver } from '../activities/data/resolver';
import type { PreflightReport } from '../activities/data/report';
import { readFile } from 'node:fs/promises';

interface CliOptions {
  mapping: string;
  out: string;
  dryRun: boolean;
  runId?: string;
  resolver: string;
}

async function resolverFrom(spec: string): Promise<PrincipalResolver> {
  if (spec === 'none') return createStaticResolver({});
  if (spec.startsWith('static:')) return loadStaticResolverFile(resolve(spec.slice('static:'.length)));
  throw new InvalidArgumentError(`unknown resolver '${spec}': use static:FILE (a JSON map or an emulator seed) or none`);
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('prepare')
    .description('Prepare upload files and a pre-flight report from source exports (never opens a session).')
    .requiredOption('--mapping <file>', 'mapping file (YAML or JSON)')
    .option('--out <dir>', 'staging root; the run goes to <dir>/<run-id>', '.data/staging')
    .option('--dry-run', 'mark the report as a dry run (the preparation is complete either way)', false)
    .option('--run-id <id>', 'run id (default: prepare-<timestamp>)')
    .option('--resolver <spec>', 'principal resolution: static:FILE (JSON map or emulator seed) or none', 'none')
    .exitOverride();
  program.parse(argv);
  const options = program.opts<CliOptions>();
  const runId = options.runId ?? `prepare-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const result = await prepareUpload(
    { mappingPath: options.mapping, runId, stagingRoot: options.out, dryRun: options.dryRun },
    { principalResolver: await resolverFrom(options.resolver) },
  );
  const report = JSON.parse(await readFile(result.reportJsonPath, 'utf8')) as PreflightReport;
  const c = report.counts;
  const lines = [
    `${options.dryRun ? 'Dry run: ' : ''}${result.blocked ? 'BLOCKED' : 'ready to upload'} (run ${runId})`,
    `  rows read ${c.rowsRead}, written ${c.rowsWritten}, rejected ${c.rowsRejected}, unknown principal ${c.rowsUnresolved} (${c.unresolvedPrincipals} distinct), duplicates removed ${c.duplicatesRemoved}`,
    ...report.permissions.slice(0, 10).map((p) => `  ${p.permissionId} (${p.permissionName}): ${p.rows}`),
    ...report.files.map((f) => `  file ${f.name}: ${f.rows} rows, ${f.size} bytes, sha256 ${f.sha256}`),
    ...report.rejections.listed.slice(0, 5).map((r) => `  rejected: ${r.source} ${r.where} ${r.field}: ${r.reason}`),
    ...(result.blocked ? [`  reason: ${result.reason}`] : [`  staged in ${result.stagingDir}`]),
    `  report: ${result.reportMarkdownPath}`,
    `          ${result.reportJsonPath}`,
  ];
  if (c.rowsUnresolved > 0 && options.resolver === 'none') lines.push('  hint: principals given as UPN need --resolver static:FILE (or the Graph-backed resolver in the worker)');
  process.stdout.write(`${lines.join('\n')}\n`);
  return result.blocked ? 2 : 0;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return;
    process.stderr.write(`prepare: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
