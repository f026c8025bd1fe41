/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import type { TestEmulator } from './helpers';
import { CONTEXT_TYPE, CSV_HEADER_6, SESSION_TYPE, createBody, ids, startTestEmulator } from './helpers';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.stop();
});

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const csv = `${CSV_HEADER_6}\n${ids.adele},EntraIdUser,p1,Read,Read access,Role\n`;

describe('upload session lifecycle (v1.0)', () => {
  it('creates, uploads, completes and reads a session with the documented shapes', async () => {
    const instance = await t.freshInstance();
    const created = await t.createSession(instance);
    expect(created.status).toBe(201);
    const base = t.sessionsPath();
    const contextBase = `${t.emulator.baseUrl}/v1.0/$metadata#identityGovernance/entitlementManagement/catalogs('${ids.catalog}')/resources('${ids.ledger}')/uploadSessions`;
    expect(created.json).toEqual({
      '@odata.context': `${contextBase}/$entity`,
      '@odata.type': SESSION_TYPE,
      id: expect.any(String),
      referenceId: instance,
      status: 'active',
      isUploadDone: false,
      createdDateTime: expect.stringMatching(TIMESTAMP),
      stats: { filesUploaded: 0, totalBytesUploaded: 0 },
      data: { '@odata.type': CONTEXT_TYPE, reviewDefinitionId: ids.ledgerReview, reviewInstanceId: instance },
      files: [],
    });
    expect(Object.keys(created.json)).toEqual(['@odata.context', '@odata.type', 'id', 'referenceId', 'status', 'isUploadDone', 'createdDateTime', 'stats', 'data', 'files']);
    const sessionPath = `${base}/${created.json.id}`;

    const uploaded = await t.upload(sessionPath, 'ledger-a.csv', csv);
    expect(uploaded.status).toBe(200);
    expect(uploaded.json['@odata.context']).toBe(`${t.emulator.baseUrl}/v1.0/$metadata#microsoft.graph.customDataProvidedResourceAccessReviewUploadSession`);
    expect(uploaded.json.stats).toEqual({ filesUploaded: 1, totalBytesUploaded: Buffer.byteLength(csv) });
    expect(uploaded.json.files).toEqual([{ id: expect.any(String), name: 'ledger-a.csv', size: Buffer.byteLength(csv), uploadedDateTime: expect.stringMatching(TIMESTAMP) }]);

    const got = await t.send('GET', sessionPath);
    expect(got.status).toBe(200);
    expect(got.json['@odata.context']).toBe(`${contextBase}/$entity`);
    expect(got.json.files).toBeUndefined();
    expect(got.json.stats.filesUploaded).toBe(1);

    const expanded = await t.send('GET', `${sessionPath}?$expand=files`);
    expect(expanded.json['@odata.context']).toBe(`${contextBase}(files())/$entity`);
    expect(expanded.json.files).toHaveLength(1);

    const patched = await t.send('PATCH', sessionPath, { body: '{"isUploadDone": true}', contentType: 'application/json' });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ status: 'complete', isUploadDone: true, stats: { filesUploaded: 1 } });
    expect(patched.json.files).toHaveLength(1);

    const listed = await t.send('GET', `${base}?$filter=referenceId eq '${instance}'`);
    expect(listed.status).toBe(200);
    expect(listed.json['@odata.context']).toBe(contextBase);
    expect(listed.json.value).toHaveLength(1);
    expect(listed.json.value[0]).toMatchObject({ id: created.json.id, status: 'complete' });
    expect(listed.json.value[0].files).toBeUndefined();
  });

  it('deletes an active session (204, empty body) and then lets a new one be created', async () => {
    const instance = await t.freshInstance();
    const created = await t.createSession(instance);
    const deleted = await t.send('DELETE', `${t.sessionsPath()}/${created.json.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await t.send('GET', `${t.sessionsPath()}/${created.json.id}`)).status).toBe(404);
    expect((await t.createSession(instance)).status).toBe(201);
  });

  it('serves the same operations at the beta path and the short v1.0 path', async () => {
    const instance = await t.freshInstance();
    const beta = await t.createSession(instance, { version: 'beta' });
    expect(beta.status).toBe(201);
    expect(beta.json['@odata.context']).toBe(
      `${t.emulator.baseUrl}/beta/$metadata#identityGovernance/catalogs('${ids.catalog}')/accessPackageResources('${ids.ledger}')/uploadSessions/$entity`,
    );
    expect(beta.json['@odata.type']).toBe(SESSION_TYPE);
    const viaShort = await t.send('GET', `${t.sessionsPath('short')}/${beta.json.id}`);
    expect(viaShort.status).toBe(200);
    expect(viaShort.json['@odata.context']).toContain(`/v1.0/$metadata#identityGovernance/catalogs('${ids.catalog}')/resources('${ids.ledger}')`);
    const upload = await t.upload(`${t.sessionsPath('beta')}/${beta.json.id}`, 'beta.csv', csv);
    expect(upload.status).toBe(200);
    expect((await t.send('DELETE', `${t.sessionsPath('beta')}/${beta.json.id}`)).status).toBe(204);
  });
});

