import { promises as fs } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { EmulatorAdminClient } from './admin-client';
import { createAdminClient } from './admin-client';
import { createAdminHandler } from './admin';
import type { SeededApp } from './apps';
import { buildAppRegistry, describeApps } from './apps';
import { createCalloutSender } from './callouts';
import type { EmulatorContext } from './context';
import type { FaultSettingsInput } from './fault-schema';
import { faultSettingsSchema } from './fault-schema';
import { createFaultEngine } from './faults';
import { ensureDir } from './files';
import { createGraphExecutor } from './graph';
import { createProcessingRunner } from './processing-runner';
import { createRequestLog } from './request-log';
import type { Seed, SeedInput } from './seed-schema';
import { describeIssues, parseSeed } from './seed-schema';
import { createRequestHandler } from './server';
import type { SettingsInput } from './settings';
import { settingsSchema } from './settings';
import { createStateFile } from './state';
import { createStore } from './store';
import { createClock } from './time';
import { ensureCertificateAuthority, issueServerCertificate } from './tls';
import { createTokenService } from './tokens';

export { ensureCertificateAuthority } from './tls';
export { clientEnvironment } from './client-env';
export type { EmulatorEndpoints } from './client-env';
export type { EmulatorAdminClient } from './admin-client';
export type { CalloutRecord } from './model';
export type { SeededApp } from './apps';
export type { FaultRuleInput, FaultSettings, FaultSettingsInput } from './fault-schema';
export type { Seed, SeedInput } from './seed-schema';

const REPO_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_SEED_PATH = path.join(REPO_ROOT, 'examples', 'emulator-seed.json');
export const DEFAULT_TLS_DIR = path.join(REPO_ROOT, '.data', 'emulator', 'tls');

export interface EmulatorOptions {
  /** 0 = a free port (the CLI defaults to 8443). */
  port?: number;
  /** Host to listen on; default 'localhost' (127.0.0.1, and ::1 when available). */
  host?: string;
  /** Seed object or path to a seed JSON file; default examples/emulator-seed.json. */
  seed?: SeedInput | string;
  tlsDir?: string;
  /** Persist state (JSON) here and reload it on start; contents are kept in `<stateFile>.files/`. */
  stateFile?: string;
  faults?: FaultSettingsInput;
  uploadWindowSeconds?: number;
  maxUploadBytes?: number;
  pageSize?: number;
  tokenLifetimeSeconds?: number;
  /** Log each request (pino, to stdout). */
  log?: boolean;
  /** Callout URL per resource id, over the seed's notificationEndpointConfiguration.url (null: none). */
  calloutUrls?: SettingsInput['calloutUrls'];
  /** Audience of callout tokens (default api://entra-review-uploader-callouts). */
  calloutAudience?: string;
  /** azp/appid of callout tokens (default: the emulator's made-up "Entra access reviews" app id). */
  calloutCallerAppId?: string;
  calloutMaxAttempts?: number;
  calloutRetryDelayMs?: number;
}

export interface RunningEmulator {
  baseUrl: string;
  graphBaseUrl: string;
  authorityHost: string;
  adminUrl: string;
  tenantId: string;
  caCertPath: string;
  apps: SeededApp[];
  admin: EmulatorAdminClient;
  stateFile?: string;
  dataDir: string;
  stop(): Promise<void>;
}

