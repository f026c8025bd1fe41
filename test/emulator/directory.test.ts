/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import type { TestEmulator } from './helpers';
import { ids, startTestEmulator } from './helpers';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.stop();
});

const EM = '/v1.0/identityGovernance/entitlementManagement';

describe('catalogs and custom data provided resources', () => {
  it('finds the custom data provided resources of a catalog with the documented filter', async () => {
    const res = await t.send('GET', `${EM}/catalogs/${ids.catalog}/resources?$filter=${encodeURIComponent("originSystem eq 'CustomDataProvidedResource'")}`);
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe(`${t.emulator.baseUrl}/v1.0/$metadata#identityGovernance/entitlementManagement/catalogs('${ids.catalog}')/resources`);
    expect(res.json.value.map((r: { id: string }) => r.id)).toEqual([ids.ledger, ids.payroll]);
    expect(res.json.value[0]).toMatchObject({ '@odata.type': '#microsoft.graph.customDataProvidedResource', originSystem: 'CustomDataProvidedResource', originId: expect.any(String), displayName: 'Ledger (custom data)' });
  });

  it('lists and gets catalogs and resources; unknown ids are 404', async () => {
    const catalogs = await t.send('GET', `${EM}/catalogs`);
    expect(catalogs.json.value.map((c: { id: string }) => c.id)).toEqual([ids.catalog]);
    expect((await t.send('GET', `${EM}/catalogs/${ids.catalog}`)).json).toMatchObject({ id: ids.catalog, displayName: 'Finance applications' });
    expect((await t.send('GET', `${EM}/catalogs('${ids.catalog}')/resources('${ids.group}')`)).json).toMatchObject({ id: ids.group, originSystem: 'AadGroup' });
    expect((await t.send('GET', `${EM}/catalogs/nope`)).status).toBe(404);
    expect((await t.send('GET', `${EM}/catalogs/${ids.catalog}/resources/nope`)).status).toBe(404);
    const beta = await t.send('GET', `/beta/identityGovernance/catalogs/${ids.catalog}/accessPackageResources`);
    expect(beta.status).toBe(200);
    expect(beta.json.value[0]).toHaveProperty('isPendingOnboarding', false);
  });
});

describe('access review definitions and instances', () => {
  const defs = '/v1.0/identityGovernance/accessReviews/definitions';

  it('reads a definition, its instances, and filters instances by status', async () => {
    const definition = await t.send('GET', `${defs}/${ids.ledgerReview}`);
    expect(definition.status).toBe(200);
    expect(definition.json).toMatchObject({ id: ids.ledgerReview, scope: { query: expect.stringContaining(ids.ledger) } });
    const fresh = await t.freshInstance();
    const initializing = await t.send('GET', `${defs}/${ids.ledgerReview}/instances?$filter=${encodeURIComponent("status eq 'Initializing'")}`);
    const initializingIds = initializing.json.value.map((i: { id: string }) => i.id);
    expect(initializingIds).toEqual(expect.arrayContaining([ids.seededInstance, fresh]));
    expect(initializingIds).not.toContain(ids.completedInstance);
    const one = await t.send('GET', `${defs}/${ids.ledgerReview}/instances/${fresh}`);
    expect(one.json).toMatchObject({ id: fresh, status: 'Initializing', startDateTime: expect.any(String), endDateTime: expect.any(String) });
    expect((await t.send('GET', `${defs}/${ids.annualReview}/instances/${fresh}`)).status).toBe(404);
  });

  it('follows the instance through the upload: Initializing, then InProgress once the data is complete', async () => {
    const instance = await t.freshInstance();
    const created = await t.createSession(instance);
    await t.upload(`${t.sessionsPath()}/${created.json.id}`, 'a.csv', 'principalId\n');
    expect((await t.send('GET', `${defs}/${ids.ledgerReview}/instances/${instance}`)).json.status).toBe('Initializing');
    await t.send('PATCH', `${t.sessionsPath()}/${created.json.id}`, { body: '{"isUploadDone":true}', contentType: 'application/json' });
    expect((await t.send('GET', `${defs}/${ids.ledgerReview}/instances/${instance}`)).json.status).toBe('InProgress');
  });

  it('a review of two resources waits for both uploads', async () => {
    const instance = await t.freshInstance(ids.annualReview);
    for (const resourceId of [ids.ledger, ids.payroll]) {
      const created = await t.createSession(instance, { definitionId: ids.annualReview, resourceId });
      await t.send('PATCH', `${t.sessionsPath('v1.0', resourceId)}/${created.json.id}`, { body: '{"isUploadDone":true}', contentType: 'application/json' });
      const status = (await t.emulator.admin.instance(instance)).status;
      expect(status).toBe(resourceId === ids.ledger ? 'Initializing' : 'InProgress');
    }
  });
});