describe('the rules Entra enforces', () => {
  it('allows one active session per instance and resource (409 names the rule)', async () => {
    const instance = await t.freshInstance();
    const first = await t.createSession(instance);
    const second = await t.createSession(instance);
    expect(second.status).toBe(409);
    expect(second.json.error.message).toContain('One upload session per review instance and resource');
    expect(second.json.error.message).toContain(first.json.id);
  });

  it('refuses a new session after a completed one (409 names the rule)', async () => {
    const instance = await t.freshInstance(ids.annualReview);
    const created = await t.createSession(instance, { definitionId: ids.annualReview });
    await t.send('PATCH', `${t.sessionsPath()}/${created.json.id}`, { body: '{"isUploadDone":true}', contentType: 'application/json' });
    const again = await t.createSession(instance, { definitionId: ids.annualReview });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain('No new upload session after a completed one');
    // The other resource of the same review still accepts its own session.
    expect((await t.createSession(instance, { definitionId: ids.annualReview, resourceId: ids.payroll })).status).toBe(201);
  });

  it('accepts uploads, PATCH and DELETE only on an active session', async () => {
    const instance = await t.freshInstance();
    const created = await t.createSession(instance);
    const sessionPath = `${t.sessionsPath()}/${created.json.id}`;
    await t.send('PATCH', sessionPath, { body: '{"isUploadDone":true}', contentType: 'application/json' });
    const upload = await t.upload(sessionPath, 'late.csv', csv);
    expect(upload.status).toBe(409);
    expect(upload.json.error.message).toContain('is complete');
    expect((await t.send('PATCH', sessionPath, { body: '{"isUploadDone":true}', contentType: 'application/json' })).status).toBe(409);
    const del = await t.send('DELETE', sessionPath);
    expect(del.status).toBe(409);
    expect(del.json.error.message).toContain('only an active session can be deleted');
  });

  it('refuses a PATCH that sets anything but isUploadDone: true, and leaves the session as it was', async () => {
    const instance = await t.freshInstance();
    const created = await t.createSession(instance);
    const sessionPath = `${t.sessionsPath()}/${created.json.id}`;
    for (const body of ['{"isUploadDone": false}', '{"isUploadDone": true, "status": "complete"}', '{"status":"complete"}', '{}']) {
      const res = await t.send('PATCH', sessionPath, { body, contentType: 'application/json' });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('BadRequest');
      expect(res.json.error.message).toContain('The only allowed update is {"isUploadDone": true}');
    }
    expect((await t.send('GET', sessionPath)).json.status).toBe('active');
  });

  it('validates the create body and the review it names', async () => {
    const instance = await t.freshInstance();
    const post = (body: string, contentType = 'application/json'): ReturnType<TestEmulator['send']> => t.send('POST', t.sessionsPath(), { body, contentType });
    const legacy = await post(JSON.stringify({ source: 'HR', type: '#microsoft.graph.accessReviewDataUploadTriggerCallbackData', data: { accessReviewId: ids.ledgerReview, accessReviewInstanceId: instance } }));
    expect(legacy.status).toBe(400);
    expect(legacy.json.error.message).toContain('legacy beta body');
    expect(legacy.json.error.message).toContain('reviewInstanceId');
    const withReference = await post(JSON.stringify({ ...JSON.parse(createBody(ids.ledgerReview, instance)), referenceId: instance }));
    expect(withReference.status).toBe(400);
    expect(withReference.json.error.message).toContain('referenceId');
    const noType = await post(JSON.stringify({ data: JSON.parse(createBody(ids.ledgerReview, instance)).data }));
    expect(noType.status).toBe(400);
    expect(noType.json.error.message).toContain('@odata.type');
    expect((await post('{"@odata.type": ')).status).toBe(400);
    expect((await post(createBody(ids.ledgerReview, instance), 'text/plain')).status).toBe(415);
    const unknownInstance = await post(createBody(ids.ledgerReview, '00000000-0000-4000-8000-000000000000'));
    expect(unknownInstance.status).toBe(400);
    expect(unknownInstance.json.error.message).toContain('data.reviewInstanceId');
    const otherResource = await t.createSession(instance, { resourceId: ids.payroll });
    expect(otherResource.status).toBe(400);
    expect(otherResource.json.error.message).toContain('does not review resource');
    const notCustom = await t.createSession(instance, { resourceId: ids.group });
    expect(notCustom.status).toBe(400);
    const completed = await t.createSession(ids.completedInstance);
    expect(completed.status).toBe(409);
    expect(completed.json.error.message).toContain('Initializing');
    // None of that created anything.
    expect((await t.send('GET', `${t.sessionsPath()}?$filter=referenceId eq '${instance}'`)).json.value).toEqual([]);
  });
});

