import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK, KeyLike } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { AuthorityUnavailableError, CalloutAuthError, createTokenVerifier } from '../../callout/token-verifier';

/**
 * The verifier against a small stand-in identity provider whose signing keys the test can rotate (the emulator has
 * one fixed key): discovery caching, JWKS refresh on an unknown kid, v1.0 tokens, clock tolerance, outages.
 */

const TENANT = '8f1c2a52-3b7e-4c1d-9a3e-5d2f6b7c8e90';
const AUDIENCE = 'api://receiver';
const CALLER = 'acce55ee-0000-4000-8000-00000000ca11';

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

interface FakeIdp {
  authorityHost: string;
  issuer: string;
  keys: SigningKey[];
  hits: { discovery: number; jwks: number };
  /** While true, every request answers 503. */
  down: boolean;
  close(): Promise<void>;
}

async function startFakeIdp(): Promise<FakeIdp> {
  const idp: FakeIdp = { authorityHost: '', issuer: '', keys: [], hits: { discovery: 0, jwks: 0 }, down: false, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    if (idp.down) return void res.writeHead(503).end();
    if (req.url === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      idp.hits.discovery += 1;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: idp.issuer, jwks_uri: `${idp.authorityHost}/${TENANT}/discovery/v2.0/keys` }));
    }
    if (req.url === `/${TENANT}/discovery/v2.0/keys`) {
      idp.hits.jwks += 1;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: idp.keys.map((k) => k.jwk) }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  idp.authorityHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp.issuer = `${idp.authorityHost}/${TENANT}/v2.0`;
  idp.close = () => new Promise((resolve) => server.close(() => resolve()));
  return idp;
}

function sign(key: SigningKey, claims: Record<string, unknown>, options: { issuer: string; audience?: string; exp?: number; nbf?: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(options.issuer)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + 300);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(key.privateKey);
}

const refusal = async (promise: Promise<unknown>): Promise<{ status: number; reason: string }> => {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CalloutAuthError)) throw new Error(`expected a CalloutAuthError, got ${String(error)}`);
  return { status: error.status, reason: error.reason };
};

describe('callout token verifier', () => {
  let idp: FakeIdp;
  beforeEach(async () => {
    idp = await startFakeIdp();
    idp.keys = [await newKey('key-1')];
  });
  afterEach(async () => idp.close());

  const verifierFor = (extra: Partial<Parameters<typeof createTokenVerifier>[0]> = {}): ReturnType<typeof createTokenVerifier> =>
    createTokenVerifier({ authorityHost: idp.authorityHost, tenantId: TENANT, audiences: [AUDIENCE, 'b7c5e3a1-client-id'], allowedAppIds: [CALLER.toUpperCase()], ...extra });

  it('discovers once, and fetches the keys again when a token names a new kid (key rollover)', async () => {
    const verifier = verifierFor({ jwksCooldownMs: 0 });
    const first = idp.keys[0]!;
    await expect(verifier.verify(`Bearer ${await sign(first, { azp: CALLER }, { issuer: idp.issuer })}`)).resolves.toMatchObject({ appId: CALLER });
    const rolled = await newKey('key-2');
    idp.keys = [first, rolled];
    await expect(verifier.verify(`bearer ${await sign(rolled, { azp: CALLER }, { issuer: idp.issuer })}`)).resolves.toMatchObject({ appId: CALLER });
    await expect(verifier.verify(`Bearer ${await sign(first, { azp: CALLER }, { issuer: idp.issuer })}`)).resolves.toBeDefined();
    expect(idp.hits).toEqual({ discovery: 1, jwks: 2 });
  });

  it('accepts v1.0 tokens (appid, sts.windows.net issuer) only when that issuer is configured', async () => {
    const v1Issuer = `https://sts.windows.net/${TENANT}/`;
    const token = await sign(idp.keys[0]!, { appid: CALLER, ver: '1.0' }, { issuer: v1Issuer, audience: 'b7c5e3a1-client-id' });
    expect(await refusal(verifierFor().verify(`Bearer ${token}`))).toEqual({ status: 401, reason: 'the token was issued by another issuer' });
    await expect(verifierFor({ extraIssuers: [v1Issuer] }).verify(`Bearer ${token}`)).resolves.toMatchObject({ appId: CALLER, issuer: v1Issuer });
  });

  it('allows a small clock skew, and refuses tokens outside it or without a calling app', async () => {
    const verifier = verifierFor({ clockToleranceSeconds: 60 });
    const now = Math.floor(Date.now() / 1000);
    const key = idp.keys[0]!;
    await expect(verifier.verify(`Bearer ${await sign(key, { azp: CALLER }, { issuer: idp.issuer, exp: now - 30 })}`)).resolves.toBeDefined();
    expect(await refusal(verifier.verify(`Bearer ${await sign(key, { azp: CALLER }, { issuer: idp.issuer, exp: now - 90 })}`))).toEqual({ status: 401, reason: 'the token has expired' });
    expect(await refusal(verifier.verify(`Bearer ${await sign(key, { azp: CALLER }, { issuer: idp.issuer, nbf: now + 600 })}`))).toEqual({ status: 401, reason: 'the token is not valid yet' });
    expect(await refusal(verifier.verify(`Bearer ${await sign(key, {}, { issuer: idp.issuer })}`))).toEqual({ status: 403, reason: 'the token names no calling app (azp/appid)' });
  });

  it('reports an unreachable identity provider as such (not as a bad token), and recovers when it is back', async () => {
    const verifier = verifierFor();
    const token = await sign(idp.keys[0]!, { azp: CALLER }, { issuer: idp.issuer });
    idp.down = true;
    await expect(verifier.verify(`Bearer ${token}`)).rejects.toBeInstanceOf(AuthorityUnavailableError);
    await expect(verifier.warmUp()).rejects.toThrow(/OpenID discovery at .* failed: answered 503/);
    idp.down = false;
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ appId: CALLER });
  });
});