async function loadSeed(seed: SeedInput | string | undefined): Promise<Seed> {
  if (seed !== undefined && typeof seed !== 'string') return parseSeed(seed, 'seed option');
  const file = path.resolve(seed ?? DEFAULT_SEED_PATH);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the emulator seed file ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`The emulator seed file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSeed(raw, file);
}

function listen(server: https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const settingsResult = settingsSchema.safeParse({
    uploadWindowSeconds: options.uploadWindowSeconds,
    maxUploadBytes: options.maxUploadBytes,
    pageSize: options.pageSize,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds,
    calloutUrls: options.calloutUrls,
    calloutAudience: options.calloutAudience,
    calloutCallerAppId: options.calloutCallerAppId,
    calloutMaxAttempts: options.calloutMaxAttempts,
    calloutRetryDelayMs: options.calloutRetryDelayMs,
  });
  if (!settingsResult.success) throw new Error(`Invalid emulator options:\n${describeIssues('options', settingsResult.error)}`);
  const faultsResult = faultSettingsSchema.safeParse(options.faults ?? {});
  if (!faultsResult.success) throw new Error(`Invalid emulator fault settings:\n${describeIssues('faults', faultsResult.error)}`);
  const initialFaults = faultsResult.data;

  const tlsDir = path.resolve(options.tlsDir ?? DEFAULT_TLS_DIR);
  const ca = await ensureCertificateAuthority(tlsDir);
  const tokens = await createTokenService(tlsDir);
  const stateFile = options.stateFile === undefined ? undefined : createStateFile(options.stateFile);
  const persisted = stateFile?.load();
  let startSeed = persisted?.seed ?? (await loadSeed(options.seed));
  const dataDir = stateFile?.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'graph-emulator-')));
  await ensureDir(dataDir, 0o700);

  const clock = createClock(persisted?.clockOffsetMs ?? 0);
  const store = createStore(startSeed, clock.graphTimestamp());
  if (persisted !== undefined) store.restore(persisted);
  const logger = options.log === true ? pino({ name: 'graph-emulator' }) : undefined;
  const processing = createProcessingRunner(() => context);
  const callouts = createCalloutSender(() => context);
  const stopping = new AbortController();
  const context: EmulatorContext = {
    store,
    clock,
    settings: settingsResult.data,
    tokens,
    apps: await buildAppRegistry(startSeed, ca, tlsDir),
    faults: createFaultEngine(initialFaults),
    requestLog: createRequestLog(),
    baseUrl: 'https://localhost',
    dataDir,
    persist: () => stateFile?.save(store.snapshot(clock.offsetMs())),
    processing,
    callouts,
    log: (message, fields) => logger?.info(fields ?? {}, message),
    stopping: stopping.signal,
  };

  const removeContents = async (): Promise<void> => {
    const names = await fs.readdir(dataDir).catch(() => [] as string[]);
    await Promise.all(names.map((n) => fs.rm(path.join(dataDir, n), { force: true, recursive: true })));
  };
  const info = (): Record<string, unknown> => ({
    baseUrl: context.baseUrl,
    graphBaseUrl: context.baseUrl,
    authorityHost: context.baseUrl,
    adminUrl: `${context.baseUrl}/_emulator`,
    tenantId: store.seed.tenantId,
    tenantDomain: store.seed.tenantDomain,
    caCertPath: ca.certPath,
    apps: describeApps(context.apps),
    settings: context.settings,
    stateFile: stateFile?.path,
  });
  const admin = createAdminHandler({
    context,
    info,
    initialFaults,
    async loadSeed(seed) {
      context.apps = await buildAppRegistry(seed, ca, tlsDir);
      startSeed = seed;
      store.load(seed, clock.graphTimestamp());
      await removeContents();
      context.persist();
    },
    async reset() {
      store.load(startSeed, clock.graphTimestamp());
      context.faults.replace(initialFaults);
      context.requestLog.clear();
      callouts.clear();
      clock.setOffsetMs(0);
      await removeContents();
      context.persist();
    },
  });

  const host = options.host ?? 'localhost';
  const hosts = host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
  const certificate = await issueServerCertificate(ca, [host]);
  const handler = createRequestHandler(context, createGraphExecutor(), admin);
  const servers: https.Server[] = [];
  let port = options.port ?? 0;
  for (const [index, address] of hosts.entries()) {
    const server = https.createServer({ key: certificate.keyPem, cert: certificate.certPem }, handler);
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    try {
      port = await listen(server, port, address);
      servers.push(server);
    } catch (error) {
      // ::1 may be missing (IPv4-only containers); 127.0.0.1 alone is enough then.
      if (index === 0) throw error;
    }
  }
  const urlHost = host === 'localhost' || host === '127.0.0.1' || host === '::1' ? 'localhost' : host;
  context.baseUrl = `https://${urlHost}:${port}`;
  persistedRestart(context);
  context.persist();

  const adminClient = createAdminClient(`${context.baseUrl}/_emulator`, ca.certPem);
  let stopped = false;
  return {
    baseUrl: context.baseUrl,
    graphBaseUrl: context.baseUrl,
    authorityHost: context.baseUrl,
    adminUrl: `${context.baseUrl}/_emulator`,
    tenantId: store.seed.tenantId,
    caCertPath: ca.certPath,
    apps: describeApps(context.apps),
    admin: adminClient,
    stateFile: stateFile?.path,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      stopping.abort();
      await adminClient.close();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      await processing.stop();
      await callouts.stop();
      if (stateFile === undefined) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** After a restart with a state file: finish processing that a stop interrupted. */
function persistedRestart(context: EmulatorContext): void {
  for (const session of context.store.sessions.values()) {
    if (session.status === 'complete' && session.files.some((f) => f.processing?.state !== 'done' && f.processing?.state !== 'failed')) {
      context.processing.start(session.id);
    }
  }
}
