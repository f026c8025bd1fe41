/**
 * The Graph client against the running emulator over HTTPS with real @azure/identity credentials (issue 4, item 9):
 * every operation, paging, quoting, 401 refresh, 403/409 messages, v1.0 and beta.
 */
import type { TokenCredential } from '@azure/identity';
import { GraphFailureType } from '../../contracts/graph-failures';
import type { GraphFailureDetails } from '../../contracts/graph-failures';
import { GraphClient } from '../../activities/graph/client';
import { createCredential } from '../../activities/graph/credential';
import { loadGraphSettings } from '../../activities/graph/settings';
import { eq, odataEnum, orderBy } from '../../activities/graph/odata';
import { csv, SEED, startGraphTestEnv } from './helpers/graph-env';
import type { GraphTestEnv } from './helpers/graph-env';
import { failureOf } from './helpers/failure-of';

let env: GraphTestEnv;

beforeAll(async () => {
  env = await startGraphTestEnv();
});
afterAll(async () => {
  await env?.close();
});
afterEach(async () => {
  await env.emulator.admin.reset();
});


const newInstance = async (id?: string) => (await env.emulator.admin.startInstance(SEED.quarterlyDefinitionId, id === undefined ? {} : { id })).id;
const create = (instanceId: string, resourceId: string = SEED.ledgerId, graph = env.graph) =>
  graph.createUploadSession(SEED.catalogId, resourceId, { reviewDefinitionId: SEED.quarterlyDefinitionId, reviewInstanceId: instanceId });

describe('catalog and review reads', () => {
  it('finds the custom data provided resources of a catalog and reads one', async () => {
    const found = await env.graph.findCustomDataResources(SEED.catalogId);
    expect(found.map((r) => r.id).sort()).toEqual([SEED.ledgerId, SEED.payrollId]);
    expect(found.every((r) => r.originSystem === 'CustomDataProvidedResource')).toBe(true);
    const ledger = await env.graph.getResource(SEED.catalogId, SEED.ledgerId);
    expect(ledger.displayName).toBe('Ledger (custom data)');
  });

  it('reads a review instance (status and start) and lists instances with a filter', async () => {
    const instance = await env.graph.getReviewInstance(SEED.quarterlyDefinitionId, SEED.quarterlyInitializingInstanceId);
    expect(instance.status).toBe('Initializing');
    expect(Number.isNaN(Date.parse(instance.startDateTime ?? ''))).toBe(false);
    const initializing = await env.graph.listReviewInstances(SEED.quarterlyDefinitionId, eq('status', 'Initializing'));
    expect(initializing.map((i) => i.id)).toEqual([SEED.quarterlyInitializingInstanceId]);
  });

  it('resolves users by UPN (a quote in it too) or id through $batch, unknown ones to null, beyond one batch of 20', async () => {
    const unknown = Array.from({ length: 22 }, (_, i) => `nobody-${i}@contoso.onmicrosoft.com`);
    const result = await env.graph.resolveUsers(['adele.vance@contoso.onmicrosoft.com', "sean.o'brien@contoso.onmicrosoft.com", SEED.adeleId, ...unknown]);
    expect(result.get('adele.vance@contoso.onmicrosoft.com')).toBe(SEED.adeleId);
    expect(result.get("sean.o'brien@contoso.onmicrosoft.com")).toBe(SEED.seanId);
    expect(result.get(SEED.adeleId)).toBe(SEED.adeleId);
    expect(unknown.every((k) => result.get(k) === null)).toBe(true);
    const batches = (await env.emulator.admin.requests()).filter((r) => r.path.endsWith('/$batch'));
    expect(batches).toHaveLength(2);
  });
});

describe('credentials', () => {
  it('authenticates with a client certificate as well as with a secret', async () => {
    const app = env.emulator.apps.find((a) => a.clientId === SEED.writerClientId);
    expect(app?.certificatePath).toBeDefined();
    const settings = loadGraphSettings({ ...settingsEnv(), AZURE_CLIENT_SECRET: '', AZURE_CLIENT_CERTIFICATE_PATH: app!.certificatePath });
    expect(settings.auth).toBe('client-certificate');
    const client = new GraphClient({ credential: createCredential(settings), dispatcher: env.dispatcher, settings });
    expect((await client.getResource(SEED.catalogId, SEED.ledgerId)).id).toBe(SEED.ledgerId);
  });
});

