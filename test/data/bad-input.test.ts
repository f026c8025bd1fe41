import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers';
import type { TempDir } from './helpers';
import { APP_HEADER, appMapping, blockedReason, runPrepare } from './prepare-helpers';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.remove();
});

/** Every bad input blocks the run with a reason naming the file, the line and the field or setting. */
describe('bad input blocks the run before any session, naming file, line and field', () => {
  it('an empty file', async () => {
    const path = await tmp.write('app.csv', '');
    const prepared = await runPrepare(tmp, appMapping());
    const reason = blockedReason(prepared);
    expect(reason).toContain(`${path} line 1: the file is empty`);
    expect(reason).toContain('Export it again');
    expect(prepared.report.fatal?.where).toBe(`${path} line 1`);
    expect(prepared.markdown).toContain('BLOCKED');
    expect(existsSync(join(tmp.dir, 'staging', 'run-1', 'upload'))).toBe(false);
  });

  it('a missing header cell', async () => {
    const path = await tmp.write('app.csv', 'upn,,role_name,kind\n');
    const reason = blockedReason(await runPrepare(tmp, appMapping()));
    expect(reason).toContain(`${path} line 1: column 2: the header cell is empty (missing header)`);
  });

  it('a duplicated header', async () => {
    const path = await tmp.write('app.csv', 'upn,role,role_name,kind,UPN\n');
    const reason = blockedReason(await runPrepare(tmp, appMapping()));
    expect(reason).toContain(`${path} line 1: UPN: the header names 'UPN' twice (columns 1 and 5`);
  });

  it('the wrong delimiter', async () => {
    const path = await tmp.write('app.csv', 'upn;role;role_name;kind\nadele@x.example;R1;Read;Read\n');
    const reason = blockedReason(await runPrepare(tmp, appMapping()));
    expect(reason).toContain(`${path} line 1: sources.app.delimiter:`);
    expect(reason).toContain("set sources.app.delimiter to it");
  });

  it('ragged rows: listed with their line, and the share of them blocks the run', async () => {
    const path = await tmp.write('app.csv', `${APP_HEADER}adele@x.example,R1,Read,Read\nalex@x.example,R1,Read\n`);
    const prepared = await runPrepare(tmp, appMapping());
    expect(prepared.report.rejections.listed[0]).toMatchObject({ where: `${path} line 3`, field: '(row)' });
    expect(prepared.report.rejections.listed[0]!.reason).toContain('has 3 fields, the header has 4');
    expect(blockedReason(prepared)).toContain('1 of 2 rows (50.00 %) were rejected');
  });

  it('a file that is not UTF-8', async () => {
    const latin1 = Buffer.concat([Buffer.from(`${APP_HEADER}adele@x.example,R1,Read,Read\nalex@x.example,R2,Caf`), Buffer.from([0xe9]), Buffer.from(',Read\n')]);
    const path = await tmp.write('app.csv', latin1);
    const reason = blockedReason(await runPrepare(tmp, appMapping()));
    expect(reason).toContain(`${path} line 3: the file is not UTF-8 (byte 0xE9`);
    expect(reason).toContain('iconv');
  });

  it('a 10 MB line', async () => {
    const path = await tmp.write('app.csv', `${APP_HEADER}adele@x.example,R1,Read,Read\nalex@x.example,R2,"${'x'.repeat(10 * 1024 * 1024)}",Read\n`);
    const reason = blockedReason(await runPrepare(tmp, appMapping()));
    expect(reason).toContain(`${path} line 3: sources.app.maxRecordSize: a record is longer than 1048576 characters`);
  });

  it('a mapping that names a missing column', async () => {
    const path = await tmp.write('app.csv', `${APP_HEADER}adele@x.example,R1,Read,Read\n`);
    const mapping = appMapping();
    (mapping.columns as Record<string, string>).PermissionName = '{app.rolename}';
    const reason = blockedReason(await runPrepare(tmp, mapping));
    expect(reason).toContain(`${path} line 1: rolename: the column 'rolename' that the mapping reads (columns.PermissionName) is not in the header (found: upn, role, role_name, kind)`);
  });

  it('a source API that times out', async () => {
    const server: Server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/permissions`;
    try {
      const mapping = appMapping({ sources: { app: { type: 'http-json', url, timeoutMs: 100, retries: 1, retryBaseDelayMs: 1 } } });
      const prepared = await runPrepare(tmp, mapping);
      const reason = blockedReason(prepared);
      expect(reason).toContain(`${url}: sources.app.timeoutMs: the source API failed 2 times, last: no answer within 100 ms`);
      expect(prepared.report.fatal?.field).toBe('sources.app.timeoutMs');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a mapping with a wrong key or type: every problem with its line and key path', async () => {
    const mapping = [
      'sources:',
      '  app: { type: csv-file, path: app.csv, delimeter: ";" }',
      'primary: app',
      'columns:',
      '  PrincipalId: "{app.upn}"',
      'output:',
      '  maxFiles: "ten"',
      'thresholds: { maxRejectedShare: 2 }',
      '',
    ].join('\n');
    const reason = blockedReason(await runPrepare(tmp, mapping));
    expect(reason).toContain("line 2: sources.app.delimeter: unknown key 'delimeter'");
    expect(reason).toContain('line 7: output.maxFiles: Invalid input: expected number, received string');
    expect(reason).toContain('line 8: thresholds.maxRejectedShare: Too big');
  });
});
