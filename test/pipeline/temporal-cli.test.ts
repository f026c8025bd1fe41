import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveTemporalCli } from '../../scripts/temporal-cli';

/** A stand-in executable that prints a chosen version line, to exercise the resolver's checks. */
async function fakeCli(versionLine: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fake-temporal-'));
  const file = path.join(dir, 'temporal');
  await writeFile(file, `#!/bin/sh\necho '${versionLine}'\n`);
  await chmod(file, 0o755);
  return file;
}

describe('resolving the Temporal CLI', () => {
  const saved = process.env.TEMPORAL_CLI_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
    else process.env.TEMPORAL_CLI_PATH = saved;
  });

  it('finds the project-installed CLI and reports its server version', async () => {
    delete process.env.TEMPORAL_CLI_PATH;
    const cli = await resolveTemporalCli({ install: false });
    expect(cli.serverVersion).toMatch(/^1\.(2[7-9]|[3-9]\d)\.\d+$/);
  });

  it('prefers TEMPORAL_CLI_PATH', async () => {
    process.env.TEMPORAL_CLI_PATH = await fakeCli('temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)');
    const cli = await resolveTemporalCli({ install: false });
    expect(cli).toMatchObject({ source: 'TEMPORAL_CLI_PATH', serverVersion: '1.29.1', path: process.env.TEMPORAL_CLI_PATH });
  });

  it('refuses a TEMPORAL_CLI_PATH that points nowhere, saying how to get a CLI', async () => {
    process.env.TEMPORAL_CLI_PATH = '/nonexistent/temporal';
    await expect(resolveTemporalCli({ install: false })).rejects.toThrow(/TEMPORAL_CLI_PATH is set to \/nonexistent\/temporal[\s\S]*go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
  });

  it('refuses a CLI whose server is too old', async () => {
    process.env.TEMPORAL_CLI_PATH = await fakeCli('temporal version 0.10.0 (Server 1.20.0, UI 2.10.0)');
    await expect(resolveTemporalCli({ install: false })).rejects.toThrow(/Server 1\.20\.0; this project needs Server >= 1\.27/);
  });

  it('refuses a binary that is not the Temporal CLI', async () => {
    process.env.TEMPORAL_CLI_PATH = await fakeCli('hello');
    await expect(resolveTemporalCli({ install: false })).rejects.toThrow(/not a Temporal CLI version line/);
  });
});
