/**
 * The one place a concrete @azure/identity credential is chosen. Everything else takes a `TokenCredential`.
 */
import {
  AzureAuthorityHosts,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from '@azure/identity';
import type { GetTokenOptions, TokenCredential } from '@azure/identity';
import type { GraphSettings } from './settings';

/**
 * Always the Graph resource, also when GRAPH_BASE_URL points at the emulator: the token's audience is Graph, not
 * the host we happen to send it to.
 */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const MICROSOFT_AUTHORITY_HOSTS = new Set<string>([...Object.values(AzureAuthorityHosts), 'https://login.microsoft.com']);

/** Instance discovery asks login.microsoftonline.com about the authority: meaningless (and unreachable) elsewhere. */
export function isMicrosoftAuthorityHost(authorityHost: string): boolean {
  return MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).origin);
}

export function createCredential(settings: GraphSettings): TokenCredential {
  const authority = {
    authorityHost: settings.authorityHost,
    disableInstanceDiscovery: !isMicrosoftAuthorityHost(settings.authorityHost),
  };
  // settings.ts guarantees the fields each mode needs; the checks below only narrow the types.
  const required = (value: string | undefined, variable: string): string => {
    if (value === undefined) throw new Error(`${variable} is required when GRAPH_AUTH=${settings.auth}`);
    return value;
  };
  switch (settings.auth) {
    case 'client-secret':
      return new ClientSecretCredential(
        required(settings.tenantId, 'AZURE_TENANT_ID'),
        required(settings.clientId, 'AZURE_CLIENT_ID'),
        required(settings.clientSecret, 'AZURE_CLIENT_SECRET'),
        authority,
      );
    case 'client-certificate':
      return new ClientCertificateCredential(
        required(settings.tenantId, 'AZURE_TENANT_ID'),
        required(settings.clientId, 'AZURE_CLIENT_ID'),
        { certificatePath: required(settings.clientCertificatePath, 'AZURE_CLIENT_CERTIFICATE_PATH') },
        authority,
      );
    case 'workload-identity':
      return new WorkloadIdentityCredential({
        tenantId: required(settings.tenantId, 'AZURE_TENANT_ID'),
        clientId: required(settings.clientId, 'AZURE_CLIENT_ID'),
        tokenFilePath: required(settings.federatedTokenFile, 'AZURE_FEDERATED_TOKEN_FILE'),
        ...authority,
      });
    case 'managed-identity':
      // Managed identity talks to the host's identity endpoint, not to an authority: authorityHost does not apply.
      return settings.clientId === undefined ? new ManagedIdentityCredential() : new ManagedIdentityCredential({ clientId: settings.clientId });
    case 'default':
      // DefaultAzureCredential reads AZURE_* from process.env itself; we pass what it cannot infer.
      return new DefaultAzureCredential({
        ...authority,
        ...(settings.tenantId === undefined ? {} : { tenantId: settings.tenantId }),
        ...(settings.clientId === undefined ? {} : { managedIdentityClientId: settings.clientId }),
      });
  }
}

/**
 * Options for `getToken` that make the credential fetch a new token instead of returning its cached one, after
 * Graph rejected the cached one with 401.
 *
 * @azure/identity 4.13 has no "force refresh" flag. What bypasses its MSAL cache is a `claims` request (MSAL's
 * ClientCredentialClient skips the cache when `claims` is a non-empty JSON object), the Continuous Access
 * Evaluation path. We pass the server's claims challenge from `WWW-Authenticate` when there is one, otherwise the
 * standard CAE "not before now" claim, which asks Entra for a token issued from now on. Works for client secret,
 * certificate, workload identity and DefaultAzureCredential's environment/workload credentials.
 * ManagedIdentityCredential ignores `claims` in 4.13 (it never forwards them to MSAL), so with managed identity the
 * retry reuses the cached token until it expires.
 */
export function freshTokenOptions(wwwAuthenticate: string | undefined, signal: AbortSignal | undefined, now = Date.now()): GetTokenOptions {
  const challenge = parseClaimsChallenge(wwwAuthenticate);
  const claims = challenge ?? JSON.stringify({ access_token: { nbf: { essential: true, value: String(Math.floor(now / 1000)) } } });
  return { claims, ...(signal === undefined ? {} : { abortSignal: signal }) };
}

/** `Bearer ..., error="insufficient_claims", claims="<base64 JSON>"` -> the JSON, or undefined. */
export function parseClaimsChallenge(wwwAuthenticate: string | undefined): string | undefined {
  const match = wwwAuthenticate === undefined ? null : /\bclaims="([^"]+)"/i.exec(wwwAuthenticate);
  if (match?.[1] === undefined) return undefined;
  try {
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    JSON.parse(decoded);
    return decoded;
  } catch {
    return undefined;
  }
}
