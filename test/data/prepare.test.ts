import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { prepareUpload } from '../../activities/data/prepare';
import { loadStaticResolverFile } from '../../activities/data/resolver';
import type { PreflightReport } from '../../activities/data/report';
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

const EXAMPLES = resolve(__dirname, '../../examples');

describe('the documented example (examples/ledger-mapping.yaml)', () => {
  it('prepares the demo upload: resolved principals, signals, dedupe, manifest with hashes, private files', async () => {
    const result = await prepareUpload(
      { mappingPath: join(EXAMPLES, 'ledger-mapping.yaml'), runId: 'review-upload/c/r/i', stagingRoot: join(tmp.dir, 'staging'), dryRun: true },
      { principalResolver: await loadStaticResolverFile(join(EXAMPLES, 'emulator-seed.json')) },
    );
    if (result.blocked) throw new Error(result.reason);
    expect(result.stagingDir).toBe(join(tmp.dir, 'staging', 'review-upload_c_r_i'));
    expect(result.summary).toEqual({ rowsRead: 8, rowsWritten: 6, rowsRejected: 0, rowsUnresolved: 1, duplicatesRemoved: 1, unresolvedPrincipals: 1, files: 2 });
    // The example splits at 3 rows per file, so the demo uploads several files.
    expect(result.manifest.files.map((f) => [f.name, f.rows])).toEqual([['ledger-access-01.csv', 3], ['ledger-access-02.csv', 3]]);
    const contents = await Promise.all(result.manifest.files.map((f) => readFile(f.path)));
    result.manifest.files.forEach((file, i) => {
      expect(file.size).toBe(contents[i]!.length);
      expect(file.sha256).toBe(createHash('sha256').update(contents[i]!).digest('hex'));
    });
    expect(result.manifest).toEqual({ files: result.manifest.files, totalBytes: contents.reduce((n, c) => n + c.length, 0), totalRows: 6 });
    expect(JSON.parse(await readFile(join(result.stagingDir, 'manifest.json'), 'utf8'))).toEqual(result.manifest);
    expect((await stat(result.stagingDir)).mode & 0o777).toBe(0o700);
    for (const file of result.manifest.files) expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await stat(result.reportJsonPath)).mode & 0o777).toBe(0o600);

    const rows = contents.flatMap((bytes) => parse<Record<string, string>>(bytes, { columns: true }));
    expect(rows).toHaveLength(6);
    const alex = rows.find((r) => r.PermissionId === 'GL-ADMIN')!;
    expect(alex.PrincipalId).toBe('a1b2c3d4-0002-4000-8000-000000000002');
    expect(alex.PermissionDescription).toBe('Full control; including period close\nand user administration');
    expect(alex.CustomData).toBe('HR: moved to Finance on 2026-10-01; ITSM: requested in RITM0010007');
    expect(rows.find((r) => r.PermissionId === 'GL-REVERSE')!.PermissionDescription).toBe("'-Reverse posted entries (needs GL-POST)");
    expect(rows.every((r) => r.EntitlementOwners_Users === 'a1b2c3d4-0004-4000-8000-000000000004' || (r.PrincipalId ?? '').endsWith('0004'))).toBe(true);

    const report = JSON.parse(await readFile(result.reportJsonPath, 'utf8')) as PreflightReport;
    expect(report.status).toBe('ready');
    expect(report.dryRun).toBe(true);
    expect(report.unresolved.listed).toEqual([{ key: 'former.contractor@contoso.onmicrosoft.com', rows: 1, firstSeen: expect.stringContaining('ledger-users-roles.csv line 9') as string }]);
    expect(report.duplicates.listed[0]!.where).toContain('ledger-users-roles.csv line 10');
    expect(report.permissions).toEqual([
      { permissionId: 'GL-POST', permissionName: 'Post journal entries', rows: 2 },
      { permissionId: 'GL-READ', permissionName: 'Read ledger', rows: 2 },
      { permissionId: 'GL-ADMIN', permissionName: 'Ledger administrator', rows: 1 },
      { permissionId: 'GL-REVERSE', permissionName: 'Reverse entries', rows: 1 },
    ]);
    expect(report.counts.cellsNeutralised).toBe(1);
    const markdown = await readFile(result.reportMarkdownPath, 'utf8');
    expect(markdown).toContain('**Status: ready to upload**');
    expect(markdown).toContain("| ledger-access-01.csv | 3 |");
    expect(markdown).toContain("| ledger-access-02.csv | 3 |");
  });

  it('passes an upload-layout CSV through validation unchanged', async () => {
    const result = await prepareUpload(
      { mappingPath: join(EXAMPLES, 'payroll-mapping.yaml'), runId: 'payroll', stagingRoot: join(tmp.dir, 'staging') },
      { principalResolver: { resolve: () => Promise.reject(new Error('GUID principals need no lookup')) } },
    );
    if (result.blocked) throw new Error(result.reason);
    expect(await readFile(result.manifest.files[0]!.path, 'utf8')).toBe(await readFile(join(EXAMPLES, 'payroll-upload.csv'), 'utf8'));
  });
});