describe('Graph conventions', () => {
  it('answers unknown ids with 404 and Graph error bodies with request ids', async () => {
    const res = await t.send('GET', `${t.sessionsPath()}/no-such-session`, { headers: { 'client-request-id': 'my-client-id-1' } });
    expect(res.status).toBe(404);
    expect(res.headers['client-request-id']).toBe('my-client-id-1');
    expect(res.headers['request-id']).toEqual(expect.any(String));
    expect(res.headers.date).toEqual(expect.any(String));
    expect(res.json.error).toEqual({
      code: expect.any(String),
      message: expect.stringContaining('no-such-session'),
      innerError: { date: expect.any(String), 'request-id': res.headers['request-id'], 'client-request-id': 'my-client-id-1' },
    });
    expect((await t.send('GET', `/v1.0/identityGovernance/entitlementManagement/catalogs/nope/resources/${ids.ledger}/uploadSessions`)).status).toBe(404);
    expect((await t.send('GET', '/v1.0/nothingHere')).status).toBe(404);
  });

  it('echoes request-id as client-request-id when the client sends none', async () => {
    const res = await t.send('GET', t.sessionsPath());
    expect(res.headers['client-request-id']).toBe(res.headers['request-id']);
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await t.send('PUT', t.sessionsPath(), { body: '{}', contentType: 'application/json' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('POST');
    expect(res.json.error.code).toBe('MethodNotAllowed');
  });

  it('rejects the legacy beta path with a 400 that names the current one', async () => {
    const res = await t.send('POST', `/beta/identityGovernance/entitlementManagement/accessPackageCatalogs/${ids.catalog}/accessPackageResources/${ids.ledger}/uploadSessions`, {
      body: '{}',
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('/identityGovernance/catalogs/{c}/accessPackageResources/{r}/uploadSessions');
  });
});