describe('users', () => {
  it('gets a user by object id or by userPrincipalName', async () => {
    const byId = await t.send('GET', `/v1.0/users/${ids.adele}`);
    expect(byId.json).toMatchObject({ '@odata.context': `${t.emulator.baseUrl}/v1.0/$metadata#users/$entity`, id: ids.adele, userPrincipalName: 'adele.vance@contoso.onmicrosoft.com' });
    const byUpn = await t.send('GET', `/v1.0/users/${encodeURIComponent("sean.o'brien@contoso.onmicrosoft.com")}?$select=id,userPrincipalName`);
    expect(byUpn.json).toEqual({ '@odata.context': `${t.emulator.baseUrl}/v1.0/$metadata#users(id,userPrincipalName)/$entity`, id: ids.sean, userPrincipalName: "sean.o'brien@contoso.onmicrosoft.com" });
    const missing = await t.send('GET', '/v1.0/users/nobody@contoso.onmicrosoft.com');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('Request_ResourceNotFound');
  });

  it('filters users, with a quote inside a literal', async () => {
    const res = await t.send('GET', `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'sean.o''brien@contoso.onmicrosoft.com' or mail eq 'alex.wilber@contoso.com'")}&$select=id`);
    expect(res.json.value).toEqual([{ id: ids.alex }, { id: ids.sean }]);
    const disabled = await t.send('GET', '/v1.0/users?$filter=accountEnabled eq false&$select=displayName');
    expect(disabled.json.value).toEqual([{ displayName: 'Megan Bowen' }]);
    expect((await t.send('GET', '/v1.0/users?$select=password')).status).toBe(400);
  });
});

describe('$batch', () => {
  const batch = (body: unknown, contentType = 'application/json'): ReturnType<TestEmulator['send']> =>
    t.send('POST', '/v1.0/$batch', { body: typeof body === 'string' ? body : JSON.stringify(body), contentType });

  it('resolves principals in one request, with per-item status and body', async () => {
    const res = await batch({
      requests: [
        { id: '1', method: 'GET', url: `/users/${ids.adele}?$select=id,userPrincipalName` },
        { id: '2', method: 'GET', url: "users/sean.o'brien@contoso.onmicrosoft.com?$select=id" },
        { id: '3', method: 'GET', url: '/users/ghost@contoso.onmicrosoft.com' },
        { id: '4', method: 'POST', url: '/users' },
      ],
    });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.json.responses.map((r: { id: string }) => [r.id, r]));
    expect(byId['1']).toMatchObject({ status: 200, body: { id: ids.adele, userPrincipalName: 'adele.vance@contoso.onmicrosoft.com' } });
    expect(byId['2']).toMatchObject({ status: 200, body: { id: ids.sean } });
    expect(byId['3']).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(byId['4']).toMatchObject({ status: 400 });
  });

  it('applies the caller permissions to each item', async () => {
    const res = await t.send('POST', '/v1.0/$batch', {
      token: await t.token(ids.reader),
      body: JSON.stringify({ requests: [{ id: 'a', method: 'GET', url: `/users/${ids.adele}` }] }),
      contentType: 'application/json',
    });
    expect(res.json.responses[0].status).toBe(403);
  });

  it('refuses more than 20 requests, a bad body and a wrong content type', async () => {
    const tooMany = await batch({ requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${ids.adele}` })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toContain('limit of 20');
    expect((await batch({ requests: [{ id: '1', url: '/users' }] })).status).toBe(400);
    expect((await batch({ requests: [{ id: '1', method: 'GET', url: '/users' }, { id: '1', method: 'GET', url: '/users' }] })).status).toBe(400);
    expect((await batch('{not json')).status).toBe(400);
    expect((await batch({ requests: [] }, 'text/plain')).status).toBe(415);
  });
});
