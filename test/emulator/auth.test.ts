/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { request } from 'undici';
import type { TestEmulator } from './helpers';
import { createBody, ids, startTestEmulator } from './helpers';

let t: TestEmulator;
beforeAll(async () => {
  if (process.env.NODE_EXTRA_CA_CERTS === undefined) {
    throw new Error('Run the emulator tests with NODE_EXTRA_CA_CERTS=.data/emulator/tls/ca.pem (see docs/emulator.md).');
  }
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.stop();
});

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

async function tokenRequest(form: Record<string, string>, tenant: string = t.emulator.tenantId): ReturnType<TestEmulator['send']> {
  return t.send('POST', `/${tenant}/oauth2/v2.0/token`, { token: null, body: new URLSearchParams(form).toString(), contentType: 'application/x-www-form-urlencoded' });
}

describe('@azure/identity credentials get tokens unchanged', () => {
  it('ClientSecretCredential with authorityHost and disableInstanceDiscovery', async () => {
    const app = t.emulator.apps.find((a) => a.clientId === ids.writer)!;
    const credential = new ClientSecretCredential(t.emulator.tenantId, app.clientId, app.clientSecret!, { authorityHost: t.emulator.authorityHost, disableInstanceDiscovery: true });
    const token = await credential.getToken(GRAPH_SCOPE);
    const claims = decodeJwt(token.token);
    expect(claims).toMatchObject({ aud: 'https://graph.microsoft.com', iss: `${t.emulator.baseUrl}/${t.emulator.tenantId}/v2.0`, appid: app.clientId, azp: app.clientId, tid: t.emulator.tenantId, roles: app.roles });
    expect(claims.exp! - claims.iat!).toBe(3600);
    const jwks = await t.send('GET', `/${t.emulator.tenantId}/discovery/v2.0/keys`, { token: null });
    expect(jwks.json.keys.map((k: { kid: string }) => k.kid)).toContain(decodeProtectedHeader(token.token).kid);
    // The token works on Graph.
    const res = await t.send('GET', t.sessionsPath(), { token: token.token });
    expect(res.status).toBe(200);
  });

  it('ClientCertificateCredential with the generated certificate (PEM with key)', async () => {
    const app = t.emulator.apps.find((a) => a.certificatePath !== undefined)!;
    const credential = new ClientCertificateCredential(t.emulator.tenantId, app.clientId, { certificatePath: app.certificatePath! }, { authorityHost: t.emulator.authorityHost, disableInstanceDiscovery: true });
    const token = await credential.getToken(GRAPH_SCOPE);
    expect(decodeJwt(token.token)).toMatchObject({ appid: app.clientId, appidacr: '2', roles: app.roles });
  });

  it('a wrong secret fails with AADSTS7000215', async () => {
    const credential = new ClientSecretCredential(t.emulator.tenantId, ids.writer, 'wrong', { authorityHost: t.emulator.authorityHost, disableInstanceDiscovery: true });
    await expect(credential.getToken(GRAPH_SCOPE)).rejects.toThrow(/AADSTS7000215/);
  });
});

describe('Entra endpoints', () => {
  it('serves the OpenID discovery document MSAL needs, also by tenant domain', async () => {
    for (const tenant of [t.emulator.tenantId, 'contoso.onmicrosoft.com']) {
      const res = await t.send('GET', `/${tenant}/v2.0/.well-known/openid-configuration`, { token: null });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        issuer: `${t.emulator.baseUrl}/${t.emulator.tenantId}/v2.0`,
        token_endpoint: `${t.emulator.baseUrl}/${t.emulator.tenantId}/oauth2/v2.0/token`,
        jwks_uri: `${t.emulator.baseUrl}/${t.emulator.tenantId}/discovery/v2.0/keys`,
        authorization_endpoint: expect.any(String),
      });
    }
  });

  it.each([
    ['unknown tenant', { client_id: ids.writer, client_secret: 'emulator-writer-secret', scope: GRAPH_SCOPE, grant_type: 'client_credentials' }, 'not-a-tenant', 400, 'invalid_request', 90002],
    ['unknown app', { client_id: '99999999-9999-4999-8999-999999999999', client_secret: 'x', scope: GRAPH_SCOPE, grant_type: 'client_credentials' }, undefined, 400, 'unauthorized_client', 700016],
    ['wrong secret', { client_id: ids.reader, client_secret: 'nope', scope: GRAPH_SCOPE, grant_type: 'client_credentials' }, undefined, 401, 'invalid_client', 7000215],
    ['no credential', { client_id: ids.reader, scope: GRAPH_SCOPE, grant_type: 'client_credentials' }, undefined, 401, 'invalid_client', 7000218],
    ['scope without /.default', { client_id: ids.reader, client_secret: 'emulator-reader-secret', scope: 'User.Read', grant_type: 'client_credentials' }, undefined, 400, 'invalid_scope', 1002012],
    ['other resource', { client_id: ids.reader, client_secret: 'emulator-reader-secret', scope: 'https://vault.azure.net/.default', grant_type: 'client_credentials' }, undefined, 400, 'invalid_resource', 500011],
    ['other grant', { client_id: ids.reader, client_secret: 'emulator-reader-secret', scope: GRAPH_SCOPE, grant_type: 'password' }, undefined, 400, 'unsupported_grant_type', 70003],
  ])('token endpoint: %s', async (_name, form, tenant, status, error, code) => {
    const res = await tokenRequest(form, tenant);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({
      error,
      error_description: expect.stringContaining(`AADSTS${code}`),
      error_codes: [code],
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
      error_uri: expect.any(String),
    });
  });

  it('answers a secret grant with the documented token response', async () => {
    const res = await tokenRequest({ client_id: ids.reader, client_secret: 'emulator-reader-secret', scope: GRAPH_SCOPE, grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: expect.any(String) });
  });
});

