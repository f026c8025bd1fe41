/**
 * Upload throughput of our Graph client versus `curl -F file=@...` against the same emulator endpoint, in one run,
 * plus our client's peak RSS during the largest upload (issue 4, item 10). Targets: >= 0.9 of curl's MB/s, and a
 * peak RSS that does not grow with file size (< 250 MB for 2 GB).
 *
 *   npx tsx bench/upload-throughput.ts [--sizes 200,2048] [--rounds 2]
 *
 * The emulator runs in this process; our client runs in a child process (bench/upload-client-child.ts) so its RSS
 * is the client's alone, as in a worker. Files are generated in a temp dir and deleted afterwards. Each side's CPU
 * time is printed too (curl's through GNU time, where present): unlike MB/s, it hardly varies from run to run.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GraphClient } from '../activities/graph/client';
import { GRAPH_SCOPE, createCredential } from '../activities/graph/credential';
import { createGraphDispatcher } from '../activities/graph/dispatcher';
import { graphPath } from '../activities/graph/paths';
import { loadGraphSettings } from '../activities/graph/settings';
import { clientEnvironment, startEmulator } from '../emulator';
import { reexecTrustingEmulatorCa } from './emulator-ca';
import type { RunningEmulator } from '../emulator';
import type { ChildResult, ChildTask } from './upload-client-child';
import { LEDGER, writeSyntheticCsv } from './upload-fixtures';

const execFileAsync = promisify(execFile);
const { catalogId: CATALOG, resourceId: RESOURCE, reviewDefinitionId: DEFINITION } = LEDGER;
const MB = 1024 * 1024;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function graphEnv(emulator: RunningEmulator): Record<string, string> {
  return { ...clientEnvironment(emulator), GRAPH_HTTP_HEADERS_TIMEOUT_MS: '600000' };
}

async function runClient(task: ChildTask, env: Record<string, string>, caCertPath: string): Promise<ChildResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'upload-client-child.ts')], {
    env: { ...process.env, ...env, NODE_EXTRA_CA_CERTS: caCertPath, UPLOAD_BENCH_TASK: JSON.stringify(task) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`client child exited with ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildResult;
}

/** GNU time, if this machine has it (BSD time has no `-f`): it reports curl's own CPU time. */
const gnuTime: Promise<boolean> = execFileAsync('/usr/bin/time', ['-f', '%U', 'true']).then(
  () => true,
  () => false,
);

async function runCurl(url: string, path: string, name: string, headerFile: string, caCertPath: string): Promise<{ seconds: number; cpuSeconds: number }> {
  const curlArgs = ['-sS', '--cacert', caCertPath, '-H', `@${headerFile}`, '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-F', `file=@${path};type=application/octet-stream;filename=${name}`, url];
  const timed = await gnuTime;
  const { stdout, stderr } = timed
    ? await execFileAsync('/usr/bin/time', ['-f', 'cpu %U %S', 'curl', ...curlArgs], { maxBuffer: MB })
    : await execFileAsync('curl', curlArgs, { maxBuffer: MB });
  const [status = '', seconds = 'NaN'] = stdout.trim().split(' ');
  if (status !== '200') throw new Error(`curl upload answered ${status}`);
  const [, user = 'NaN', system = 'NaN'] = /cpu (\S+) (\S+)/.exec(stderr) ?? [];
  return { seconds: Number(seconds), cpuSeconds: Number(user) + Number(system) }; // NaN without GNU time
}

