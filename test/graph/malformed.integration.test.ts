/**
 * Answers Graph should never give. The emulator answers correctly, so a small local server of ours stands in for a
 * misbehaving Graph; the token still comes from the emulator's Entra through the real credential.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphFailureType } from '../../contracts/graph-failures';
import { GraphClient } from '../../activities/graph/client';
import { loadGraphSettings } from '../../activities/graph/settings';
import { SEED, startGraphTestEnv } from './helpers/graph-env';
import type { GraphTestEnv } from './helpers/graph-env';
import { failureOf } from './helpers/failure-of';

let env: GraphTestEnv;
let server: Server;
let graph: GraphClient;
const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
const answers = new Map<string, { status: number; body: string }>();

beforeAll(async () => {
  env = await startGraphTestEnv();
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const answer = [...answers.entries()].find(([suffix]) => (req.url ?? '').split('?')[0]!.endsWith(suffix))?.[1] ?? { status: 404, body: '{}' };
    res.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': 'local-rid' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const settings = loadGraphSettings({
    GRAPH_BASE_URL: `http://127.0.0.1:${port}`,
    AZURE_AUTHORITY_HOST: env.emulator.authorityHost,
    AZURE_TENANT_ID: env.emulator.tenantId,
    AZURE_CLIENT_ID: SEED.writerClientId,
    AZURE_CLIENT_SECRET: env.settings.clientSecret,
  });
  graph = new GraphClient({ credential: env.credential, dispatcher: env.dispatcher, settings });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await env?.close();
});

const sessionPath = '/uploadSessions/s1';
const goodSession = { id: 's1', status: 'active', isUploadDone: false, createdDateTime: '2026-04-01T18:24:07.1484060Z', stats: { filesUploaded: 0, totalBytesUploaded: 0 } };


it('reads a well-formed answer through the same path (the stand-in itself is sound)', async () => {
  answers.set(sessionPath, { status: 200, body: JSON.stringify(goodSession) });
  const session = await graph.getUploadSession(SEED.catalogId, SEED.ledgerId, 's1');
  expect(session.status).toBe('active');
  expect(seen.at(-1)?.headers.authorization).toMatch(/^Bearer \S+/);
});

it('a body that misses or mistypes fields is GraphMalformedResponse naming each field, not retried', async () => {
  answers.set(sessionPath, { status: 200, body: JSON.stringify({ ...goodSession, isUploadDone: 'no', stats: { filesUploaded: 1 } }) });
  const failure = await failureOf(graph.getUploadSession(SEED.catalogId, SEED.ledgerId, 's1'));
  expect(failure.type).toBe(GraphFailureType.malformedResponse);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain('isUploadDone: ');
  expect(failure.message).toContain('stats.totalBytesUploaded: ');
  expect(failure.message).toContain('request-id local-rid');
});

it('a 2xx body that is not JSON is GraphMalformedResponse', async () => {
  answers.set(sessionPath, { status: 200, body: '<html>gateway says hello</html>' });
  const failure = await failureOf(graph.getUploadSession(SEED.catalogId, SEED.ledgerId, 's1'));
  expect(failure.type).toBe(GraphFailureType.malformedResponse);
  expect(failure.message).toContain('not JSON');
});

it('an @odata.nextLink to another host is refused: the token is never sent there', async () => {
  answers.set('/uploadSessions', { status: 200, body: JSON.stringify({ value: [goodSession], '@odata.nextLink': 'https://attacker.example/v1.0/steal?$skiptoken=x' }) });
  const before = seen.length;
  const failure = await failureOf(graph.listUploadSessions(SEED.catalogId, SEED.ledgerId));
  expect(failure.type).toBe(GraphFailureType.malformedResponse);
  expect(failure.message).toContain('refusing to send a Graph token to https://attacker.example');
  expect(seen.length).toBe(before + 1);
});
