import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { FaultRuleInput, FaultSettingsInput } from './fault-schema';
import { DEFAULT_TLS_DIR, ensureCertificateAuthority, startEmulator } from './index';

/**
 * `tsx emulator/cli.ts [start] [options]` runs the emulator until SIGINT/SIGTERM;
 * `tsx emulator/cli.ts ca [--tls-dir DIR]` only makes sure the local CA exists and prints the path of ca.pem.
 */

function integer(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got '${value}'.`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'.`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface StartFlags {
  port: number;
  host: string;
  seed?: string;
  stateFile?: string;
  tlsDir?: string;
  uploadWindow?: number;
  maxUploadBytes?: number;
  pageSize?: number;
  tokenLifetime?: number;
  faults?: string;
  faultSeed?: number;
  faultRateLimit?: string;
  faultFail: string[];
  faultLatency?: number;
  faultResetUpload?: number;
  faultSlowBody?: string;
  faultTokenOutage?: number;
  calloutUrl: string[];
  calloutAudience?: string;
  calloutCallerAppId?: string;
  log: boolean;
}

/** `--callout-url RESOURCE_ID=URL` (repeatable; an empty URL turns a seeded callout off). */
export function calloutUrlsFromFlags(values: readonly string[]): Record<string, string | null> {
  const urls: Record<string, string | null> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`--callout-url expects RESOURCE_ID=URL, e.g. d00d0000-0000-4000-8000-00000000b001=http://localhost:8088/callouts/access-review; got '${value}'.`);
    const url = value.slice(at + 1).trim();
    urls[value.slice(0, at).trim()] = url === '' ? null : url;
  }
  return urls;
}

/** Builds fault settings from --faults (file or inline JSON) plus the shorthand flags. */
export function faultsFromFlags(flags: StartFlags): FaultSettingsInput {
  let base: FaultSettingsInput = {};
  if (flags.faults !== undefined) {
    const text = flags.faults.trim().startsWith('{') ? flags.faults : readFileSync(flags.faults, 'utf8');
    try {
      base = JSON.parse(text) as FaultSettingsInput;
    } catch (error) {
      throw new InvalidArgumentError(`--faults: not valid JSON (${(error as Error).message}).`);
    }
  }
  const rules: FaultRuleInput[] = [...(base.rules ?? [])];
  if (flags.faultRateLimit !== undefined) {
    const [capacity, refill] = flags.faultRateLimit.split(':').map(Number);
    if (capacity === undefined || refill === undefined || !(capacity > 0) || !(refill > 0)) {
      throw new InvalidArgumentError(`--fault-rate-limit expects CAPACITY:REFILL_PER_SECOND, e.g. 10:2; got '${flags.faultRateLimit}'.`);
    }
    rules.push({ kind: 'rateLimit', capacity, refillPerSecond: refill });
  }
  for (const fail of flags.faultFail) {
    const match = /^(429|500|502|503|504)(?::(count=(\d+)|rate=(0(?:\.\d+)?|1(?:\.0+)?)))?$/.exec(fail);
    if (match === null) throw new InvalidArgumentError(`--fault-fail expects STATUS[:count=N|:rate=P] with STATUS 429/500/502/503/504; got '${fail}'.`);
    const status = Number(match[1]) as 429 | 500 | 502 | 503 | 504;
    rules.push({ kind: 'fail', status, ...(match[3] !== undefined ? { count: Number(match[3]) } : {}), ...(match[4] !== undefined ? { probability: Number(match[4]) } : {}) });
  }
  if (flags.faultLatency !== undefined) rules.push({ kind: 'latency', delayMs: flags.faultLatency });
  if (flags.faultResetUpload !== undefined) rules.push({ kind: 'resetUpload', afterBytes: flags.faultResetUpload, count: 1 });
  if (flags.faultSlowBody !== undefined) {
    const [chunkBytes, delayMs] = flags.faultSlowBody.split(':').map(Number);
    rules.push({ kind: 'slowBody', chunkBytes, delayMs });
  }
  if (flags.faultTokenOutage !== undefined) rules.push({ kind: 'tokenOutage', count: flags.faultTokenOutage });
  return { ...base, ...(flags.faultSeed !== undefined ? { seed: flags.faultSeed } : {}), rules };
}

