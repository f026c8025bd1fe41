/**
 * Data-preparation throughput against a same-run baseline.
 *
 *   npx tsx bench/prepare-throughput.ts [rows=1000000] [rounds=2]
 *
 * Generates an application export of N rows (GUID principals, so no lookups) in a temp folder, then runs, each in
 * its own child process so peak RSS is per phase:
 *   baseline: csv-parse -> csv-stringify of the same file (parse and rewrite only)
 *   prepare:  prepareUpload (mapping, validation, dedupe, neutralisation, split files, sha256, report)
 * and prints rows/s, peak RSS and the ratio. Targets: prepare >= 0.5 x baseline rate, prepare peak RSS < 300 MB.
 * The phases alternate for `rounds` rounds and the fastest run of each counts, so load from other processes on a
 * shared machine skews the ratio less.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { prepareUpload } from '../activities/data/prepare';
import { createStaticResolver } from '../activities/data/resolver';

interface PhaseResult {
  ms: number;
  maxRssMb: number;
  rowsWritten?: number;
  files?: number;
}

const ROLES = 20;

function guid(n: number, tag: string): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${tag}-0000-4000-8000-${hex}`;
}

async function generate(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('user_id,role_code,role_name,role_description,role_category,owner_id,note\n');
  for (let i = 0; i < rows; i += 1) {
    const user = Math.floor(i / ROLES);
    const role = i % ROLES;
    const note = i % 7 === 0 ? '"quoted, with comma"' : i % 11 === 0 ? '"=HYPERLINK(""x"")"' : 'plain note';
    await write(`${guid(user, 'a1b2c3d4')},R-${role},Role ${role},"Role ${role} grants access to ledger area ${role}",Write,${guid(role, 'b1b2c3d4')},${note}\n`);
  }
  out.end();
  await once(out, 'finish');
}

async function baseline(input: string, output: string): Promise<PhaseResult> {
  const start = performance.now();
  await pipeline(createReadStream(input), parse({ bom: true }), stringify(), createWriteStream(output));
  return { ms: performance.now() - start, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

async function prepare(dir: string): Promise<PhaseResult> {
  const mapping = join(dir, 'mapping.yaml');
  await writeFile(
    mapping,
    [
      'sources:',
      '  app: { type: csv-file, path: source.csv }',
      'primary: app',
      'columns:',
      '  PrincipalId: "{app.user_id}"',
      '  PermissionId: "{app.role_code}"',
      '  PermissionName: "{app.role_name}"',
      '  PermissionDescription: "{app.role_description}"',
      '  PermissionType: "{app.role_category}"',
      '  EntitlementOwners_Users: "{app.owner_id}"',
      '  CustomData: "{app.note}"',
      'constants:',
      '  ScopeId: 6c1b7e5a-9d0f-4b8e-a1c2-3d4e5f607182',
      '  ScopeDisplayName: Ledger',
      '',
    ].join('\n'),
  );
  const start = performance.now();
  const result = await prepareUpload(
    { mappingPath: mapping, runId: 'bench', stagingRoot: join(dir, 'staging') },
    { principalResolver: createStaticResolver({}) },
  );
  const ms = performance.now() - start;
  if (result.blocked) throw new Error(`preparation blocked: ${result.reason}`);
  return { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, rowsWritten: result.manifest.totalRows, files: result.manifest.files.length };
}

async function child(phase: string, dir: string): Promise<void> {
  const result = phase === 'baseline' ? await baseline(join(dir, 'source.csv'), join(dir, 'baseline-out.csv')) : await prepare(dir);
  process.stdout.write(JSON.stringify(result));
}

function runChild(phase: string, dir: string): PhaseResult {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--phase', phase, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as PhaseResult;
}

async function main(): Promise<void> {
  const phaseAt = process.argv.indexOf('--phase');
  if (phaseAt !== -1) {
    await child(process.argv[phaseAt + 1] as string, process.argv[phaseAt + 2] as string);
    return;
  }
  const rows = Number(process.argv[2] ?? 1_000_000);
  const rounds = Number(process.argv[3] ?? 2);
  const dir = await mkdtemp(join(tmpdir(), 'prepare-bench-'));
  try {
    process.stdout.write(`generating ${rows} rows in ${dir}\n`);
    await generate(join(dir, 'source.csv'), rows);
    const runs: { base: PhaseResult[]; ours: PhaseResult[] } = { base: [], ours: [] };
    for (let round = 0; round < rounds; round += 1) {
      runs.base.push(runChild('baseline', dir));
      runs.ours.push(runChild('prepare', dir));
    }
    const fastest = (list: PhaseResult[]): PhaseResult => {
      const best = list.reduce((a, b) => (b.ms < a.ms ? b : a));
      return { ...best, maxRssMb: Math.max(...list.map((r) => r.maxRssMb)) };
    };
    const base = fastest(runs.base);
    const ours = fastest(runs.ours);
    process.stdout.write(`runs (s): baseline ${runs.base.map((r) => (r.ms / 1000).toFixed(2)).join(', ')}; prepare ${runs.ours.map((r) => (r.ms / 1000).toFixed(2)).join(', ')}\n`);
    const baseRate = rows / (base.ms / 1000);
    const ourRate = rows / (ours.ms / 1000);
    const line = (name: string, r: PhaseResult, rate: number): string =>
      `${name.padEnd(9)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(rate).toString().padStart(9)} rows/s  peak RSS ${r.maxRssMb.toFixed(0).padStart(4)} MB`;
    process.stdout.write(`${line('baseline', base, baseRate)}  (csv-parse -> csv-stringify only)\n`);
    process.stdout.write(`${line('prepare', ours, ourRate)}  (${ours.rowsWritten ?? 0} rows written in ${ours.files ?? 0} files)\n`);
    const ratio = ourRate / baseRate;
    process.stdout.write(`ratio     ${ratio.toFixed(2)} x baseline rate (target >= 0.50): ${ratio >= 0.5 ? 'met' : 'NOT met'}\n`);
    process.stdout.write(`memory    ${ours.maxRssMb.toFixed(0)} MB peak RSS (target < 300 MB): ${ours.maxRssMb < 300 ? 'met' : 'NOT met'}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
