import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { stringify } from 'yaml';
import { createDataActivities } from '../../activities/data/activities';
import type { PrepareResult, PrepareUploadFilesInput } from '../../contracts/prepare';
import { createStaticResolver } from '../../activities/data/resolver';
import { cleanupStagedRuns, createRunFolders } from '../../activities/data/staging';
import { tempDir } from './helpers';
import type { TempDir } from './helpers';
import { APP_HEADER, USERS, appMapping } from './prepare-helpers';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.remove();
});

describe('prepareUploadFiles activity', () => {
  it('prepares the run in <stagingRoot>/<runId>, heartbeats progress, and returns only paths, counts and hashes', async () => {
    await tmp.write('app.csv', APP_HEADER + Array.from({ length: 30 }, () => 'adele@x.example,R1,Read,Read').join('\n'));
    const mappingPath = await tmp.write('mapping.yaml', stringify(appMapping()));
    const stagingRoot = join(tmp.dir, 'staging');
    const activities = createDataActivities({ principalResolver: createStaticResolver(USERS), stagingRoot, retentionHours: 24 });
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const result = await env.run<[PrepareUploadFilesInput], PrepareResult, typeof activities.prepareUploadFiles>(activities.prepareUploadFiles, { mappingPath, runId: 'review-upload/c/r/i' });
    if (result.blocked) throw new Error(result.reason);
    expect(result.stagingDir).toBe(join(stagingRoot, 'review-upload_c_r_i'));
    expect(result.summary).toMatchObject({ rowsRead: 30, rowsWritten: 1, duplicatesRemoved: 29 });
    expect(heartbeats[0]).toEqual({ rowsRead: 0, rowsWritten: 0 });
    expect(JSON.stringify(result)).not.toContain('adele'); // no cell values cross the workflow boundary
  });

  it('returns blocked (not an exception) for bad input, so the workflow opens no session', async () => {
    const mappingPath = await tmp.write('mapping.yaml', stringify(appMapping()));
    const activities = createDataActivities({ principalResolver: createStaticResolver({}), stagingRoot: join(tmp.dir, 'staging') });
    const result = await new MockActivityEnvironment().run<[PrepareUploadFilesInput], PrepareResult, typeof activities.prepareUploadFiles>(activities.prepareUploadFiles, { mappingPath, runId: 'r' });
    expect(result.blocked).toBe(true);
    expect(result.blocked && result.reason).toContain('app.csv: sources.app.path: the file does not exist or cannot be read');
  });

  it('stops when the activity is cancelled', async () => {
    await tmp.write('app.csv', APP_HEADER + Array.from({ length: 5000 }, (_, i) => `a1b2c3d4-0000-4000-8000-${String(i).padStart(12, '0')},R1,Read,Read`).join('\n'));
    const mappingPath = await tmp.write('mapping.yaml', stringify(appMapping()));
    const activities = createDataActivities({ principalResolver: createStaticResolver({}), stagingRoot: join(tmp.dir, 'staging') });
    const env = new MockActivityEnvironment();
    env.on('heartbeat', () => env.cancel());
    await expect(env.run(activities.prepareUploadFiles, { mappingPath, runId: 'c' })).rejects.toThrow();
    expect(existsSync(join(tmp.dir, 'staging', 'c'))).toBe(false); // a cancelled run leaves nothing to upload
  });
});

describe('retention', () => {
  it('deletes staged runs older than the retention and nothing else', async () => {
    const root = join(tmp.dir, 'staging');
    const old = await createRunFolders(root, 'old');
    const fresh = await createRunFolders(root, 'fresh');
    await mkdir(join(root, 'not-a-run'));
    const past = new Date(Date.now() - 30 * 3_600_000);
    await utimes(join(old.runDir, '.staged-run'), past, past);
    await utimes(old.runDir, past, past);
    await utimes(join(root, 'not-a-run'), past, past);
    expect(await cleanupStagedRuns(root, { olderThanHours: 24 })).toEqual([old.runDir]);
    const activities = createDataActivities({ principalResolver: createStaticResolver({}), stagingRoot: root });
    expect(await new MockActivityEnvironment().run(activities.cleanupStagedRuns, { olderThanHours: 24 })).toEqual({ deleted: [] });
    expect(await cleanupStagedRuns(root, { olderThanHours: 0, now: new Date(Date.now() + 1000), keep: fresh.runDir })).toEqual([]);
  });
});

describe('scripts/prepare.ts (command line)', () => {
  it('dry-runs the example mapping and prints the summary; exit code 2 when blocked', async () => {
    const run = promisify(execFile);
    const root = resolve(__dirname, '../..');
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const { stdout } = await run(tsx, ['scripts/prepare.ts', '--mapping', 'examples/ledger-mapping.yaml', '--resolver', 'static:examples/emulator-seed.json', '--dry-run', '--out', join(tmp.dir, 'out'), '--run-id', 'cli'], { cwd: root });
    expect(stdout).toContain('Dry run: ready to upload (run cli)');
    expect(stdout).toContain('rows read 8, written 6, rejected 0, unknown principal 1 (1 distinct), duplicates removed 1');
    expect(stdout).toContain('file ledger-access-01.csv: 3 rows');
    expect(stdout).toContain('file ledger-access-02.csv: 3 rows');
    const example = await readFile(join(root, 'examples/ledger-mapping.yaml'), 'utf8');
    await writeFile(join(tmp.dir, 'strict.yaml'), example.replace('maxRejectedShare: 0.2', 'maxRejectedShare: 0.1').replace(/path: /g, `path: ${root}/examples/`));
    const blocked = await run(tsx, ['scripts/prepare.ts', '--mapping', join(tmp.dir, 'strict.yaml'), '--resolver', 'static:examples/emulator-seed.json', '--dry-run', '--out', join(tmp.dir, 'out')], { cwd: root }).catch((e: { code: number; stdout: string }) => e);
    expect('code' in blocked && blocked.code).toBe(2);
    expect(blocked.stdout).toContain('BLOCKED');
    expect(blocked.stdout).toContain('more than thresholds.maxRejectedShare (10.00 %)');
  });
});
