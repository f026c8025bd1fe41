import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { resolveTemporalCli } from '../../scripts/temporal-cli';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  build?: { context: string } | string;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: unknown[];
}

/** What `docker-compose config` makes of the file: validated and resolved by Compose itself (no engine needed). */
async function composeConfig(env: NodeJS.ProcessEnv = {}): Promise<{ services: Record<string, ComposeService> }> {
  try {
    const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: root, env: { PATH: process.env.PATH, ...env } });
    return parse(stdout) as { services: Record<string, ComposeService> };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error("docker-compose is not installed: `apt-get install docker-compose` (Debian's package; .ci/run installs it).");
    }
    throw new Error(`docker-compose rejected docker-compose.yml:\n${e.stderr ?? e.message}`);
  }
}

describe('docker-compose.yml (for Docker hosts)', () => {
  it('is valid Compose and wires server, UI, search-attribute setup and worker in order', async () => {
    const { services } = await composeConfig();
    expect(Object.keys(services).sort()).toEqual(['postgresql', 'setup', 'temporal', 'temporal-ui', 'worker']);
    expect(services.temporal?.depends_on?.postgresql?.condition).toBe('service_healthy');
    expect(services.setup?.depends_on?.temporal?.condition).toBe('service_healthy');
    expect(services.worker?.depends_on?.setup?.condition).toBe('service_completed_successfully');
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services.worker?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('runs commands that the build produces from this repository', async () => {
    const { services } = await composeConfig();
    const setupScript = services.setup?.command?.[1] ?? '';
    expect(setupScript).toMatch(/^dist\/scripts\/.+\.js$/);
    expect(existsSync(path.join(root, setupScript.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    const build = services.worker?.build;
    expect(typeof build === 'string' ? build : build?.context).toBe(root);
  });

  it('passes Graph settings through from the shell and defaults to production Graph', async () => {
    const defaults = await composeConfig();
    expect(defaults.services.worker?.environment?.GRAPH_BASE_URL).toBe('https://graph.microsoft.com');
    const custom = await composeConfig({ GRAPH_BASE_URL: 'https://graph.example.test', AZURE_TENANT_ID: 'tenant-1' });
    expect(custom.services.worker?.environment).toMatchObject({ GRAPH_BASE_URL: 'https://graph.example.test', AZURE_TENANT_ID: 'tenant-1' });
  });

  it('pins the Temporal server the project CLI bundles', async () => {
    const { services } = await composeConfig();
    const cli = await resolveTemporalCli({ install: false });
    expect(services.temporal?.image).toBe(`temporalio/auto-setup:${cli.serverVersion}`);
  });
});
