import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { PrepareResult } from '../../contracts/prepare';
import { prepareUpload } from '../../activities/data/prepare';
import type { PrepareDeps } from '../../activities/data/prepare';
import type { PreflightReport } from '../../activities/data/report';
import { createStaticResolver } from '../../activities/data/resolver';
import type { TempDir } from './helpers';

export const USERS = {
  'adele@x.example': 'a1b2c3d4-0001-4000-8000-000000000001',
  'alex@x.example': 'a1b2c3d4-0002-4000-8000-000000000002',
  'sean@x.example': 'a1b2c3d4-0003-4000-8000-000000000003',
};

export const APP_HEADER = 'upn,role,role_name,kind\n';

/** A mapping for an app export `app.csv` (upn,role,role_name,kind); `overrides` replace top-level keys. */
export function appMapping(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sources: { app: { type: 'csv-file', path: 'app.csv' } },
    primary: 'app',
    columns: { PrincipalId: '{app.upn}', PermissionId: '{app.role}', PermissionName: '{app.role_name}', PermissionType: '{app.kind}' },
    constants: { ScopeId: 'scope-1', ScopeDisplayName: 'App' },
    ...overrides,
  };
}

export interface Prepared {
  result: PrepareResult;
  report: PreflightReport;
  markdown: string;
}

/** Writes the mapping into the temp dir and runs the preparation with a static resolver over USERS. */
export async function runPrepare(tmp: TempDir, mapping: Record<string, unknown> | string, deps: Partial<PrepareDeps> = {}, runId = 'run-1'): Promise<Prepared> {
  const mappingPath = await tmp.write('mapping.yaml', typeof mapping === 'string' ? mapping : stringify(mapping));
  const result = await prepareUpload(
    { mappingPath, runId, stagingRoot: join(tmp.dir, 'staging'), dryRun: true, now: new Date('2026-12-01T00:00:00Z') },
    { principalResolver: createStaticResolver(USERS), env: {}, ...deps },
  );
  const report = JSON.parse(await readFile(result.reportJsonPath, 'utf8')) as PreflightReport;
  const markdown = await readFile(result.reportMarkdownPath, 'utf8');
  return { result, report, markdown };
}

/** The reason of a blocked result (fails the test when the run was not blocked). */
export function blockedReason(prepared: Prepared): string {
  if (!prepared.result.blocked) throw new Error('expected the run to be blocked');
  return prepared.result.reason;
}