async function main(): Promise<void> {
  if (await reexecTrustingEmulatorCa()) return;
  const sizes = option('--sizes', '200,2048').split(',').map((s) => Number(s.trim()));
  const rounds = Number(option('--rounds', '2'));
  // Each round uploads into a fresh session that is deleted afterwards, so the emulator's disk does not fill up
  // round after round (on this VM's throttled disk that slowed every later upload, ours and curl's alike).
  const dir = await mkdtemp(join(tmpdir(), 'upload-bench-'));
  const emulator = await startEmulator({ port: 0, maxUploadBytes: 8 * 1024 * MB });
  let dispatcher: ReturnType<typeof createGraphDispatcher> | undefined;
  try {
    const env = graphEnv(emulator);
    const settings = loadGraphSettings(env);
    const credential = createCredential(settings);
    const token = await credential.getToken(GRAPH_SCOPE);
    if (token === null) throw new Error('no token from the emulator');
    // The token goes to curl in a private header file, not on its command line.
    const headerFile = join(dir, 'auth-header');
    await writeFile(headerFile, `Authorization: Bearer ${token.token}\n`);
    await chmod(headerFile, 0o600);

    dispatcher = createGraphDispatcher(settings);
    const graph = new GraphClient({ credential, dispatcher, settings });
    const openSession = async () => {
      const instance = await emulator.admin.startInstance(DEFINITION);
      return graph.createUploadSession(CATALOG, RESOURCE, { reviewDefinitionId: DEFINITION, reviewInstanceId: instance.id });
    };

    console.log(`emulator ${emulator.graphBaseUrl}, ${rounds} round(s) per size, best round counts`);
    const summary: string[] = [];
    for (const sizeMb of sizes) {
      const path = join(dir, `bench-${sizeMb}.csv`);
      const bytes = await writeSyntheticCsv(path, sizeMb * MB);
      let bestOurs = 0;
      let bestCurl = 0;
      let peakRssMb = 0;
      let baselineRssMb = 0;
      for (let round = 1; round <= rounds; round++) {
        const session = await openSession();
        const uploadUrl = emulator.graphBaseUrl + graphPath(settings.apiVersion, 'uploadFile', { catalogId: CATALOG, resourceId: RESOURCE, sessionId: session.id });
        // Each upload starts with the previous one's writes flushed (`sync`), and the two take turns going first, so
        // neither pays for the other's disk write-back: on this machine that alone moved single rounds by +-20%.
        const afterSync = async <T>(upload: () => Promise<T>): Promise<T> => {
          await execFileAsync('sync');
          return upload();
        };
        const measureOurs = () =>
          afterSync(() => runClient({ catalogId: CATALOG, resourceId: RESOURCE, sessionId: session.id, path, name: `ours-${sizeMb}-${round}.csv`, size: bytes }, env, emulator.caCertPath));
        const measureCurl = () => afterSync(() => runCurl(uploadUrl, path, `curl-${sizeMb}-${round}.csv`, headerFile, emulator.caCertPath));
        const oursFirst = round % 2 === 1;
        let oursResult: ChildResult;
        let curl: Awaited<ReturnType<typeof runCurl>>;
        if (oursFirst) {
          oursResult = await measureOurs();
          curl = await measureCurl();
        } else {
          curl = await measureCurl();
          oursResult = await measureOurs();
        }
        const oursMbps = bytes / MB / oursResult.seconds;
        const curlMbps = bytes / MB / curl.seconds;
        await graph.deleteUploadSession(CATALOG, RESOURCE, session.id);
        bestOurs = Math.max(bestOurs, oursMbps);
        bestCurl = Math.max(bestCurl, curlMbps);
        peakRssMb = Math.max(peakRssMb, oursResult.peakRssBytes / MB);
        baselineRssMb = oursResult.baselineRssBytes / MB;
        console.log(
          `  ${String(sizeMb).padStart(5)} MB round ${round}: client ${oursMbps.toFixed(0)} MB/s (${oursResult.seconds.toFixed(2)} s, CPU ${oursResult.cpuSeconds.toFixed(2)} s, peak RSS ${(oursResult.peakRssBytes / MB).toFixed(0)} MB), ` +
            `curl ${curlMbps.toFixed(0)} MB/s (${curl.seconds.toFixed(2)} s, CPU ${curl.cpuSeconds.toFixed(2)} s)${oursFirst ? '' : ' [curl first]'}`,
        );
      }
      const line =
        `${String(sizeMb).padStart(5)} MB: client ${bestOurs.toFixed(0)} MB/s, curl ${bestCurl.toFixed(0)} MB/s, ratio client/curl ${(bestOurs / bestCurl).toFixed(2)} (target >= 0.90); ` +
        `client peak RSS ${peakRssMb.toFixed(0)} MB (before upload ${baselineRssMb.toFixed(0)} MB; target < 250 MB)`;
      summary.push(line);
      await rm(path, { force: true });
    }
    console.log('\nsummary');
    for (const line of summary) console.log(line);
    // Leave nothing active behind.
    await emulator.admin.reset();
  } finally {
    await dispatcher?.close();
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
