/**
 * One emulator per test file plus our real client on top of it: real @azure/identity credentials over HTTPS, the
 * worker's undici dispatcher, settings read through loadGraphSettings like a worker does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { Agent } from 'undici';
import { GraphClient } from '../../../activities/graph/client';
import { createCredential } from '../../../activities/graph/credential';
import { createGraphDispatcher } from '../../../activities/graph/dispatcher';
import { loadGraphSettings } from '../../../activities/graph/settings';
import type { GraphSettings } from '../../../activities/graph/settings';
import type { StagedFile } from '../../../contracts/manifest';
import { startEmulator } from '../../../emulator';
import type { EmulatorOptions, RunningEmulator } from '../../../emulator';

/** From examples/emulator-seed.json. */
export const SEED = {
  catalogId: 'c0ffee00-0000-4000-8000-00000000ca01',
  ledgerId: 'd00d0000-0000-4000-8000-00000000b001',
  payrollId: 'd00d0000-0000-4000-8000-00000000b002',
  groupResourceId: 'd00d0000-0000-4000-8000-00000000b003',
  quarterlyDefinitionId: 'e1e1e1e1-0000-4000-8000-0000000000d1',
  quarterlyInitializingInstanceId: 'f2f2f2f2-0000-4000-8000-0000000000e1',
  annualDefinitionId: 'e1e1e1e1-0000-4000-8000-0000000000d2',
  writerClientId: '11111111-1111-4111-8111-111111111111',
  readerClientId: '22222222-2222-4222-8222-222222222222',
  adeleId: 'a1b2c3d4-0001-4000-8000-000000000001',
  seanId: 'a1b2c3d4-0003-4000-8000-000000000003',
} as const;

export interface GraphTestEnv {
  emulator: RunningEmulator;
  settings: GraphSettings;
  credential: TokenCredential;
  dispatcher: Agent;
  graph: GraphClient;
  /** A client for another seeded app (e.g. the read-only one) or API version. */
  clientFor(options: { clientId?: string; apiVersion?: 'v1.0' | 'beta' }): GraphClient;
  /** Writes a CSV into a temp dir; returns it as a staged file. */
  stage(name: string, content: string | Buffer): Promise<StagedFile>;
  close(): Promise<void>;
}

export async function startGraphTestEnv(options: EmulatorOptions = {}): Promise<GraphTestEnv> {
  const emulator = await startEmulator({ port: 0, ...options });
  const dir = await mkdtemp(join(tmpdir(), 'graph-test-'));
  const dispatchers: Agent[] = [];
  const settingsFor = (clientId: string, apiVersion: string): GraphSettings => {
    const app = emulator.apps.find((a) => a.clientId === clientId);
    if (app?.clientSecret === undefined) throw new Error(`seeded app ${clientId} has no secret`);
    return loadGraphSettings({
      GRAPH_API_VERSION: apiVersion,
      GRAPH_BASE_URL: emulator.graphBaseUrl,
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: app.clientId,
      AZURE_CLIENT_SECRET: app.clientSecret,
      GRAPH_HTTP_CONNECT_TIMEOUT_MS: '5000',
      GRAPH_HTTP_HEADERS_TIMEOUT_MS: '30000',
      GRAPH_HTTP_BODY_TIMEOUT_MS: '30000',
      GRAPH_RETRY_AFTER_CAP_SECONDS: '10',
    });
  };
  const clientFor = ({ clientId = SEED.writerClientId, apiVersion = 'v1.0' }: { clientId?: string; apiVersion?: 'v1.0' | 'beta' }): GraphClient => {
    const settings = settingsFor(clientId, apiVersion);
    const dispatcher = createGraphDispatcher(settings);
    dispatchers.push(dispatcher);
    return new GraphClient({ credential: createCredential(settings), dispatcher, settings });
  };
  const settings = settingsFor(SEED.writerClientId, 'v1.0');
  const credential = createCredential(settings);
  const dispatcher = createGraphDispatcher(settings);
  dispatchers.push(dispatcher);
  return {
    emulator,
    settings,
    credential,
    dispatcher,
    graph: new GraphClient({ credential, dispatcher, settings }),
    clientFor,
    async stage(name, content) {
      const path = join(dir, `${Math.random().toString(36).slice(2)}-${name.replace(/[^\w.-]/g, '_')}`);
      await writeFile(path, content);
      const size = Buffer.byteLength(content);
      const rows = Math.max(0, String(content).split('\n').filter((l) => l !== '').length - 1);
      return { name, path, size, sha256: '', rows };
    },
    async close() {
      await Promise.all(dispatchers.map((d) => d.close()));
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A valid 11-column CSV (the how-to layout) with `rows` data rows. */
export function csv(rows: number, userId: string = SEED.adeleId): string {
  const header = 'PrincipalId,PrincipalType,PermissionId,PermissionName,PermissionDescription,PermissionType,ScopeId,ScopeDisplayName,EntitlementOwners_Users,EntitlementOwners_Groups,CustomData\n';
  let body = '';
  for (let i = 0; i < rows; i++) body += `${userId},EntraIdUser,perm-${i},Read,Read ${i},Role,app-1,Ledger,,,row ${i}\n`;
  return header + body;
}
