import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { EmulatorOptions, RunningEmulator } from '../../emulator/index';
import { startEmulator } from '../../emulator/index';

/** Shared set-up for the emulator tests: a started emulator, raw HTTPS helpers and the seed's ids. */

export const ids = {
  catalog: 'c0ffee00-0000-4000-8000-00000000ca01',
  ledger: 'd00d0000-0000-4000-8000-00000000b001',
  payroll: 'd00d0000-0000-4000-8000-00000000b002',
  group: 'd00d0000-0000-4000-8000-00000000b003',
  ledgerReview: 'e1e1e1e1-0000-4000-8000-0000000000d1',
  annualReview: 'e1e1e1e1-0000-4000-8000-0000000000d2',
  seededInstance: 'f2f2f2f2-0000-4000-8000-0000000000e1',
  completedInstance: 'f2f2f2f2-0000-4000-8000-0000000000e0',
  writer: '11111111-1111-4111-8111-111111111111',
  reader: '22222222-2222-4222-8222-222222222222',
  adele: 'a1b2c3d4-0001-4000-8000-000000000001',
  alex: 'a1b2c3d4-0002-4000-8000-000000000002',
  sean: 'a1b2c3d4-0003-4000-8000-000000000003',
} as const;

export const SESSION_TYPE = '#microsoft.graph.customDataProvidedResourceAccessReviewUploadSession';
export const CONTEXT_TYPE = '#microsoft.graph.customDataProvidedResourcePayloads.accessReviewContextData';
export const CSV_HEADER_6 = 'principalId,principalType,permissionId,permissionName,permissionDescription,permissionType';

export interface GraphResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // Parsed JSON of a test response: tests read fields they assert on.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface SendOptions {
  token?: string | null;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface TestEmulator {
  emulator: RunningEmulator;
  dispatcher: Agent;
  /** A Graph token for an app (default: the read/write app). */
  token(clientId?: string): Promise<string>;
  send(method: string, pathOrUrl: string, options?: SendOptions): Promise<GraphResponse>;
  sessionsPath(version?: 'v1.0' | 'beta' | 'short', resourceId?: string): string;
  createSession(instanceId: string, options?: { resourceId?: string; definitionId?: string; version?: 'v1.0' | 'beta' | 'short' }): Promise<GraphResponse>;
  upload(sessionPath: string, fileName: string, content: string | Buffer): Promise<GraphResponse>;
  /** A new review instance of the Ledger review, Initializing now. */
  freshInstance(definitionId?: string): Promise<string>;
  stop(): Promise<void>;
}

export function createBody(definitionId: string, instanceId: string): string {
  return JSON.stringify({ '@odata.type': SESSION_TYPE, data: { '@odata.type': CONTEXT_TYPE, reviewDefinitionId: definitionId, reviewInstanceId: instanceId } });
}

/** A multipart/form-data body with exactly the parts given (so tests can break the rules on purpose). */
export function multipart(parts: { name: string; filename?: string; content: string | Buffer; contentType?: string }[]): { body: Buffer; contentType: string } {
  const boundary = `----emulator-test-${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ port: 0, ...options });
  const dispatcher = new Agent({ connect: { ca: readFileSync(emulator.caCertPath, 'utf8') } });
  const tokens = new Map<string, string>();
  const token = async (clientId: string = ids.writer): Promise<string> => {
    const cached = tokens.get(clientId);
    if (cached !== undefined) return cached;
    const minted = await emulator.admin.mintToken({ clientId });
    tokens.set(clientId, minted);
    return minted;
  };
  const send = async (method: string, pathOrUrl: string, options: SendOptions = {}): Promise<GraphResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? (await token())}`;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${emulator.baseUrl}${pathOrUrl}`;
    const response = await request(url, { method: method as 'GET', headers, body: options.body, dispatcher });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  };
  const sessionsPath = (version: 'v1.0' | 'beta' | 'short' = 'v1.0', resourceId: string = ids.ledger): string =>
    version === 'v1.0'
      ? `/v1.0/identityGovernance/entitlementManagement/catalogs/${ids.catalog}/resources/${resourceId}/uploadSessions`
      : version === 'short'
        ? `/v1.0/identityGovernance/catalogs/${ids.catalog}/resources/${resourceId}/uploadSessions`
        : `/beta/identityGovernance/catalogs/${ids.catalog}/accessPackageResources/${resourceId}/uploadSessions`;
  return {
    emulator,
    dispatcher,
    token,
    send,
    sessionsPath,
    createSession: (instanceId, o = {}) =>
      send('POST', sessionsPath(o.version, o.resourceId), { body: createBody(o.definitionId ?? ids.ledgerReview, instanceId), contentType: 'application/json' }),
    upload: (sessionPath, fileName, content) => {
      const form = multipart([{ name: 'file', filename: fileName, content }]);
      return send('POST', `${sessionPath}/uploadFile`, { body: form.body, contentType: form.contentType });
    },
    freshInstance: async (definitionId: string = ids.ledgerReview) => (await emulator.admin.startInstance(definitionId)).id,
    stop: async () => {
      await dispatcher.close();
      await emulator.stop();
    },
  };
}
