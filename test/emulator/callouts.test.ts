/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { SeedInput } from '../../emulator';
import { DEFAULT_CALLOUT_AUDIENCE, DEFAULT_CALLOUT_CALLER_APP_ID } from '../../emulator/settings';
import type { TestEmulator } from './helpers';
import { CONTEXT_TYPE, ids, startTestEmulator } from './helpers';

/** A local endpoint standing in for the Logic App / callout receiver: records requests, answers as told. */
interface CalloutEndpoint {
  url: string;
  received: { headers: IncomingHttpHeaders; body: unknown }[];
  /** Statuses of the next answers, in order; afterwards 202. */
  answers: number[];
  /** While set, answers wait for it to resolve. */
  gate: Promise<void> | undefined;
  close(): Promise<void>;
}

async function startCalloutEndpoint(): Promise<CalloutEndpoint> {
  const endpoint: CalloutEndpoint = { url: '', received: [], answers: [], gate: undefined, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      endpoint.received.push({ headers: req.headers, body: JSON.parse(text) as unknown });
      const status = endpoint.answers.shift() ?? 202;
      void (endpoint.gate ?? Promise.resolve()).then(() => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callouts/access-review`;
  endpoint.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return endpoint;
}

/** A port nothing listens on (bound, then released). */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/callouts`;
}

const exampleSeed = (): SeedInput => JSON.parse(readFileSync(path.join(__dirname, '../../examples/emulator-seed.json'), 'utf8')) as SeedInput;

describe('callouts when a review instance starts', () => {
  let t: TestEmulator;
  let endpoint: CalloutEndpoint;
  beforeAll(async () => {
    endpoint = await startCalloutEndpoint();
    t = await startTestEmulator({ calloutRetryDelayMs: 10 });
  });
  afterAll(async () => {
    await t.stop();
    await endpoint.close();
  });
  beforeEach(async () => {
    endpoint.received.length = 0;
    endpoint.answers.length = 0;
    endpoint.gate = undefined;
    await t.emulator.admin.clearCallouts();
    await t.emulator.admin.updateSettings({ calloutUrls: { [ids.ledger]: endpoint.url } });
  });

  it('POSTs the callout body with a token the emulator signs, without making startInstance wait', async () => {
    let release: () => void = () => undefined;
    endpoint.gate = new Promise((resolve) => (release = resolve));
    const instance = await t.emulator.admin.startInstance(ids.ledgerReview);
    // startInstance answered while the endpoint still holds its answer: fire and forget, but observable.
    const pending = await t.emulator.admin.callouts();
    expect(pending).toEqual([expect.objectContaining({ reviewInstanceId: instance.id, resourceId: ids.ledger, state: 'pending', trigger: 'instanceStarted' })]);
    release();
    const [callout] = await t.emulator.admin.callouts({ waitForDelivery: true });
    expect(callout).toMatchObject({ state: 'delivered', url: endpoint.url, audience: DEFAULT_CALLOUT_AUDIENCE, callerAppId: DEFAULT_CALLOUT_CALLER_APP_ID });
    expect(callout!.attempts).toEqual([expect.objectContaining({ status: 202, response: '{"status":202}' })]);

    expect(endpoint.received).toHaveLength(1);
    const { headers, body } = endpoint.received[0]!;
    expect(body).toEqual({
      source: '/identityGovernance/accessReviews',
      catalogId: ids.catalog,
      resourceId: ids.ledger,
      data: { '@odata.type': CONTEXT_TYPE, reviewDefinitionId: ids.ledgerReview, reviewInstanceId: instance.id },
    });
    expect(headers['content-type']).toBe('application/json');
    const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1] ?? '';
    // Anyone can check it the standard way: the tenant's JWKS, its issuer, the configured audience.
    const jwks = createRemoteJWKSet(new URL(`${t.emulator.baseUrl}/${t.emulator.tenantId}/discovery/v2.0/keys`));
    const { payload } = await jwtVerify(token, jwks, { issuer: `${t.emulator.baseUrl}/${t.emulator.tenantId}/v2.0`, audience: DEFAULT_CALLOUT_AUDIENCE });
    expect(payload).toMatchObject({ azp: DEFAULT_CALLOUT_CALLER_APP_ID, appid: DEFAULT_CALLOUT_CALLER_APP_ID, tid: t.emulator.tenantId });
    expect(payload.exp! - payload.iat!).toBe(300);
    // Callout tokens are not Graph tokens.
    expect((await t.send('GET', '/v1.0/users', { token })).status).toBe(401);
  });

  it('retries 5xx answers with backoff and records every attempt', async () => {
    endpoint.answers.push(503, 500);
    await t.emulator.admin.startInstance(ids.ledgerReview);
    const [callout] = await t.emulator.admin.callouts({ waitForDelivery: true });
    expect(callout!.state).toBe('delivered');
    expect(callout!.attempts.map((a) => a.status)).toEqual([503, 500, 202]);
    expect(endpoint.received).toHaveLength(3);
  });

  it('gives up at once on a 4xx answer, and after the last attempt on connection errors', async () => {
    endpoint.answers.push(401);
    await t.emulator.admin.startInstance(ids.ledgerReview);
    const [refused] = await t.emulator.admin.callouts({ waitForDelivery: true });
    expect(refused).toMatchObject({ state: 'failed', attempts: [expect.objectContaining({ status: 401 })] });

    await t.emulator.admin.clearCallouts();
    await t.emulator.admin.updateSettings({ calloutUrls: { [ids.ledger]: await closedPortUrl() }, calloutMaxAttempts: 3 });
    await t.emulator.admin.startInstance(ids.ledgerReview);
    const [unreachable] = await t.emulator.admin.callouts({ waitForDelivery: true });
    expect(unreachable!.state).toBe('failed');
    expect(unreachable!.attempts).toHaveLength(3);
    expect(unreachable!.attempts.every((a) => a.status === undefined && /ECONNREFUSED|connect/i.test(a.error ?? ''))).toBe(true);
    await t.emulator.admin.updateSettings({ calloutMaxAttempts: 4 });
  });

  it('calls again when an instance re-enters Initializing, or on request; a PATCH of settings changes only what it names', async () => {
    const instance = await t.emulator.admin.startInstance(ids.ledgerReview);
    await t.emulator.admin.setInstanceStatus(instance.id, 'InProgress');
    await t.emulator.admin.setInstanceStatus(instance.id, 'Initializing');
    await t.emulator.admin.setInstanceStatus(instance.id, 'Initializing'); // already there: no new callout
    await t.emulator.admin.resendCallouts(instance.id);
    const callouts = await t.emulator.admin.callouts({ waitForDelivery: true });
    expect(callouts.map((c) => c.trigger)).toEqual(['instanceStarted', 'instanceInitializing', 'resend']);
    expect(callouts.every((c) => c.reviewInstanceId === instance.id && c.state === 'delivered')).toBe(true);

    const before = await t.emulator.admin.settings();
    const after = await t.emulator.admin.updateSettings({ calloutAudience: 'api://other' });
    expect(after).toEqual({ ...before, calloutAudience: 'api://other' });
    await t.emulator.admin.updateSettings({ calloutAudience: DEFAULT_CALLOUT_AUDIENCE });
  });

  it('mints callout tokens on request for receiver tests', async () => {
    const token = await t.emulator.admin.mintCalloutToken({ audience: 'api://receiver', lifetimeSeconds: -600 });
    const jwks = createRemoteJWKSet(new URL(`${t.emulator.baseUrl}/${t.emulator.tenantId}/discovery/v2.0/keys`));
    await expect(jwtVerify(token, jwks, { audience: 'api://receiver' })).rejects.toThrow(/exp/);
    const { payload } = await jwtVerify(await t.emulator.admin.mintCalloutToken({ callerAppId: ids.writer }), jwks);
    expect(payload).toMatchObject({ azp: ids.writer, aud: DEFAULT_CALLOUT_AUDIENCE });
  });

  it('refuses a callout URL that is not http(s), naming the resource', async () => {
    await expect(t.emulator.admin.updateSettings({ calloutUrls: { [ids.ledger]: 'ftp://example.com/x' } })).rejects.toThrow(
      new RegExp(`400.*calloutUrls\\.${ids.ledger}`),
    );
  });
});

describe('callouts configured in the seed (notificationEndpointConfiguration)', () => {
  let t: TestEmulator;
  let endpoint: CalloutEndpoint;
  beforeAll(async () => {
    endpoint = await startCalloutEndpoint();
    const seed = exampleSeed();
    for (const resource of seed.catalogs?.[0]?.resources ?? []) {
      if (resource.id === ids.group) continue;
      resource.notificationEndpointConfiguration = { '@odata.type': '#microsoft.graph.logicAppTriggerEndpointConfiguration', url: endpoint.url, logicAppWorkflowName: 'byod' };
      if (resource.id === ids.payroll) resource.calloutAudience = 'api://payroll-receiver';
    }
    t = await startTestEmulator({ seed, calloutRetryDelayMs: 10 });
  });
  afterAll(async () => {
    await t.stop();
    await endpoint.close();
  });

  it('calls each resource the review covers, shows the configuration on Graph, and not for seeded instances', async () => {
    // Seeded Initializing instances were "started" before the emulator: no callouts for them.
    expect(await t.emulator.admin.callouts({ waitForDelivery: true })).toEqual([]);
    const resource = await t.send('GET', `/v1.0/identityGovernance/entitlementManagement/catalogs/${ids.catalog}/resources/${ids.ledger}`);
    expect(resource.json.notificationEndpointConfiguration).toEqual({ '@odata.type': '#microsoft.graph.logicAppTriggerEndpointConfiguration', url: endpoint.url, logicAppWorkflowName: 'byod' });

    const annual = await t.emulator.admin.startInstance(ids.annualReview);
    const callouts = await t.emulator.admin.callouts({ waitForDelivery: true });
    expect(callouts.map((c) => [c.resourceId, c.audience, c.state]).sort()).toEqual([
      [ids.ledger, DEFAULT_CALLOUT_AUDIENCE, 'delivered'],
      [ids.payroll, 'api://payroll-receiver', 'delivered'],
    ]);
    expect(endpoint.received.map((r) => (r.body as { data: { reviewInstanceId: string } }).data.reviewInstanceId)).toEqual([annual.id, annual.id]);

    // A runtime override of null turns a seeded callout off.
    await t.emulator.admin.updateSettings({ calloutUrls: { [ids.payroll]: null } });
    await t.emulator.admin.clearCallouts();
    await t.emulator.admin.startInstance(ids.annualReview);
    expect((await t.emulator.admin.callouts({ waitForDelivery: true })).map((c) => c.resourceId)).toEqual([ids.ledger]);
  });
});
