import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { AppRegistration } from './apps';
import type { EmulatorContext } from './context';
import { tenantIssuer } from './context';
import { EntraError } from './errors';
import type { HandlerResult } from './http';
import { json, mediaType, readBody } from './http';
import { GRAPH_APP_ID, GRAPH_AUDIENCE } from './tokens';

/**
 * The Entra ID v2.0 endpoints MSAL (and so @azure/identity) uses with `authorityHost` + `disableInstanceDiscovery`:
 * OpenID discovery, JWKS and the token endpoint for client credentials (secret or certificate assertion).
 */

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const IGNORED_SCOPES = new Set(['openid', 'profile', 'offline_access']);

function resolveTenant(context: EmulatorContext, segment: string): string {
  const seed = context.store.seed;
  const match = [seed.tenantId, seed.tenantDomain].some((t) => t !== undefined && t.toLowerCase() === segment.toLowerCase());
  if (!match) {
    throw new EntraError(400, 'invalid_request', 90002, `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  return seed.tenantId;
}

function discovery(context: EmulatorContext, tenantId: string): Record<string, unknown> {
  const base = `${context.baseUrl}/${tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: tenantIssuer(context),
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${context.baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'roles', 'appid', 'azp'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a === b;
}

async function checkAssertion(assertion: string, app: AppRegistration, audiences: readonly string[]): Promise<void> {
  const invalid = (description: string): EntraError => new EntraError(401, 'invalid_client', 700027, description);
  if (app.certificate === undefined) throw invalid(`Application '${app.clientId}' has no certificate credential; client assertions cannot be used.`);
  let header;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw new EntraError(400, 'invalid_request', 50027, 'Invalid JWT token: the client assertion is not a JWT.');
  }
  const sha256 = Buffer.from(app.certificate.sha256Thumbprint, 'hex').toString('base64url');
  const sha1 = Buffer.from(app.certificate.sha1Thumbprint, 'hex').toString('base64url');
  const x5tS256 = header['x5t#S256'];
  const known = (typeof x5tS256 === 'string' && x5tS256 === sha256) || (typeof header.x5t === 'string' && header.x5t === sha1);
  if (!known) {
    throw invalid(`The certificate with identifier used to sign the client assertion is not registered on application '${app.clientId}' (x5t / x5t#S256 do not match).`);
  }
  try {
    // Assertions are made with the caller's real clock, so they are checked against real time, not the emulator's.
    const { payload } = await jwtVerify(assertion, app.certificate.publicKey, { algorithms: ['RS256', 'PS256'], clockTolerance: 300 });
    if (payload.iss !== app.clientId || payload.sub !== app.clientId) {
      throw new EntraError(401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter (iss and sub must equal client_id).");
    }
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud ?? ''];
    if (!aud.some((a) => audiences.includes(a.toLowerCase()))) {
      throw invalid(`Client assertion audience '${aud.join(', ')}' is not this token endpoint (${audiences[0] ?? ''}).`);
    }
  } catch (error) {
    if (error instanceof EntraError) throw error;
    if (error instanceof joseErrors.JWTExpired || error instanceof joseErrors.JWTClaimValidationFailed) {
      throw new EntraError(401, 'invalid_client', 700024, `Client assertion is not within its valid time range: ${(error as Error).message}.`);
    }
    throw invalid(`Client assertion contains an invalid signature: ${(error as Error).message}.`);
  }
}

async function token(req: IncomingMessage, context: EmulatorContext, tenantSegment: string): Promise<HandlerResult> {
  const tenantId = resolveTenant(context, tenantSegment);
  const missing = (name: string): EntraError => new EntraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
  if (mediaType(req) !== 'application/x-www-form-urlencoded') throw missing('grant_type');
  const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
  const grantType = form.get('grant_type');
  if (grantType === null) throw missing('grant_type');
  if (grantType !== 'client_credentials') {
    throw new EntraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'; the emulator supports client_credentials.`);
  }
  const clientId = form.get('client_id');
  if (clientId === null) throw missing('client_id');
  const app = context.apps.get(clientId.toLowerCase());
  if (app === undefined) {
    throw new EntraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant.`);
  }
  const scope = form.get('scope');
  if (scope === null) throw missing('scope');
  const scopes = scope.split(/\s+/).filter((s) => s !== '' && !IGNORED_SCOPES.has(s.toLowerCase()));
  const [requested] = scopes;
  if (scopes.length !== 1 || requested === undefined || !requested.endsWith('/.default')) {
    throw new EntraError(400, 'invalid_scope', 1002012, `The provided value for scope '${scope}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  const resource = requested.slice(0, -'/.default'.length).replace(/\/$/, '');
  if (resource.toLowerCase() !== GRAPH_AUDIENCE && resource.toLowerCase() !== GRAPH_APP_ID) {
    throw new EntraError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenantId}. The emulator issues tokens for ${GRAPH_AUDIENCE} only.`);
  }
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  let authMethod: '1' | '2';
  if (secret !== null && assertion === null) {
    if (app.clientSecret === undefined || !safeEqual(secret, app.clientSecret)) {
      throw new EntraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`);
    }
    authMethod = '1';
  } else if (assertion !== null && secret === null) {
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
      throw new EntraError(400, 'invalid_request', 700024, `client_assertion_type must be '${ASSERTION_TYPE}'.`);
    }
    const audiences = [tenantSegment, tenantId, context.store.seed.tenantDomain]
      .filter((t): t is string => t !== undefined)
      .flatMap((t) => [`${context.baseUrl}/${t}/oauth2/v2.0/token`, `${context.baseUrl}/${t}/oauth2/token`])
      .map((a) => a.toLowerCase());
    await checkAssertion(assertion, app, audiences);
    authMethod = '2';
  } else if (secret !== null) {
    throw new EntraError(400, 'invalid_request', 7000218, "Send either 'client_secret' or 'client_assertion', not both.");
  } else {
    throw new EntraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  const lifetime = context.settings.tokenLifetimeSeconds;
  const accessToken = await context.tokens.mint({
    clientId: app.clientId,
    servicePrincipalId: app.servicePrincipalId,
    roles: app.roles,
    tenantId,
    issuer: tenantIssuer(context),
    nowMs: context.clock.nowMs(),
    lifetimeSeconds: lifetime,
    authMethod,
  });
  return json(
    200,
    { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken },
    { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
  );
}

/** Answers an Entra path (`/{tenant}/...`); throws EntraError for Entra-shaped failures. */
export async function handleEntra(req: IncomingMessage, segments: readonly string[], context: EmulatorContext): Promise<HandlerResult> {
  const [tenantSegment = '', ...rest] = segments;
  const tail = rest.join('/').toLowerCase();
  const method = req.method ?? 'GET';
  const wrongMethod = (allowed: string): EntraError =>
    new EntraError(405, 'invalid_request', 900561, `The endpoint only accepts ${allowed} requests.`, { Allow: allowed });
  if (tail === 'v2.0/.well-known/openid-configuration' || tail === '.well-known/openid-configuration') {
    if (method !== 'GET') throw wrongMethod('GET');
    return json(200, discovery(context, resolveTenant(context, tenantSegment)));
  }
  if (tail === 'discovery/v2.0/keys' || tail === 'discovery/keys') {
    if (method !== 'GET') throw wrongMethod('GET');
    if (tenantSegment.toLowerCase() !== 'common') resolveTenant(context, tenantSegment);
    return json(200, context.tokens.jwks());
  }
  if (tail === 'oauth2/v2.0/token') {
    if (method !== 'POST') throw wrongMethod('POST');
    return token(req, context, tenantSegment);
  }
  throw new EntraError(404, 'not_found', undefined, `The emulator has no Entra ID endpoint at '/${segments.join('/')}'. It serves /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/discovery/v2.0/keys and /{tenant}/oauth2/v2.0/token.`);
}