describe('validation', () => {
  it('rejects bad rows with file, line, field and reason; counts every one and lists up to report.maxListed', async () => {
    const path = await tmp.write('app.csv', APP_HEADER + [
      'adele@x.example,R1,Read,Read',
      'not-a-principal,R1,Read,Read',
      'alex@x.example,,Read,Read',
      'sean@x.example,R2,' + 'n'.repeat(300) + ',Read',
      'nobody@x.example,R1,Read,Read',
      'A1B2C3D4-0002-4000-8000-000000000002,R3,=cmd|calc,Read',
    ].join('\n'));
    const prepared = await runPrepare(tmp, appMapping({ report: { maxListed: 2 }, thresholds: { maxRejectedShare: 1 } }));
    const { report } = prepared;
    expect(report.counts).toMatchObject({ rowsRead: 6, rowsWritten: 2, rowsRejected: 3, rowsUnresolved: 1, unresolvedPrincipals: 1, cellsNeutralised: 1 });
    expect(report.rejections.total).toBe(3);
    expect(report.rejections.listed).toEqual([
      { source: 'app', where: `${path} line 3`, field: 'PrincipalId', reason: 'is neither an Entra object id (GUID) nor a UPN/e-mail', value: 'not-a-principal' },
      { source: 'app', where: `${path} line 4`, field: 'PermissionId', reason: 'is empty; every row needs a value here (check the mapping of this column)' },
    ]);
    expect(prepared.markdown).toContain('## Rejected rows (3, first 2 listed)');
    if (prepared.result.blocked) throw new Error(prepared.result.reason);
    const rows = parse<Record<string, string>>(await readFile(prepared.result.manifest.files[0]!.path), { columns: true });
    expect(rows.map((r) => [r.PrincipalId, r.PermissionName])).toEqual([
      ['a1b2c3d4-0001-4000-8000-000000000001', 'Read'],
      ['a1b2c3d4-0002-4000-8000-000000000002', "'=cmd|calc"],
    ]);
  });

  it('checks PrincipalType and owners lists, and shortens over-long CustomData instead of dropping the row', async () => {
    await tmp.write('app.csv', 'upn,type,role,owners,groups,note\n' + [
      'adele@x.example,user,R1,"alex@x.example; a1b2c3d4-0003-4000-8000-000000000003",,' + 'c'.repeat(50),
      'alex@x.example,robot,R1,,,',
      'sean@x.example,EntraIdUser,R1,someone,,',
      'sean@x.example,EntraIdUser,R2,,finance-team,',
    ].join('\n'));
    const prepared = await runPrepare(tmp, {
      sources: { app: { type: 'csv-file', path: 'app.csv' } },
      primary: 'app',
      columns: { PrincipalId: '{app.upn}', PrincipalType: '{app.type}', PermissionId: '{app.role}', EntitlementOwners_Users: '{app.owners}', EntitlementOwners_Groups: '{app.groups}', CustomData: '{app.note}' },
      constants: { PermissionName: 'Role', PermissionType: 'Role', ScopeId: 's', ScopeDisplayName: 'S' },
      validation: { maxLength: { customdata: 20 } },
      thresholds: { maxRejectedShare: 1 },
    });
    expect(prepared.report.rejections.listed.map((r) => [r.field, r.reason])).toEqual([
      ['PrincipalType', 'unknown principal type (expected EntraIdUser)'],
      ['EntitlementOwners_Users', "'someone' is not an object id (GUID)"],
      ['EntitlementOwners_Groups', "'finance-team' is not an object id (GUID); groups must be given by id"],
    ]);
    if (prepared.result.blocked) throw new Error(prepared.result.reason);
    const rows = parse<Record<string, string>>(await readFile(prepared.result.manifest.files[0]!.path), { columns: true });
    expect(rows[0]).toMatchObject({
      PrincipalType: 'EntraIdUser',
      EntitlementOwners_Users: 'a1b2c3d4-0002-4000-8000-000000000002,a1b2c3d4-0003-4000-8000-000000000003',
      CustomData: `${'c'.repeat(17)}...`,
    });
    expect(prepared.report.counts.customDataTruncated).toBe(1);
  });

  it('writes the 6-column layout when asked', async () => {
    await tmp.write('app.csv', `${APP_HEADER}adele@x.example,R1,Read,Read\n`);
    const prepared = await runPrepare(tmp, appMapping({ layout: '6-column', constants: {} }));
    if (prepared.result.blocked) throw new Error(prepared.result.reason);
    expect(await readFile(prepared.result.manifest.files[0]!.path, 'utf8')).toBe(
      'principalId,principalType,permissionId,permissionName,permissionDescription,permissionType\na1b2c3d4-0001-4000-8000-000000000001,user,R1,Read,,Read\n',
    );
  });
});

