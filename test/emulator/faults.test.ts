/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import { ClientSecretCredential } from '@azure/identity';
import { request } from 'undici';
import type { TestEmulator } from './helpers';
import { CSV_HEADER_6, ids, multipart, startTestEmulator } from './helpers';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterEach(async () => {
  await t.emulator.admin.clearFaults();
});
afterAll(async () => {
  await t.stop();
});

const list = (token?: string): ReturnType<TestEmulator['send']> => t.send('GET', t.sessionsPath(), token === undefined ? {} : { token });

describe('fault injection', () => {
  it('rate-limits per app with a token bucket: 429, Retry-After and the throttling body', async () => {
    await t.emulator.admin.addFault({ kind: 'rateLimit', capacity: 2, refillPerSecond: 0.1 });
    expect((await list()).status).toBe(200);
    expect((await list()).status).toBe(200);
    const throttled = await list();
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(throttled.json.error.code).toBe('TooManyRequests');
    expect(throttled.json.error.innerError.code).toBe('throttledRequest');
    // Another app has its own bucket.
    expect((await list(await t.token(ids.reader))).status).toBe(200);
  });

  it.each([429, 500, 502, 503, 504] as const)('fails exactly the next N requests with %i', async (status) => {
    await t.emulator.admin.addFault({ kind: 'fail', status, count: 2, ...(status === 503 ? { retryAfterSeconds: 7 } : {}) });
    const first = await list();
    const second = await list();
    const third = await list();
    expect([first.status, second.status, third.status]).toEqual([status, status, 200]);
    expect(first.json.error.innerError['request-id']).toBe(first.headers['request-id']);
    if (status === 503) expect(first.headers['retry-after']).toBe('7');
    const faults = await t.emulator.admin.faults();
    expect(faults.remaining).toEqual([0]);
  });

  it('a failure rate is deterministic from the seed', async () => {
    const run = async (): Promise<number[]> => {
      await t.emulator.admin.setFaults({ seed: 42, rules: [{ kind: 'fail', status: 500, probability: 0.5 }] });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await list()).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('scopes a fault by path regex and method', async () => {
    await t.emulator.admin.addFault({ kind: 'fail', status: 503, pathPattern: '/uploadSessions/[^/]+$', method: 'PATCH' });
    expect((await list()).status).toBe(200);
    const created = await t.createSession(await t.freshInstance());
    expect(created.status).toBe(201);
    const patched = await t.send('PATCH', `${t.sessionsPath()}/${created.json.id}`, { body: '{"isUploadDone":true}', contentType: 'application/json' });
    expect(patched.status).toBe(503);
    // A failed request changed nothing.
    expect((await t.emulator.admin.session(created.json.id)).status).toBe('active');
  });

  it('adds latency (recorded in the request log)', async () => {
    await t.emulator.admin.addFault({ kind: 'latency', delayMs: 30, count: 1, id: 'slow-start' });
    await t.emulator.admin.clearRequests();
    expect((await list()).status).toBe(200);
    const [entry] = await t.emulator.admin.requests();
    expect(entry).toMatchObject({ method: 'GET', status: 200, faults: ['slow-start'], clientId: ids.writer });
  });

  it('sends a slow response body that still arrives whole', async () => {
    await t.emulator.admin.addFault({ kind: 'slowBody', chunkBytes: 100, delayMs: 1, count: 1 });
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.json.value).toEqual(expect.any(Array));
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
  });

  it('resets the connection in the middle of an upload and leaves the session unchanged', async () => {
    const created = await t.createSession(await t.freshInstance());
    const sessionPath = `${t.sessionsPath()}/${created.json.id}`;
    await t.emulator.admin.addFault({ kind: 'resetUpload', afterBytes: 1024, count: 1 });
    const content = `${CSV_HEADER_6}\n${`${ids.adele},EntraIdUser,p1,Read,Read,Role\n`.repeat(2000)}`;
    const form = multipart([{ name: 'file', filename: 'big.csv', content }]);
    await expect(
      request(`${t.emulator.baseUrl}${sessionPath}/uploadFile`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await t.token()}`, 'content-type': form.contentType },
        body: form.body,
        dispatcher: t.dispatcher,
      }),
    ).rejects.toThrow();
    const session = await t.emulator.admin.session(created.json.id);
    expect(session.files).toEqual([]);
    expect(session.status).toBe('active');
    // The next attempt goes through.
    expect((await t.upload(sessionPath, 'big.csv', content)).status).toBe(200);
  });

  it('makes the token endpoint unavailable', async () => {
    await t.emulator.admin.addFault({ kind: 'tokenOutage', count: 1, retryAfterSeconds: 2 });
    const form = new URLSearchParams({ client_id: ids.reader, client_secret: 'emulator-reader-secret', scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' }).toString();
    const down = await t.send('POST', `/${t.emulator.tenantId}/oauth2/v2.0/token`, { token: null, body: form, contentType: 'application/x-www-form-urlencoded' });
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('2');
    expect(down.json).toMatchObject({ error: 'temporarily_unavailable', error_codes: [90033] });
    const up = await t.send('POST', `/${t.emulator.tenantId}/oauth2/v2.0/token`, { token: null, body: form, contentType: 'application/x-www-form-urlencoded' });
    expect(up.status).toBe(200);
    // Graph requests were never affected.
    expect((await list()).status).toBe(200);
  });

  it('an outage fails @azure/identity credentials while it lasts', async () => {
    await t.emulator.admin.addFault({ kind: 'tokenOutage' });
    const credential = new ClientSecretCredential(t.emulator.tenantId, ids.reader, 'emulator-reader-secret', { authorityHost: t.emulator.authorityHost, disableInstanceDiscovery: true, retryOptions: { maxRetries: 0 } });
    await expect(credential.getToken('https://graph.microsoft.com/.default')).rejects.toThrow();
  });

  it('refuses invalid fault settings with a message naming the field', async () => {
    await expect(t.emulator.admin.addFault({ kind: 'fail', status: 418 as 500 })).rejects.toThrow(/status/);
    await expect(t.emulator.admin.addFault({ kind: 'latency', delayMs: 1, pathPattern: '(' })).rejects.toThrow(/pathPattern/);
  });
});
