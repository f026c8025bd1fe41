/**
 * Finds the `temporal` CLI (which contains the dev server and the Web UI), or builds it.
 *
 * Order: $TEMPORAL_CLI_PATH, the project's tools folder (.tools/bin/temporal), `temporal` on PATH, and otherwise
 * `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` into the tools folder. v1.5.1 is the newest release
 * whose go.mod has no `replace` directive, so `go install …@version` accepts it (see docs/temporal-cli.md).
 *
 *   tsx scripts/temporal-cli.ts install   # resolve, building if needed; prints the path
 *   tsx scripts/temporal-cli.ts path      # resolve without building; fails with instructions if none
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(__dirname, '..');
export const TOOLS_BIN = path.join(REPO_ROOT, '.tools', 'bin');
export const PINNED_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const PINNED_CLI_VERSION = 'v1.5.1';
/** The dev-server flags the project relies on (--search-attribute, --db-filename, --ui-port) exist from this server on. */
const MIN_SERVER = [1, 27] as const;
const MIN_GO = [1, 25] as const;

export interface TemporalCli {
  path: string;
  /** What `temporal --version` says, e.g. `temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)`. */
  versionLine: string;
  serverVersion: string;
  source: 'TEMPORAL_CLI_PATH' | 'tools folder' | 'PATH' | 'built now';
}

export class TemporalCliError extends Error {
  override name = 'TemporalCliError';
}

const HOW_TO_GET_ONE = [
  'How to get the Temporal CLI (any one of these):',
  `  - install Go >= ${MIN_GO.join('.')} (https://go.dev/dl/) and run: npm run tools:temporal`,
  `      (it runs: GOBIN=.tools/bin go install ${PINNED_CLI_MODULE}@${PINNED_CLI_VERSION}, a few minutes the first time)`,
  '  - macOS/Linux with Homebrew: brew install temporal',
  '  - download the archive for your platform from https://temporal.download/cli/archive/latest and put `temporal` on PATH',
  '  - or point TEMPORAL_CLI_PATH at an existing binary.',
].join('\n');

function log(message: string): void {
  process.stderr.write(`[temporal-cli] ${message}\n`);
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function compareVersion(found: number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const a = found[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** Runs `<bin> --version` and checks that its server is recent enough. */
export async function inspectCli(binary: string, source: TemporalCli['source']): Promise<TemporalCli> {
  let stdout: string;
  try {
    ({ stdout } = await run(binary, ['--version'], { timeout: 30_000 }));
  } catch (err) {
    throw new TemporalCliError(`${binary} (from ${source}) does not run: ${(err as Error).message}\n${HOW_TO_GET_ONE}`);
  }
  const versionLine = stdout.trim();
  const server = /Server (\d+)\.(\d+)\.(\d+)/.exec(versionLine);
  if (!server) {
    throw new TemporalCliError(`${binary} (from ${source}) printed "${versionLine}", which is not a Temporal CLI version line.\n${HOW_TO_GET_ONE}`);
  }
  const serverVersion = `${server[1]}.${server[2]}.${server[3]}`;
  if (!compareVersion([Number(server[1]), Number(server[2])], MIN_SERVER)) {
    throw new TemporalCliError(
      `${binary} (from ${source}) bundles Temporal Server ${serverVersion}; this project needs Server >= ${MIN_SERVER.join('.')} ` +
        `(CLI ${PINNED_CLI_VERSION} bundles 1.29). Upgrade it, or unset TEMPORAL_CLI_PATH to let the project build one.`,
    );
  }
  return { path: binary, versionLine, serverVersion, source };
}

async function goVersion(): Promise<number[] | undefined> {
  const go = onPath('go');
  if (!go) return undefined;
  const { stdout } = await run(go, ['version']);
  const m = /go(\d+)\.(\d+)/.exec(stdout);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

async function buildWithGo(): Promise<string> {
  const version = await goVersion();
  if (!version) {
    throw new TemporalCliError(`No Temporal CLI found (TEMPORAL_CLI_PATH, ${TOOLS_BIN}, PATH) and no Go toolchain to build one.\n${HOW_TO_GET_ONE}`);
  }
  if (!compareVersion(version, MIN_GO)) {
    throw new TemporalCliError(`Go ${version.join('.')} is too old to build the Temporal CLI ${PINNED_CLI_VERSION}; it needs Go >= ${MIN_GO.join('.')}.\n${HOW_TO_GET_ONE}`);
  }
  await mkdir(TOOLS_BIN, { recursive: true });
  log(`building ${PINNED_CLI_MODULE}@${PINNED_CLI_VERSION} into ${TOOLS_BIN} (first time only; several minutes on two cores)…`);
  const started = Date.now();
  try {
    await run('go', ['install', `${PINNED_CLI_MODULE}@${PINNED_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: TOOLS_BIN, GOFLAGS: process.env.GOFLAGS ?? '-buildvcs=false' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new TemporalCliError(`go install ${PINNED_CLI_MODULE}@${PINNED_CLI_VERSION} failed:\n${(e.stderr ?? e.message).slice(-4000)}\n${HOW_TO_GET_ONE}`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  log(`built in ${seconds} s`);
  // `go install` builds report "0.0.0-DEV"; keep what we built beside it for people and for `doctor` output.
  await writeFile(path.join(TOOLS_BIN, 'temporal.version'), `${PINNED_CLI_VERSION}\n`);
  return path.join(TOOLS_BIN, 'temporal');
}

/** Resolves the CLI; with `install`, builds it into the tools folder when none is found. */
export async function resolveTemporalCli(options: { install: boolean }): Promise<TemporalCli> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new TemporalCliError(`TEMPORAL_CLI_PATH is set to ${fromEnv}, but no file is there. Fix the path or unset it.\n${HOW_TO_GET_ONE}`);
    }
    return inspectCli(fromEnv, 'TEMPORAL_CLI_PATH');
  }
  const local = path.join(TOOLS_BIN, 'temporal');
  if (existsSync(local)) return inspectCli(local, 'tools folder');
  const global = onPath('temporal');
  if (global) return inspectCli(global, 'PATH');
  if (!options.install) {
    throw new TemporalCliError(`No Temporal CLI found (TEMPORAL_CLI_PATH, ${TOOLS_BIN}, PATH).\n${HOW_TO_GET_ONE}`);
  }
  return inspectCli(await buildWithGo(), 'built now');
}

/** The version this project built into the tools folder, if it did. */
export async function builtVersion(): Promise<string | undefined> {
  try {
    return (await readFile(path.join(TOOLS_BIN, 'temporal.version'), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'install';
  if (command !== 'install' && command !== 'path') {
    throw new TemporalCliError(`unknown command "${command}": use "install" or "path"`);
  }
  const cli = await resolveTemporalCli({ install: command === 'install' });
  const built = cli.source === 'tools folder' || cli.source === 'built now' ? await builtVersion() : undefined;
  log(`using ${cli.path} (${cli.source}): ${cli.versionLine}${built ? ` [built from ${built}]` : ''}`);
  process.stdout.write(`${cli.path}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