async function start(flags: StartFlags): Promise<void> {
  const emulator = await startEmulator({
    port: flags.port,
    host: flags.host,
    seed: flags.seed,
    stateFile: flags.stateFile,
    tlsDir: flags.tlsDir,
    uploadWindowSeconds: flags.uploadWindow,
    maxUploadBytes: flags.maxUploadBytes,
    pageSize: flags.pageSize,
    tokenLifetimeSeconds: flags.tokenLifetime,
    faults: faultsFromFlags(flags),
    calloutUrls: calloutUrlsFromFlags(flags.calloutUrl),
    calloutAudience: flags.calloutAudience,
    calloutCallerAppId: flags.calloutCallerAppId,
    log: flags.log,
  });
  const settings = await emulator.admin.settings();
  const lines = [
    'Microsoft Graph + Entra ID emulator is running.',
    `  Graph base URL:   ${emulator.graphBaseUrl}/v1.0  (beta: ${emulator.graphBaseUrl}/beta)`,
    `  Authority host:   ${emulator.authorityHost}  (use disableInstanceDiscovery: true)`,
    `  Admin API:        ${emulator.adminUrl}`,
    `  Tenant id:        ${emulator.tenantId}`,
    `  CA certificate:   ${emulator.caCertPath}  (export NODE_EXTRA_CA_CERTS=${emulator.caCertPath})`,
    ...(emulator.stateFile !== undefined ? [`  State file:       ${emulator.stateFile}`] : []),
    '  Apps:',
    ...emulator.apps.flatMap((app) => [
      `    ${app.displayName}`,
      `      client id:    ${app.clientId}`,
      ...(app.clientSecret !== undefined ? [`      secret:       ${app.clientSecret}`] : []),
      ...(app.certificatePath !== undefined ? [`      certificate:  ${app.certificatePath}`] : []),
      `      roles:        ${app.roles.join(', ')}`,
    ]),
    `  Callouts:         caller app ${settings.calloutCallerAppId}, audience ${settings.calloutAudience}`,
    ...Object.entries(settings.calloutUrls).map(([resourceId, url]) => `    ${resourceId} -> ${url ?? '(off)'}`),
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const shutdown = (signal: string): void => {
    process.stdout.write(`\n${signal}: stopping the emulator...\n`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

export function buildProgram(): Command {
  const program = new Command('emulator').description('Local Microsoft Graph + Entra ID emulator for access review upload sessions');
  const startCommand = program
    .command('start', { isDefault: true })
    .description('run the emulator (HTTPS) until SIGINT/SIGTERM')
    .option('--port <port>', 'port to listen on (0 = any free port)', integer('--port', 0), 8443)
    .option('--host <host>', 'host to listen on', 'localhost')
    .option('--seed <file>', 'seed JSON file (default examples/emulator-seed.json)')
    .option('--state-file <file>', 'persist state to this JSON file and reload it on start')
    .option('--tls-dir <dir>', `directory of the local CA (default ${DEFAULT_TLS_DIR})`)
    .option('--upload-window <seconds>', 'upload window after an instance enters Initializing', positiveNumber)
    .option('--max-upload-bytes <bytes>', 'largest file accepted by uploadFile', integer('--max-upload-bytes', 1))
    .option('--page-size <n>', 'default page size of collections', integer('--page-size', 1))
    .option('--token-lifetime <seconds>', 'lifetime of issued access tokens', integer('--token-lifetime', 1))
    .option('--faults <file|json>', 'fault settings (JSON file or inline JSON, see docs/emulator.md)')
    .option('--fault-seed <n>', 'seed of the fault PRNG', integer('--fault-seed', 0))
    .option('--fault-rate-limit <capacity:refill>', 'per-app token bucket, e.g. 10:2')
    .option('--fault-fail <status[:count=N|:rate=P]>', 'fail Graph requests with a status (repeatable)', collect, [])
    .option('--fault-latency <ms>', 'added latency on Graph requests', integer('--fault-latency', 0))
    .option('--fault-reset-upload <bytes>', 'reset the next uploadFile connection after this many bytes', integer('--fault-reset-upload', 0))
    .option('--fault-slow-body <chunkBytes:delayMs>', 'send Graph response bodies slowly')
    .option('--fault-token-outage <count>', 'the next N token requests get 503', integer('--fault-token-outage', 1))
    .option('--callout-url <resourceId=url>', 'send the callouts of this resource to URL (repeatable; over the seed)', collect, [])
    .option('--callout-audience <audience>', 'audience of callout tokens')
    .option('--callout-caller-app-id <appId>', 'azp/appid of callout tokens')
    .option('--log', 'log every request', false);
  startCommand.action(async (flags: StartFlags) => start(flags));
  program
    .command('ca')
    .description('create the local certificate authority if missing and print the path of ca.pem')
    .option('--tls-dir <dir>', 'directory of the local CA', DEFAULT_TLS_DIR)
    .action(async (flags: { tlsDir: string }) => {
      const ca = await ensureCertificateAuthority(flags.tlsDir);
      process.stdout.write(`${ca.certPath}\n`);
    });
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
