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
import { createGraphPrincipalResolver, createStaticResolver, loadStaticResolverFile } from '../activities/data/resolver';
import { createGraphClient, loadGraphSettings } from '../activities/graph';
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

interface Resolver {
  resolver: PrincipalResolver;
  close(): Promise<void>;
}

/** `graph` resolves through the project's Graph client with the worker's settings (GRAPH_*, AZURE_*), as a run does. */
async function resolverFrom(spec: string): Promise<Resolver> {
  const nothingToClose = async (): Promise<void> => undefined;
  if (spec === 'none') return { resolver: createStaticResolver({}), close: nothingToClose };
  if (spec.startsWith('static:')) return { resolver: await loadStaticResolverFile(resolve(spec.slice('static:'.length))), close: nothingToClose };
  if (spec === 'graph') {
    const { graph, close } = createGraphClient(loadGraphSettings(process.env));
    return { resolver: createGraphPrincipalResolver(graph), close };
  }
  throw new InvalidArgumentError(`unknown resolver '${spec}': use graph, static:FILE (a JSON map or an emulator seed) or none`);
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('prepare')
    .description('Prepare upload files and a pre-flight report from source exports (never opens a session).')
    .requiredOption('--mapping <file>', 'mapping file (YAML or JSON)')
    .option('--out <dir>', 'staging root; the run goes to <dir>/<run-id>', '.data/staging')
    .option('--dry-run', 'mark the report as a dry run (the preparation is complete either way)', false)
    .option('--run-id <id>', 'run id (default: prepare-<timestamp>)')
    .option('--resolver <spec>', 'principal resolution: graph (the worker\'s GRAPH_*/AZURE_* settings), static:FILE (JSON map or emulator seed) or none', 'none')
    .exitOverride();
  program.parse(argv);
  const options = program.opts<CliOptions>();
  const runId = options.runId ?? `prepare-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const resolution = await resolverFrom(options.resolver);
  const result = await prepareUpload(
    { mappingPath: options.mapping, runId, stagingRoot: options.out, dryRun: options.dryRun },
    { principalResolver: resolution.resolver },
  ).finally(() => resolution.close());
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
  if (c.rowsUnresolved > 0 && options.resolver === 'none') lines.push('  hint: principals given as UPN need --resolver graph (or static:FILE)');
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
