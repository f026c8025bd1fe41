import { ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential, WorkloadIdentityCredential } from '@azure/identity';
import { createCredential, isMicrosoftAuthorityHost } from '../../activities/graph/credential';
import { describeGraphSettings, GraphSettingsError, loadGraphSettings } from '../../activities/graph/settings';

const SECRET = 'super-secret-value-123';
const base = { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: SECRET };

function problems(env: NodeJS.ProcessEnv): string {
  try {
    loadGraphSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(GraphSettingsError);
    return (err as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

describe('loadGraphSettings', () => {
  it('defaults to v1.0 on graph.microsoft.com with the public authority, and picks client-secret when a secret is set', () => {
    const s = loadGraphSettings(base);
    expect(s).toMatchObject({ apiVersion: 'v1.0', baseUrl: 'https://graph.microsoft.com', authorityHost: 'https://login.microsoftonline.com', auth: 'client-secret' });
    expect(s.http).toEqual({ connections: 16, connectTimeoutMs: 10_000, headersTimeoutMs: 300_000, bodyTimeoutMs: 300_000, retryAfterCapSeconds: 120 });
  });

  it('picks client-certificate when only a certificate path is set, and default when neither is', () => {
    expect(loadGraphSettings({ AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_CERTIFICATE_PATH: '/x.pem' }).auth).toBe('client-certificate');
    expect(loadGraphSettings({}).auth).toBe('default');
  });

  it('reads beta, the emulator URLs (trailing slash dropped) and HTTP settings', () => {
    const s = loadGraphSettings({
      ...base,
      GRAPH_API_VERSION: 'beta',
      GRAPH_BASE_URL: 'https://127.0.0.1:8443/graph/',
      AZURE_AUTHORITY_HOST: 'https://localhost:8443/entra',
      GRAPH_HTTP_CONNECTIONS: '4',
      GRAPH_RETRY_AFTER_CAP_SECONDS: '30',
    });
    expect(s).toMatchObject({ apiVersion: 'beta', baseUrl: 'https://127.0.0.1:8443/graph', authorityHost: 'https://localhost:8443/entra' });
    expect(s.http.connections).toBe(4);
    expect(s.http.retryAfterCapSeconds).toBe(30);
  });

  it('names the variable and what to do for each bad value', () => {
    const message = problems({ ...base, GRAPH_API_VERSION: 'v2', GRAPH_BASE_URL: 'http://graph.example.com', GRAPH_HTTP_CONNECTIONS: 'many' });
    expect(message).toContain('GRAPH_API_VERSION must be one of v1.0, beta');
    expect(message).toContain('GRAPH_BASE_URL must use https');
    expect(message).toContain('GRAPH_HTTP_CONNECTIONS must be a whole number');
    expect(message).toContain('docs/graph-client.md');
  });

  it('says which variables a chosen credential needs', () => {
    expect(problems({ GRAPH_AUTH: 'client-secret', AZURE_TENANT_ID: 't' })).toMatch(/AZURE_CLIENT_ID is required when GRAPH_AUTH=client-secret[\s\S]*AZURE_CLIENT_SECRET is required/);
    expect(problems({ GRAPH_AUTH: 'workload-identity', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' })).toContain('AZURE_FEDERATED_TOKEN_FILE is required');
    expect(problems({ GRAPH_AUTH: 'kerberos' })).toContain('GRAPH_AUTH must be one of client-secret, client-certificate, workload-identity, managed-identity, default');
  });

  it('never echoes the secret, neither in errors nor in the loggable description', () => {
    const message = problems({ ...base, GRAPH_API_VERSION: SECRET, GRAPH_BASE_URL: SECRET, GRAPH_HTTP_BODY_TIMEOUT_MS: SECRET });
    expect(message).not.toContain(SECRET);
    const described = JSON.stringify(describeGraphSettings(loadGraphSettings(base)));
    expect(described).not.toContain(SECRET);
    expect(described).toContain('"clientSecret":"[set]"');
  });
});

describe('createCredential', () => {
  const settings = (env: NodeJS.ProcessEnv) => loadGraphSettings(env);

  it('builds the credential GRAPH_AUTH names', () => {
    expect(createCredential(settings(base))).toBeInstanceOf(ClientSecretCredential);
    expect(createCredential(settings({ AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_CERTIFICATE_PATH: '/no/such.pem' }))).toBeInstanceOf(ClientCertificateCredential);
    expect(createCredential(settings({ GRAPH_AUTH: 'workload-identity', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' }))).toBeInstanceOf(WorkloadIdentityCredential);
    expect(createCredential(settings({ GRAPH_AUTH: 'managed-identity' }))).toBeInstanceOf(ManagedIdentityCredential);
    expect(createCredential(settings({ GRAPH_AUTH: 'default' }))).toBeInstanceOf(DefaultAzureCredential);
  });

  it('treats only Microsoft login hosts as Microsoft (instance discovery off for the emulator)', () => {
    expect(isMicrosoftAuthorityHost('https://login.microsoftonline.com')).toBe(true);
    expect(isMicrosoftAuthorityHost('https://login.microsoftonline.us/')).toBe(true);
    expect(isMicrosoftAuthorityHost('https://localhost:8443')).toBe(false);
    expect(isMicrosoftAuthorityHost('https://login.microsoftonline.com.evil.example')).toBe(false);
  });
});