describe('upload sessions', () => {
  it('creates, lists by referenceId, uploads, gets with nested $expand, completes and deletes', async () => {
    const instanceId = await newInstance();
    const created = await create(instanceId);
    expect(created).toMatchObject({ status: 'active', isUploadDone: false, referenceId: instanceId, stats: { filesUploaded: 0, totalBytesUploaded: 0 } });

    const listed = await env.graph.listUploadSessions(SEED.catalogId, SEED.ledgerId, { filter: eq('referenceId', instanceId) });
    expect(listed.map((s) => s.id)).toEqual([created.id]);

    const a = await env.stage('a.csv', csv(3));
    const b = await env.stage('b.csv', csv(5));
    const progress: number[] = [];
    await env.graph.uploadFile(SEED.catalogId, SEED.ledgerId, created.id, { ...a, onProgress: (n) => progress.push(n) });
    const afterB = await env.graph.uploadFile(SEED.catalogId, SEED.ledgerId, created.id, b);
    expect(progress.at(-1)).toBe(a.size);
    expect(afterB.stats).toEqual({ filesUploaded: 2, totalBytesUploaded: a.size + b.size });

    const onlyB = await env.graph.getUploadSession(SEED.catalogId, SEED.ledgerId, created.id, { expandFiles: { filter: eq('name', 'b.csv') } });
    expect(onlyB.files?.map((f) => [f.name, f.size])).toEqual([['b.csv', b.size]]);
    const sorted = await env.graph.getUploadSession(SEED.catalogId, SEED.ledgerId, created.id, { expandFiles: { orderBy: orderBy('name', 'desc') } });
    expect(sorted.files?.map((f) => f.name)).toEqual(['b.csv', 'a.csv']);
    const plain = await env.graph.getUploadSession(SEED.catalogId, SEED.ledgerId, created.id);
    expect(plain.files).toBeUndefined();

    const done = await env.graph.completeUploadSession(SEED.catalogId, SEED.ledgerId, created.id);
    expect(done).toMatchObject({ status: 'complete', isUploadDone: true });
    const stored = await env.emulator.admin.session(created.id);
    expect(stored.files.map((f) => [f.name, f.size])).toEqual([
      ['a.csv', a.size],
      ['b.csv', b.size],
    ]);

    const other = await create(await newInstance());
    await env.graph.deleteUploadSession(SEED.catalogId, SEED.ledgerId, other.id);
    const gone = await failureOf(env.graph.getUploadSession(SEED.catalogId, SEED.ledgerId, other.id));
    expect(gone.type).toBe(GraphFailureType.notFound);
  });

  it('follows @odata.nextLink across several pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(await newInstance())).id);
    await env.emulator.admin.clearRequests();
    const all = await env.graph.listUploadSessions(SEED.catalogId, SEED.ledgerId, { orderBy: orderBy('createdDateTime'), pageSize: 2 });
    expect(all.map((s) => s.id)).toEqual(ids);
    const pages = (await env.emulator.admin.requests()).filter((r) => r.method === 'GET' && r.path.endsWith('/uploadSessions'));
    expect(pages).toHaveLength(3);
    expect(pages.slice(1).every((p) => p.query.includes('skiptoken'))).toBe(true);
  });

  it("quotes values in filters: an instance id and a file name with quotes, +, ; and parentheses", async () => {
    const instanceId = await newInstance("it's-a-review; (x+y)");
    const session = await create(instanceId);
    await create(await newInstance());
    const found = await env.graph.listUploadSessions(SEED.catalogId, SEED.ledgerId, { filter: eq('referenceId', instanceId) });
    expect(found.map((s) => s.id)).toEqual([session.id]);
    const active = await env.graph.listUploadSessions(SEED.catalogId, SEED.ledgerId, { filter: eq('status', odataEnum('active')) });
    expect(active).toHaveLength(2);

    const tricky = await env.stage("O'Brien's access; (1) + more.csv", csv(1));
    const plain = await env.stage('plain.csv', csv(2));
    await env.graph.uploadFile(SEED.catalogId, SEED.ledgerId, session.id, tricky);
    await env.graph.uploadFile(SEED.catalogId, SEED.ledgerId, session.id, plain);
    const got = await env.graph.getUploadSession(SEED.catalogId, SEED.ledgerId, session.id, { expandFiles: { filter: eq('name', tricky.name) } });
    expect(got.files?.map((f) => f.name)).toEqual([tricky.name]);
  });

  it('works on the beta paths as well', async () => {
    const beta = env.clientFor({ apiVersion: 'beta' });
    const instanceId = await newInstance();
    const session = await create(instanceId, SEED.ledgerId, beta);
    const file = await env.stage('beta.csv', csv(2));
    await beta.uploadFile(SEED.catalogId, SEED.ledgerId, session.id, file);
    const listed = await beta.listUploadSessions(SEED.catalogId, SEED.ledgerId, { filter: eq('referenceId', instanceId), expand: { property: 'files' } });
    expect(listed[0]?.files?.map((f) => f.name)).toEqual(['beta.csv']);
    expect((await beta.findCustomDataResources(SEED.catalogId)).length).toBe(2);
    await beta.deleteUploadSession(SEED.catalogId, SEED.ledgerId, session.id);
    const paths = (await env.emulator.admin.requests()).filter((r) => r.clientId === SEED.writerClientId).map((r) => r.path);
    expect(paths.filter((p) => p.includes('uploadSessions')).every((p) => p.startsWith('/beta/identityGovernance/catalogs/'))).toBe(true);
  });
});

