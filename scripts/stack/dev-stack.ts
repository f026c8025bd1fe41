/**
 * The embedded dev stack: the Temporal dev server (SQLite under .data/, Web UI, the project's search attributes),
 * the Microsoft Graph + Entra ID emulator (state under .data/), and a worker of this project pointed at the emulator
 * by configuration alone. Used by `npm run dev` (runs until Ctrl-C) and `npm run demo` (runs one job).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';
import { loadUploadTargets } from '../../client/targets';
import { searchAttributeCliArgs } from '../../contracts/temporal';
import type { EmulatorEndpoints } from '../../emulator/client-env';
import { clientEnvironment } from '../../emulator/client-env';
import { REPO_ROOT, resolveTemporalCli } from '../temporal-cli';
import { ManagedProcess } from './processes';

export interface DevStackSettings {
  temporalPort: number;
  uiPort: number;
  emulatorPort: number;
  calloutPort: number;
  dataDir: string;
}

export function devStackSettings(env: NodeJS.ProcessEnv = process.env): DevStackSettings {
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name}=${raw} is not a TCP port (1-65535).`);
    return value;
  };
  return {
    temporalPort: port('DEV_TEMPORAL_PORT', 7233),
    uiPort: port('DEV_TEMPORAL_UI_PORT', 8233),
    emulatorPort: port('DEV_EMULATOR_PORT', 8443),
    calloutPort: port('DEV_CALLOUT_PORT', 8088),
    dataDir: path.resolve(env.DEV_DATA_DIR ?? path.join(REPO_ROOT, '.data')),
  };
}

export interface RunningDevStack {
  temporalAddress: string;
  uiUrl: string;
  emulator: EmulatorEndpoint;
  /** Environment for processes that talk to this stack (worker, scripts). */
  env: NodeJS.ProcessEnv;
  /** Processes this call started (empty where it joined a stack that was already running). */
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

export function portIsOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitForPort(port: number, what: string, timeoutMs: number, process?: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portIsOpen(port)) return;
    if (process?.hasExited) throw new Error(`${what} exited before it opened port ${port}. Its last output:\n${process.recentOutput()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not open port ${port} within ${timeoutMs / 1000} s.`);
}

export interface StartOptions {
  /** Echo the processes' output (dev: yes; demo: no, but shown if something fails). */
  echo: boolean;
}

export async function startTemporalDevServer(settings: DevStackSettings, options: StartOptions): Promise<ManagedProcess> {
  const cli = await resolveTemporalCli({ install: true });
  const dbDir = path.join(settings.dataDir, 'temporal');
  await mkdir(dbDir, { recursive: true });
  const server = new ManagedProcess(
    'temporal',
    cli.path,
    [
      'server', 'start-dev',
      '--ip', '127.0.0.1',
      '--port', String(settings.temporalPort),
      '--ui-port', String(settings.uiPort),
      '--db-filename', path.join(dbDir, 'dev.sqlite'),
      '--log-level', 'error',
      ...searchAttributeCliArgs(),
    ],
    { echo: options.echo },
  );
  await waitForPort(settings.temporalPort, 'The Temporal dev server', 60_000, server);
  await waitForPort(settings.uiPort, 'The Temporal Web UI', 30_000, server);
  return server;
}

/** Where the stack's emulator listens, and the seeded apps (from the seed file it was started with). */
export interface EmulatorEndpoint extends EmulatorEndpoints {
  baseUrl: string;
  adminUrl: string;
}

const EMULATOR_SEED = path.join(REPO_ROOT, 'examples', 'emulator-seed.json');
const UPLOAD_TARGETS = path.join(REPO_ROOT, 'examples', 'upload-targets.yaml');
/** The emulator's stand-in for the Entra access reviews service that signs callouts (docs/emulator.md, "Callouts"). */
const EMULATOR_CALLOUT_CALLER = { appId: 'acce55ee-0000-4000-8000-00000000ca11', audience: 'api://entra-review-uploader-callouts' };

/** The callout URL of every target's resource: the emulator calls the stack's receiver when an instance starts. */
async function calloutUrlFlags(settings: DevStackSettings): Promise<string[]> {
  const url = `http://127.0.0.1:${settings.calloutPort}/callouts/access-review`;
  return (await loadUploadTargets(UPLOAD_TARGETS)).flatMap((t) => ['--callout-url', `${t.resourceId}=${url}`]);
}

