import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import type { JWK, JWTPayload } from 'jose';
import { SignJWT, calculateJwkThumbprint, decodeProtectedHeader, errors as joseErrors, exportJWK, jwtVerify } from 'jose';
import { graphError } from './errors';
import { ensureDir, publishExclusive, readIfExists } from './files';

/** Access tokens: RS256 JWTs signed by a key kept in tlsDir (so tokens survive an emulator restart on the same port). */

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
/** Graph's well-known application id; Entra also issues tokens with it as audience. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface TokenClaims extends JWTPayload {
  appid: string;
  azp: string;
  tid: string;
  roles?: string[];
}

export interface MintOptions {
  clientId: string;
  servicePrincipalId: string;
  roles: readonly string[];
  tenantId: string;
  issuer: string;
  nowMs: number;
  lifetimeSeconds: number;
  audience?: string;
  /** 1 = client secret, 2 = certificate (Entra's appidacr). */
  authMethod: '1' | '2';
}

export interface TokenService {
  kid: string;
  jwks(): { keys: JWK[] };
  mint(options: MintOptions): Promise<string>;
  /** Verifies a bearer token as Graph does; throws Graph's 401 with a reason. */
  verify(token: string, expected: { issuer: string; nowMs: number }): Promise<TokenClaims>;
}

async function loadSigningKey(tlsDir: string): Promise<KeyObject> {
  await ensureDir(tlsDir, 0o700);
  const file = path.join(tlsDir, 'token-signing-key.pem');
  let pem = await readIfExists(file);
  if (pem === undefined) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await publishExclusive(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    pem = await readIfExists(file);
    if (pem === undefined) throw new Error(`Could not create the token signing key ${file}.`);
  }
  return createPrivateKey(pem);
}

export async function createTokenService(tlsDir: string): Promise<TokenService> {
  const privateKey = await loadSigningKey(tlsDir);
  const publicKey = createPublicKey(privateKey);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwk: JWK = { kty: 'RSA', use: 'sig', kid, alg: 'RS256', n: publicJwk.n, e: publicJwk.e };

  return {
    kid,
    jwks: () => ({ keys: [jwk] }),
    async mint(o) {
      const nowSeconds = Math.floor(o.nowMs / 1000);
      return new SignJWT({
        aio: randomUUID(),
        appid: o.clientId,
        appidacr: o.authMethod,
        azp: o.clientId,
        azpacr: o.authMethod,
        idp: o.issuer,
        idtyp: 'app',
        oid: o.servicePrincipalId,
        roles: [...o.roles],
        sub: o.servicePrincipalId,
        tid: o.tenantId,
        uti: randomUUID().replace(/-/g, ''),
        ver: '2.0',
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuer(o.issuer)
        .setAudience(o.audience ?? GRAPH_AUDIENCE)
        .setIssuedAt(nowSeconds)
        .setNotBefore(nowSeconds - 300)
        .setExpirationTime(nowSeconds + o.lifetimeSeconds)
        .sign(privateKey);
    },
    async verify(token, expected) {
      let header;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw graphError.unauthorized('IDX14100: JWT is not well formed: the access token is not a JWS in compact serialization.');
      }
      if (header.alg !== 'RS256') throw graphError.unauthorized(`Invalid signing algorithm '${String(header.alg)}': expected RS256.`);
      if (header.kid !== kid) throw graphError.unauthorized('Signature validation failed: the token was not signed by a key of this tenant (unknown kid).');
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          algorithms: ['RS256'],
          currentDate: new Date(expected.nowMs),
          clockTolerance: 0,
        });
        const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
        if (!audiences.some((a) => a === GRAPH_AUDIENCE || a === `${GRAPH_AUDIENCE}/` || a === GRAPH_APP_ID)) {
          throw graphError.unauthorized(`Invalid audience '${audiences.join(', ')}': Microsoft Graph accepts tokens for ${GRAPH_AUDIENCE}.`);
        }
        if (payload.iss !== expected.issuer) {
          throw graphError.unauthorized(`Invalid issuer '${String(payload.iss)}': expected ${expected.issuer}.`);
        }
        if (typeof payload.appid !== 'string' || typeof payload.tid !== 'string') {
          throw graphError.unauthorized('The access token has no appid/tid claims: only app-only tokens from this emulator are accepted.');
        }
        return payload as TokenClaims;
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw graphError.unauthorized('Lifetime validation failed, the token is expired.');
        if (error instanceof joseErrors.JWTClaimValidationFailed) {
          throw graphError.unauthorized(`Token validation failed on claim '${error.claim}': ${error.reason}.`);
        }
        if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw graphError.unauthorized('Signature validation failed.');
        if (error instanceof joseErrors.JOSEError) throw graphError.unauthorized(`IDX14100: JWT is not well formed: ${error.message}`);
        throw error;
      }
    },
  };
}