describe('Graph checks the bearer token (401)', () => {
  const expect401 = async (authorization: string | undefined, message: RegExp): Promise<void> => {
    const res = await t.send('GET', t.sessionsPath(), { token: null, headers: authorization === undefined ? {} : { authorization } });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('InvalidAuthenticationToken');
    expect(res.json.error.message).toMatch(message);
    expect(res.headers['www-authenticate']).toBeDefined();
  };

  it('missing', () => expect401(undefined, /empty/));
  it('not a Bearer header', () => expect401('Basic abc', /Bearer/));
  it('malformed', () => expect401('Bearer not.a.jwt', /not well formed/));

  it('wrong audience', async () => {
    await expect401(`Bearer ${await t.emulator.admin.mintToken({ clientId: ids.writer, audience: 'api://someone-else' })}`, /audience/);
  });

  it('wrong issuer', async () => {
    await expect401(`Bearer ${await t.emulator.admin.mintToken({ clientId: ids.writer, issuer: 'https://login.example.com/x/v2.0' })}`, /issuer/);
  });

  it('bad signature', async () => {
    const token = await t.token();
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(token), roles: ['Directory.ReadWrite.All'] })).toString('base64url');
    await expect401(`Bearer ${header!}.${forgedPayload}.${signature!}`, /Signature/);
  });

  it('expired, with a short token lifetime', async () => {
    await t.emulator.admin.updateSettings({ tokenLifetimeSeconds: 60 });
    const res = await tokenRequest({ client_id: ids.writer, client_secret: 'emulator-writer-secret', scope: GRAPH_SCOPE, grant_type: 'client_credentials' });
    await t.emulator.admin.updateSettings({ tokenLifetimeSeconds: 3600 });
    expect(res.json.expires_in).toBe(60);
    const token = res.json.access_token as string;
    expect((await t.send('GET', t.sessionsPath(), { token })).status).toBe(200);
    await t.emulator.admin.advanceClock(61);
    try {
      await expect401(`Bearer ${token}`, /expired/);
    } finally {
      await t.emulator.admin.advanceClock(-61);
    }
  });

  it('is checked on every Graph request, including ones with bodies (no state change)', async () => {
    const instance = await t.freshInstance();
    const res = await t.send('POST', t.sessionsPath(), { token: null, body: createBody(ids.ledgerReview, instance), contentType: 'application/json' });
    expect(res.status).toBe(401);
    expect((await t.send('GET', `${t.sessionsPath()}?$filter=referenceId eq '${instance}'`)).json.value).toEqual([]);
  });
});

describe('permissions (403)', () => {
  it('a read-only app may read on v1.0 but not write, and the message names the permission', async () => {
    const reader = await t.token(ids.reader);
    expect((await t.send('GET', t.sessionsPath(), { token: reader })).status).toBe(200);
    const instance = await t.freshInstance();
    const write = await t.send('POST', t.sessionsPath(), { token: reader, body: createBody(ids.ledgerReview, instance), contentType: 'application/json' });
    expect(write.status).toBe(403);
    expect(write.json.error.code).toBe('Authorization_RequestDenied');
    expect(write.json.error.message).toContain('EntitlementManagement.ReadWrite.All');
    expect((await t.send('GET', `${t.sessionsPath()}?$filter=referenceId eq '${instance}'`)).json.value).toEqual([]);
  });

  it('a read-only app may not read under beta', async () => {
    const res = await t.send('GET', t.sessionsPath('beta'), { token: await t.token(ids.reader) });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toContain('EntitlementManagement.ReadWrite.All');
  });

  it('users and reviews need their own permissions', async () => {
    const reader = await t.token(ids.reader);
    const users = await t.send('GET', `/v1.0/users/${ids.adele}`, { token: reader });
    expect(users.status).toBe(403);
    expect(users.json.error.message).toContain('User.Read.All');
    const reviews = await t.send('GET', `/v1.0/identityGovernance/accessReviews/definitions/${ids.ledgerReview}`, { token: reader });
    expect(reviews.status).toBe(403);
    expect(reviews.json.error.message).toContain('AccessReview.Read.All');
  });
});

describe('trust', () => {
  it('plain undici trusts the emulator through NODE_EXTRA_CA_CERTS', async () => {
    const res = await request(`${t.emulator.baseUrl}/${t.emulator.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });
});