async function emulatorEndpoint(settings: DevStackSettings): Promise<EmulatorEndpoint> {
  const seed = JSON.parse(await readFile(EMULATOR_SEED, 'utf8')) as Pick<EmulatorEndpoints, 'tenantId' | 'apps'>;
  const baseUrl = `https://localhost:${settings.emulatorPort}`;
  return {
    baseUrl,
    graphBaseUrl: baseUrl,
    authorityHost: baseUrl,
    adminUrl: `${baseUrl}/_emulator`,
    caCertPath: path.join(settings.dataDir, 'emulator', 'tls', 'ca.pem'),
    tenantId: seed.tenantId,
    apps: seed.apps,
  };
}

export async function startEmulatorProcess(settings: DevStackSettings, options: StartOptions): Promise<ManagedProcess> {
  const dir = path.join(settings.dataDir, 'emulator');
  await mkdir(dir, { recursive: true });
  const emulator = new ManagedProcess(
    'emulator',
    process.execPath,
    [
      require.resolve('tsx/cli'),
      path.join(REPO_ROOT, 'emulator', 'cli.ts'),
      'start',
      '--port', String(settings.emulatorPort),
      '--seed', EMULATOR_SEED,
      '--tls-dir', path.join(dir, 'tls'),
      '--state-file', path.join(dir, 'state.json'),
      ...(await calloutUrlFlags(settings)),
    ],
    { cwd: REPO_ROOT, echo: options.echo },
  );
  await emulator.waitForLine(/emulator is running/, 60_000);
  return emulator;
}

/** The worker's Graph settings: the emulator in dev, graph.microsoft.com in production, by configuration alone. */
function workerEnvFor(emulator: EmulatorEndpoint, base: NodeJS.ProcessEnv, dataDir: string): NodeJS.ProcessEnv {
  return { ...base, ...clientEnvironment(emulator), STAGING_DIR: path.join(dataDir, 'staging') };
}

/** The Entra callout receiver, trusting tokens the emulator signs for its callouts. */
export async function startCalloutReceiver(settings: DevStackSettings, emulator: EmulatorEndpoint, env: NodeJS.ProcessEnv, options: StartOptions): Promise<ManagedProcess> {
  const receiver = new ManagedProcess('callout', process.execPath, [require.resolve('tsx/cli'), path.join(REPO_ROOT, 'callout', 'main.ts')], {
    cwd: REPO_ROOT,
    echo: options.echo,
    env: {
      ...env,
      NODE_EXTRA_CA_CERTS: emulator.caCertPath,
      CALLOUT_PORT: String(settings.calloutPort),
      CALLOUT_AUTHORITY_HOST: emulator.authorityHost,
      CALLOUT_TENANT_ID: emulator.tenantId,
      CALLOUT_AUDIENCE: EMULATOR_CALLOUT_CALLER.audience,
      CALLOUT_ALLOWED_APP_IDS: EMULATOR_CALLOUT_CALLER.appId,
      UPLOAD_TARGETS_FILE: UPLOAD_TARGETS,
    },
  });
  await waitForPort(settings.calloutPort, 'The callout receiver', 60_000, receiver);
  return receiver;
}

export async function startWorker(env: NodeJS.ProcessEnv, options: StartOptions): Promise<ManagedProcess> {
  const worker = new ManagedProcess('worker', process.execPath, [require.resolve('tsx/cli'), path.join(REPO_ROOT, 'workers', 'main.ts')], {
    env,
    cwd: REPO_ROOT,
    echo: options.echo,
  });
  await worker.waitForLine(/"msg":"worker started"/, 120_000);
  return worker;
}

/**
 * Starts the stack, or joins one already listening on the ports (another `npm run dev`), so the demo can run
 * beside a dev stack without fighting over the ports.
 */
export async function startDevStack(settings: DevStackSettings, options: StartOptions): Promise<RunningDevStack> {
  const temporalAddress = `127.0.0.1:${settings.temporalPort}`;
  const uiUrl = `http://localhost:${settings.uiPort}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: 'default', TEMPORAL_UI_URL: uiUrl };
  const processes: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of [...processes].reverse()) await p.stop();
  };
  const emulator = await emulatorEndpoint(settings);
  try {
    if (!(await portIsOpen(settings.temporalPort))) processes.push(await startTemporalDevServer(settings, options));
    if (!(await portIsOpen(settings.emulatorPort))) processes.push(await startEmulatorProcess(settings, options));
    processes.push(await startWorker(workerEnvFor(emulator, env, settings.dataDir), options));
    if (!(await portIsOpen(settings.calloutPort))) processes.push(await startCalloutReceiver(settings, emulator, env, options));
  } catch (err) {
    await stop();
    throw err;
  }
  return { temporalAddress, uiUrl, emulator, env, processes, stop };
}
