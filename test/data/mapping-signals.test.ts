import { readFile } from 'node:fs/promises';
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

async function customData(prepared: Awaited<ReturnType<typeof runPrepare>>): Promise<Map<string, string>> {
  if (prepared.result.blocked) throw new Error(prepared.result.reason);
  const text = await readFile(prepared.result.manifest.files[0]!.path, 'utf8');
  const { parse } = await import('csv-parse/sync');
  const rows = parse<Record<string, string>>(text, { columns: true });
  return new Map(rows.map((r) => [`${r.PrincipalId}/${r.PermissionId}`, r.CustomData ?? '']));
}

describe('mapping: joins and signals write reviewer context into CustomData', () => {
  beforeEach(async () => {
    await tmp.write('app.csv', `upn,emp,role,role_name,kind\nadele@x.example,E1,R1,Read,Read\nalex@x.example,E2,R1,Read,Read\nsean@x.example,E3,R2,Write,Write\nsean@x.example,E9,R1,Read,Read\n`);
    await tmp.write('hr.csv', 'id,dept,dept_since,status,end\nE1,Retail,,active,\nE2,Finance,2026-10-01,active,\nE3,Audit,,leaver,2026-11-02\n');
    await tmp.write('itsm.ndjson', '{"for":"adele@x.example","item":"R1","number":"RITM1"}\n{"for":"adele@x.example","item":"R1","number":"RITM2"}\n{"for":"sean@x.example","item":"R2","number":"RITM3"}\n');
  });

  const mapping = (signals: unknown[]): Record<string, unknown> =>
    appMapping({
      sources: { app: { type: 'csv-file', path: 'app.csv' }, hr: { type: 'csv-file', path: 'hr.csv' }, itsm: { type: 'ndjson', path: 'itsm.ndjson' } },
      joins: [
        { source: 'hr', on: { primary: '{app.emp}', joined: '{hr.id}' } },
        { source: 'itsm', on: { primary: '{app.upn}|{app.role}', joined: '{itsm.for}|{itsm.item}' }, multiple: true },
      ],
      signals,
    });

  it('leaver, mover, no access request and request numbers, joined by the separator', async () => {
    const prepared = await runPrepare(tmp, mapping([
      { when: { missing: 'hr' }, text: 'HR: no employee record ({app.emp})' },
      { when: { field: 'hr.status', equals: ['leaver', 'terminated'] }, text: 'HR: leaver on {hr.end}' },
      { when: { all: [{ present: 'hr' }, { field: 'hr.dept_since', withinDays: 90 }] }, text: 'HR: moved to {hr.dept} on {hr.dept_since}' },
      { when: { missing: 'itsm' }, text: 'no access request on record' },
      { when: { present: 'itsm' }, text: 'ITSM: {itsm.number}' },
    ]));
    const byRow = await customData(prepared);
    expect(byRow.get('a1b2c3d4-0001-4000-8000-000000000001/R1')).toBe('ITSM: RITM1, RITM2');
    expect(byRow.get('a1b2c3d4-0002-4000-8000-000000000002/R1')).toBe('HR: moved to Finance on 2026-10-01; no access request on record');
    expect(byRow.get('a1b2c3d4-0003-4000-8000-000000000003/R2')).toBe('HR: leaver on 2026-11-02; ITSM: RITM3');
    expect(byRow.get('a1b2c3d4-0003-4000-8000-000000000003/R1')).toBe('HR: no employee record (E9); no access request on record');
    expect(prepared.report.signals.map((s) => s.rows)).toEqual([1, 1, 1, 2, 2]);
    expect(prepared.report.joins).toEqual([
      { name: 'hr', keys: 3, duplicateKeys: 0, rowsMatched: 3, rowsUnmatched: 1 },
      { name: 'itsm', keys: 2, duplicateKeys: 0, rowsMatched: 2, rowsUnmatched: 2 },
    ]);
  });

  it('withinDays, not, any, matches and differsFrom conditions', async () => {
    const prepared = await runPrepare(tmp, mapping([
      { when: { field: 'hr.dept_since', withinDays: 30 }, text: 'recent move' },
      { when: { not: { present: 'hr' } }, text: 'not in HR' },
      { when: { any: [{ field: 'hr.dept', matches: '^fin' }, { field: 'hr.dept', equals: 'audit' }] }, text: 'finance or audit' },
      { when: { field: 'hr.dept', differsFrom: 'app.role_name' }, text: 'dept differs' },
    ]));
    const byRow = await customData(prepared);
    expect(byRow.get('a1b2c3d4-0002-4000-8000-000000000002/R1')).toBe('finance or audit; dept differs'); // 2026-10-01 is 61 days before the run
    expect(byRow.get('a1b2c3d4-0003-4000-8000-000000000003/R1')).toBe('not in HR');
  });

  it('refuses mapping mistakes, each with its key path and line', async () => {
    const prepared = await runPrepare(tmp, mapping([
      { when: { missing: 'payroll' }, text: 'x' },
      { when: { field: 'hr.dept', equals: 'x', notEmpty: true }, text: 'y' },
      { when: { field: 'crm.owner', notEmpty: true }, text: 'z' },
      { when: { present: 'hr' }, text: 'HR {hr.dept' },
    ]));
    const reason = blockedReason(prepared);
    expect(reason).toContain("signals[0].when.missing: 'payroll' is not a join (joins: hr, itsm)");
    expect(reason).toContain('signals[1].when: expected one operator, found equals and notEmpty');
    expect(reason).toContain("signals[2].when.field: 'crm.owner' must name the primary source or a join");
    expect(reason).toContain("signals[3].text: unclosed '{'");
    expect(reason).toMatch(/line \d+: signals\[0\]\.when\.missing/);
  });
});

describe('mapping: columns', () => {
  it('refuses unknown columns, a missing required column and an unused source', async () => {
    await tmp.write('app.csv', `${APP_HEADER}adele@x.example,R1,Read,Read\n`);
    const prepared = await runPrepare(tmp, appMapping({
      sources: { app: { type: 'csv-file', path: 'app.csv' }, extra: { type: 'ndjson', path: 'x.ndjson' } },
      columns: { PrincipalId: '{app.upn}', PermissionName: '{app.role_name}', PermisionType: '{app.kind}' },
    }));
    const reason = blockedReason(prepared);
    expect(reason).toContain("columns.PermisionType: 'PermisionType' is not a column of the 11-column layout");
    expect(reason).toContain('no value for the required column PermissionId: add columns.PermissionId or constants.PermissionId');
    expect(reason).toContain("sources.extra: source 'extra' is neither the primary source nor joined");
  });

  it('compares column names case-insensitively and fills the layout defaults', async () => {
    await tmp.write('app.csv', `${APP_HEADER}adele@x.example,R1,Read,Read\n`);
    const prepared = await runPrepare(tmp, appMapping({
      columns: { principalid: '{app.upn}', PERMISSIONID: '{app.role}', permissionName: '{app.role_name} ({app.kind})', PermissionType: '{app.kind}' },
    }));
    if (prepared.result.blocked) throw new Error(prepared.result.reason);
    const text = await readFile(prepared.result.manifest.files[0]!.path, 'utf8');
    expect(text).toBe(
      'PrincipalId,PrincipalType,PermissionId,PermissionName,PermissionDescription,PermissionType,ScopeId,ScopeDisplayName,EntitlementOwners_Users,EntitlementOwners_Groups,CustomData\n' +
        'a1b2c3d4-0001-4000-8000-000000000001,EntraIdUser,R1,Read (Read),,Read,scope-1,App,,,\n',
    );
  });
});
