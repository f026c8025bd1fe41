import { Agent, request } from 'undici';
import type { FaultRuleInput, FaultSettings, FaultSettingsInput } from './fault-schema';
import type { CalloutRecord, InstanceRecord, SessionRecord } from './model';
import type { RequestLogEntry } from './request-log';
import type { InstanceStatus, Seed, SeedInput } from './seed-schema';
import type { Settings, SettingsInput } from './settings';

/** Typed helpers over the admin API, for tests and scripts. Trusts the emulator's CA itself (no env needed). */

export type AdminSession = Omit<SessionRecord, 'files'> & { files: Omit<SessionRecord['files'][number], 'contentFile'>[] };

export interface EmulatorAdminClient {
  info(): Promise<Record<string, unknown>>;
  reset(): Promise<void>;
  seed(seed: SeedInput): Promise<void>;
  getSeed(): Promise<Seed>;
  sessions(): Promise<AdminSession[]>;
  session(id: string, options?: { waitForProcessing?: boolean }): Promise<AdminSession>;
  fileContent(sessionId: string, fileId: string): Promise<Buffer>;
  requests(sinceSeq?: number): Promise<RequestLogEntry[]>;
  clearRequests(): Promise<void>;
  faults(): Promise<FaultSettings & { remaining: (number | null)[] }>;
  setFaults(settings: FaultSettingsInput): Promise<void>;
  addFault(rule: FaultRuleInput): Promise<void>;
  clearFaults(): Promise<void>;
  settings(): Promise<Settings>;
  updateSettings(change: Partial<SettingsInput>): Promise<Settings>;
  /** Starts a new instance of a definition, Initializing now (a fresh upload window). */
  startInstance(definitionId: string, options?: { id?: string; durationDays?: number }): Promise<InstanceRecord>;
  instance(id: string): Promise<InstanceRecord>;
  setInstanceStatus(id: string, status: InstanceStatus, initializingDateTime?: string | null): Promise<InstanceRecord>;
  advanceClock(seconds: number): Promise<void>;
  /** Mints a token directly (wrong audience/issuer, past expiry, other roles) for auth tests. */
  mintToken(options: { clientId: string; lifetimeSeconds?: number; audience?: string; issuer?: string; roles?: string[] }): Promise<string>;
  /** Callouts sent so far; `waitForDelivery` first waits until none is pending (delivered or failed for good). */
  callouts(options?: { waitForDelivery?: boolean }): Promise<CalloutRecord[]>;
  clearCallouts(): Promise<void>;
  /** Sends an instance's callouts again (as Entra may), e.g. for an instance seeded as Initializing. */
  resendCallouts(instanceId: string): Promise<CalloutRecord[]>;
  /** A token exactly as callouts carry it; override audience/issuer/lifetime/caller to make bad ones. */
  mintCalloutToken(options?: { audience?: string; issuer?: string; lifetimeSeconds?: number; callerAppId?: string }): Promise<string>;
  close(): Promise<void>;
}

export function createAdminClient(adminUrl: string, caPem: string): EmulatorAdminClient {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  const call = async <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> => {
    const response = await request(`${adminUrl}${path}`, {
      method,
      dispatcher,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`Emulator admin ${method} ${path} answered ${response.statusCode}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return {
    info: () => call('GET', '/info'),
    reset: async () => {
      await call('POST', '/reset');
    },
    seed: async (seed) => {
      await call('PUT', '/seed', seed);
    },
    getSeed: () => call('GET', '/seed'),
    sessions: async () => (await call<{ value: AdminSession[] }>('GET', '/sessions')).value,
    session: (id, options) => call('GET', `/sessions/${encodeURIComponent(id)}${options?.waitForProcessing === true ? '?waitForProcessing=true' : ''}`),
    fileContent: async (sessionId, fileId) => {
      const response = await request(`${adminUrl}/sessions/${encodeURIComponent(sessionId)}/files/${encodeURIComponent(fileId)}/content`, { dispatcher });
      const content = Buffer.from(await response.body.arrayBuffer());
      if (response.statusCode !== 200) throw new Error(`Emulator admin file content answered ${response.statusCode}: ${content.toString()}`);
      return content;
    },
    requests: async (since) => (await call<{ value: RequestLogEntry[] }>('GET', `/requests${since === undefined ? '' : `?since=${since}`}`)).value,
    clearRequests: async () => {
      await call('DELETE', '/requests');
    },
    faults: () => call('GET', '/faults'),
    setFaults: async (settings) => {
      await call('PUT', '/faults', settings);
    },
    addFault: async (rule) => {
      await call('POST', '/faults/rules', rule);
    },
    clearFaults: async () => {
      await call('DELETE', '/faults');
    },
    settings: () => call('GET', '/settings'),
    updateSettings: (change) => call('PATCH', '/settings', change),
    startInstance: (definitionId, options) => call('POST', `/reviews/definitions/${encodeURIComponent(definitionId)}/instances`, options ?? {}),
    instance: (id) => call('GET', `/reviews/instances/${encodeURIComponent(id)}`),
    setInstanceStatus: (id, status, initializingDateTime) =>
      call('PATCH', `/reviews/instances/${encodeURIComponent(id)}`, initializingDateTime === undefined ? { status } : { status, initializingDateTime }),
    advanceClock: async (seconds) => {
      await call('POST', '/clock', { advanceSeconds: seconds });
    },
    mintToken: async (options) => (await call<{ access_token: string }>('POST', '/tokens', options)).access_token,
    callouts: async (options) =>
      (await call<{ value: CalloutRecord[] }>('GET', `/callouts${options?.waitForDelivery === true ? '?waitForDelivery=true' : ''}`)).value,
    clearCallouts: async () => {
      await call('DELETE', '/callouts');
    },
    resendCallouts: async (instanceId) =>
      (await call<{ value: CalloutRecord[] }>('POST', `/reviews/instances/${encodeURIComponent(instanceId)}/callouts`)).value,
    mintCalloutToken: async (options) => (await call<{ access_token: string }>('POST', '/callouts/tokens', options ?? {})).access_token,
    close: () => dispatcher.close(),
  };
}