describe('errors a person can act on', () => {
  it('403 names EntitlementManagement.ReadWrite.All and the Catalog owner role, with request ids in the details', async () => {
    const reader = env.clientFor({ clientId: SEED.readerClientId });
    const failure = await failureOf(create(await newInstance(), SEED.ledgerId, reader));
    expect(failure.type).toBe(GraphFailureType.forbidden);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/EntitlementManagement\.ReadWrite\.All[\s\S]*Catalog owner/);
    const details = failure.details?.[0] as GraphFailureDetails;
    expect(details).toMatchObject({ status: 403, method: 'POST' });
    expect(details.requestId).toMatch(/\S/);
    const logged = (await env.emulator.admin.requests()).find((r) => r.status === 403);
    expect(logged?.clientRequestId).toBe(details.clientRequestId);
    expect(logged?.requestId).toBe(details.requestId);
  });

  it('409 explains the one-session-per-review-instance rule', async () => {
    const instanceId = await newInstance();
    await create(instanceId);
    const failure = await failureOf(create(instanceId));
    expect(failure.type).toBe(GraphFailureType.conflict);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('only one upload session per review instance');
  });

  it('a 401 for an expired token is retried once with a fresh token from the credential', async () => {
    await env.graph.getResource(SEED.catalogId, SEED.ledgerId); // the credential now caches a token
    // Emulator time moves past the token's expiry; MSAL's clock does not, so it would hand out the cached token.
    await env.emulator.admin.advanceClock(2 * 3600);
    await env.emulator.admin.clearRequests();
    const ledger = await env.graph.getResource(SEED.catalogId, SEED.ledgerId);
    expect(ledger.id).toBe(SEED.ledgerId);
    const log = await env.emulator.admin.requests();
    const graphCalls = log.filter((r) => r.path.includes('/resources/'));
    expect(graphCalls.map((r) => r.status)).toEqual([401, 200]);
    expect(graphCalls[0]?.clientRequestId).not.toBe(graphCalls[1]?.clientRequestId);
    expect(log.filter((r) => r.path.endsWith('/oauth2/v2.0/token'))).toHaveLength(1);
  });

  it('a token Graph keeps refusing ends as non-retryable GraphUnauthorized after one retry, without the token in the message', async () => {
    // Any TokenCredential works; this one only ever has a token minted for another audience.
    const badToken = await env.emulator.admin.mintToken({ clientId: SEED.writerClientId, audience: 'https://example.invalid' });
    const credential: TokenCredential = { getToken: () => Promise.resolve({ token: badToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const client = new GraphClient({ credential, dispatcher: env.dispatcher, settings: env.settings });
    await env.emulator.admin.clearRequests();
    const failure = await failureOf(client.getResource(SEED.catalogId, SEED.ledgerId));
    expect(failure.type).toBe(GraphFailureType.unauthorized);
    expect(failure.nonRetryable).toBe(true);
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toContain(badToken);
    expect((await env.emulator.admin.requests()).filter((r) => r.path.startsWith('/v1.0/')).map((r) => r.status)).toEqual([401, 401]);
  });

  it('a rejected client secret is non-retryable GraphCredentialError that does not echo the secret', async () => {
    const wrongSecret = 'definitely-wrong-secret-4711';
    const settings = loadGraphSettings({ ...settingsEnv(), AZURE_CLIENT_SECRET: wrongSecret });
    const client = new GraphClient({ credential: createCredential(settings), dispatcher: env.dispatcher, settings });
    const failure = await failureOf(client.getResource(SEED.catalogId, SEED.ledgerId));
    expect(failure.type).toBe(GraphFailureType.credential);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('AZURE_');
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toContain(wrongSecret);
  });

  it('an identity endpoint outage (503) is a retryable GraphNetworkError', async () => {
    await env.emulator.admin.setFaults({ rules: [{ kind: 'tokenOutage', status: 503 }] });
    const settings = loadGraphSettings(settingsEnv());
    const client = new GraphClient({ credential: createCredential(settings), dispatcher: env.dispatcher, settings });
    const failure = await failureOf(client.getResource(SEED.catalogId, SEED.ledgerId));
    expect(failure.type).toBe(GraphFailureType.network);
    expect(failure.nonRetryable).toBe(false);
  });
});

/** The writer app's environment, for a second, independent credential. */
function settingsEnv(): NodeJS.ProcessEnv {
  return {
    GRAPH_BASE_URL: env.emulator.graphBaseUrl,
    AZURE_AUTHORITY_HOST: env.emulator.authorityHost,
    AZURE_TENANT_ID: env.emulator.tenantId,
    AZURE_CLIENT_ID: SEED.writerClientId,
    AZURE_CLIENT_SECRET: env.settings.clientSecret,
  };
}
