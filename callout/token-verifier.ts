import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { request } from 'undici';
import { z } from 'zod';

/**
 * Checks the bearer token of a callout before anything else is looked at: signature against the tenant's JWKS
 * (found through OpenID discovery, cached, fetched again when a token names an unknown `kid`), issuer, audience,
 * expiry and not-before (with a small clock tolerance), then the calling app (`azp`, or `appid` in v1.0 tokens)
 * against an allow-list. Errors carry the HTTP status and a reason that never includes the token.
 */

export interface TokenVerifierOptions {
  /** e.g. https://login.microsoftonline.com (or the emulator's URL). */
  authorityHost: string;
  tenantId: string;
  /** Accepted `aud` values: the receiver's application id URI and/or client id. */
  audiences: readonly string[];
  /** App ids (`azp`/`appid`) allowed to call; compared case-insensitively. */
  allowedAppIds: readonly string[];
  /** Issuers accepted besides the discovered one (e.g. `https://sts.windows.net/<tenant>/` for v1.0 tokens). */
  extraIssuers?: readonly string[];
  clockToleranceSeconds?: number;
  /** Least time between two JWKS fetches caused by unknown `kid`s (jose's cooldown; default 30 s). */
  jwksCooldownMs?: number;
  /** Timeout of discovery and JWKS requests (default 5 s). */
  timeoutMs?: number;
}

export interface VerifiedCaller {
  appId: string;
  issuer: string;
  subject: string | undefined;
}

export interface CalloutTokenVerifier {
  /** Verifies the Authorization header's value; throws CalloutAuthError or AuthorityUnavailableError. */
  verify(authorization: string | undefined): Promise<VerifiedCaller>;
  /** Fetches discovery and keys now, so a wrong authority or tenant shows at start rather than at the first callout. */
  warmUp(): Promise<void>;
}

/** 401: no usable token; 403: a valid token from an app that may not call. */
export class CalloutAuthError extends Error {
  override name = 'CalloutAuthError';
  constructor(
    readonly status: 401 | 403,
    readonly reason: string,
    /** The caller's app id when the token was valid enough to read it. */
    readonly appId?: string,
  ) {
    super(reason);
  }
}

/** The identity provider could not be reached: not the caller's fault (503, Entra retries). */
export class AuthorityUnavailableError extends Error {
  override name = 'AuthorityUnavailableError';
}

const discoverySchema = z.object({ issuer: z.string().min(1), jwks_uri: z.url() });

interface Authority {
  issuer: string;
  keys: JWTVerifyGetKey;
}

function claimText(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function createTokenVerifier(options: TokenVerifierOptions): CalloutTokenVerifier {
  const authorityHost = options.authorityHost.replace(/\/+$/, '');
  const discoveryUrl = `${authorityHost}/${encodeURIComponent(options.tenantId)}/v2.0/.well-known/openid-configuration`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const allowed = new Set(options.allowedAppIds.map((id) => id.toLowerCase()));
  let authority: Promise<Authority> | undefined;

  const discover = async (): Promise<Authority> => {
    let body: unknown;
    try {
      const response = await request(discoveryUrl, { signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`answered ${response.statusCode}`);
      body = JSON.parse(text);
    } catch (error) {
      throw new AuthorityUnavailableError(`OpenID discovery at ${discoveryUrl} failed: ${(error as Error).message}`);
    }
    const parsed = discoverySchema.safeParse(body);
    if (!parsed.success) throw new AuthorityUnavailableError(`OpenID discovery at ${discoveryUrl} has no valid issuer/jwks_uri.`);
    return {
      issuer: parsed.data.issuer,
      keys: createRemoteJWKSet(new URL(parsed.data.jwks_uri), { timeoutDuration: timeoutMs, cooldownDuration: options.jwksCooldownMs ?? 30_000 }),
    };
  };
  // Cached once it succeeds; a failure is forgotten, so the next callout tries again.
  const currentAuthority = (): Promise<Authority> => {
    authority ??= discover().catch((error: unknown) => {
      authority = undefined;
      throw error;
    });
    return authority;
  };

  const unauthorized = (reason: string): CalloutAuthError => new CalloutAuthError(401, reason);

  return {
    async warmUp() {
      await currentAuthority();
    },
    async verify(authorization) {
      if (authorization === undefined || authorization.trim() === '') throw unauthorized('no bearer token (Authorization header missing)');
      const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization.trim());
      if (match?.[1]?.toLowerCase() !== 'bearer') {
        const scheme = match?.[1] ?? authorization.trim().split(/\s/)[0] ?? '';
        throw unauthorized(`the Authorization header must be "Bearer <token>" (got scheme "${scheme.slice(0, 20)}")`);
      }
      const token = match[2] ?? '';
      try {
        decodeProtectedHeader(token);
      } catch {
        throw unauthorized('the bearer token is not a JWT');
      }
      const { issuer, keys } = await currentAuthority();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ['RS256'],
          issuer: [issuer, ...(options.extraIssuers ?? [])],
          audience: [...options.audiences],
          clockTolerance: options.clockToleranceSeconds ?? 60,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw unauthorized('the token has expired');
        if (error instanceof joseErrors.JWTClaimValidationFailed) {
          const what: Record<string, string> = { iss: 'the token was issued by another issuer', aud: 'the token is for another audience', nbf: 'the token is not valid yet' };
          throw unauthorized(what[error.claim] ?? `the token's "${error.claim}" claim is not acceptable (${error.reason})`);
        }
        if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw unauthorized('the token signature is not valid');
        if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) {
          throw unauthorized('the token was not signed by a key of the tenant (unknown kid)');
        }
        if (error instanceof joseErrors.JOSEAlgNotAllowed) throw unauthorized('the token is not signed with RS256');
        if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
          throw new AuthorityUnavailableError(`the tenant's signing keys could not be fetched: ${error.message}`);
        }
        if (error instanceof joseErrors.JOSEError && /JSON Web Key Set/.test(error.message)) {
          throw new AuthorityUnavailableError(`the tenant's signing keys could not be fetched: ${error.message}`);
        }
        if (error instanceof joseErrors.JOSEError) throw unauthorized(`the token is not acceptable: ${error.code}`);
        // Network errors while fetching the keys.
        throw new AuthorityUnavailableError(`the tenant's signing keys could not be fetched: ${(error as Error).message}`);
      }
      const appId = claimText(payload, 'azp') ?? claimText(payload, 'appid');
      if (appId === undefined) throw new CalloutAuthError(403, 'the token names no calling app (azp/appid)');
      if (!allowed.has(appId.toLowerCase())) throw new CalloutAuthError(403, `app ${appId} is not allowed to call (CALLOUT_ALLOWED_APP_IDS)`, appId);
      return { appId, issuer: claimText(payload, 'iss') ?? issuer, subject: claimText(payload, 'sub') };
    },
  };
}