describe('splitting and thresholds', () => {
  const manyRows = (n: number): string =>
    APP_HEADER + Array.from({ length: n }, (_, i) => `a1b2c3d4-0000-4000-8000-${String(i).padStart(12, '0')},R${i % 3},Role ${i % 3},Read`).join('\n');

  it('splits by rows: every file has the header and at most maxRowsPerFile rows', async () => {
    await tmp.write('app.csv', manyRows(25));
    const prepared = await runPrepare(tmp, appMapping({ output: { maxRowsPerFile: 10 } }), { batchSize: 7 });
    if (prepared.result.blocked) throw new Error(prepared.result.reason);
    const { files } = prepared.result.manifest;
    expect(files.map((f) => [f.name, f.rows])).toEqual([['access-data-01.csv', 10], ['access-data-02.csv', 10], ['access-data-03.csv', 5]]);
    for (const f of files) {
      const rows = parse<Record<string, string>>(await readFile(f.path), { columns: true });
      expect(rows).toHaveLength(f.rows);
    }
    expect(await readdir(join(tmp.dir, 'staging', 'run-1', 'upload'))).toHaveLength(3);
  });

  it('splits by bytes: no file is larger than maxBytesPerFile, and no row is lost', async () => {
    await tmp.write('app.csv', manyRows(200));
    const prepared = await runPrepare(tmp, appMapping({ output: { maxBytesPerFile: 4096 } }), { batchSize: 64 });
    if (prepared.result.blocked) throw new Error(prepared.result.reason);
    const { files, totalRows } = prepared.result.manifest;
    expect(files.length).toBeGreaterThan(1);
    expect(totalRows).toBe(200);
    for (const f of files) {
      expect(f.size).toBeLessThanOrEqual(4096);
      expect((await stat(f.path)).size).toBe(f.size);
    }
  });

  it('blocks when the rows need more than maxFiles files', async () => {
    await tmp.write('app.csv', manyRows(30));
    const reason = blockedReason(await runPrepare(tmp, appMapping({ output: { maxRowsPerFile: 5, maxFiles: 3 } })));
    expect(reason).toContain('the rows need more than 3 files (output.maxFiles; 15 rows did not fit)');
  });

  it('blocks an empty result', async () => {
    await tmp.write('app.csv', APP_HEADER);
    const prepared = await runPrepare(tmp, appMapping());
    expect(blockedReason(prepared)).toContain('the result is empty');
    expect(prepared.report.files).toEqual([]);
  });

  it('blocks when the rejected share passes the threshold, and passes at the threshold', async () => {
    await tmp.write('app.csv', `${manyRows(19)}\nnobody@x.example,R1,Read,Read\n`);
    const atLimit = await runPrepare(tmp, appMapping({ thresholds: { maxRejectedShare: 0.05 } }));
    expect(atLimit.result.blocked).toBe(false);
    const over = await runPrepare(tmp, appMapping({ thresholds: { maxRejectedShare: 0.04 } }), {}, 'run-2');
    expect(blockedReason(over)).toContain('1 of 20 rows (5.00 %) were rejected or have an unknown principal, more than thresholds.maxRejectedShare (4.00 %)');
    expect(over.markdown).toContain('**Status: BLOCKED: nothing will be uploaded**');
  });

  it('blocks when fewer rows than minRows remain', async () => {
    await tmp.write('app.csv', manyRows(3));
    expect(blockedReason(await runPrepare(tmp, appMapping({ thresholds: { minRows: 5 } })))).toContain('only 3 rows to upload, fewer than thresholds.minRows (5)');
  });
});
