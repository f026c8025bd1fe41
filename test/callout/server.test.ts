import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import type { CalloutServer } from '../../callout/server';
import { createCalloutServer } from '../../callout/server';
import type { CalloutTokenVerifier } from '../../callout/token-verifier';
import { calloutBody, capturingLogger, postCallout } from './helpers';

/** The receiver's HTTP edges, without a Temporal server: routing, probes, and an unreachable Temporal. */

const ids = {
  catalogId: 'c0ffee00-0000-4000-8000-00000000ca01',
  resourceId: 'd00d0000-0000-4000-8000-00000000b001',
  reviewDefinitionId: 'e1e1e1e1-0000-4000-8000-0000000000d1',
  reviewInstanceId: 'f2f2f2f2-0000-4000-8000-0000000000e9',
};

/** Accepts every token: these tests are about what happens after the token check. */
const acceptingVerifier: CalloutTokenVerifier = {
  verify: async () => ({ appId: 'test-caller', issuer: 'test', subject: undefined }),
  warmUp: async () => undefined,
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('callout receiver HTTP edges', () => {
  let receiver: CalloutServer;
  let url: string;
  let connection: Connection;
  const log = capturingLogger();

  beforeAll(async () => {
    // Nothing listens there: every Temporal call fails (after the receiver's deadline at the latest).
    connection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
    receiver = createCalloutServer({
      client: new Client({ connection }),
      targets: [{ name: 'ledger', catalogId: ids.catalogId, resourceId: ids.resourceId, reviewDefinitionIds: [ids.reviewDefinitionId], source: { kind: 'prepare', mappingPath: '/m.yaml' } }],
      verifier: acceptingVerifier,
      logger: log.logger,
      taskQueue: 'unused',
      path: '/hooks/entra',
      startTimeoutMs: 1500,
    });
    url = await receiver.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await receiver.close();
    await connection.close();
  });

  it('answers 503 with Retry-After when Temporal cannot be reached, instead of hanging', async () => {
    const answer = await postCallout(url, calloutBody(ids), { token: 'accepted-by-the-stub' });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.json.error?.code).toBe('startFailed');
    expect(log.lines.some((l) => l.includes('"outcome":"startFailed"') && l.includes(ids.reviewInstanceId))).toBe(true);
  });

  it('serves only its configured path, POST only, and a health probe', async () => {
    const base = url.replace('/hooks/entra', '');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/entra$/);
    expect((await postCallout(`${base}/callouts/access-review`, calloutBody(ids), { token: 't' })).status).toBe(404);
    const get = await request(url);
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    await get.body.dump();
    const health = await request(`${base}/healthz`);
    expect({ status: health.statusCode, body: await health.body.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  });
});
