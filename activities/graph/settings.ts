/**
 * Graph client settings, read from the environment once per worker process. Errors name the variable and say what
 * to do; the client secret is never echoed (zod messages are built without input values, see formatIssue).
 */
import { z } from 'zod';

export const GRAPH_API_VERSIONS = ['v1.0', 'beta'] as const;
export const GRAPH_AUTH_MODES = ['client-secret', 'client-certificate', 'workload-identity', 'managed-identity', 'default'] as const;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https everywhere; plain http only to this machine (a token must never cross a network in clear text). */
const secureUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value), { message: 'is not a URL; give an absolute URL such as https://graph.microsoft.com' })
  .transform((value) => new URL(value))
  .refine((url) => url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)), {
    message: 'must use https (plain http is accepted only for localhost)',
  })
  .refine((url) => url.search === '' && url.hash === '', { message: 'must not carry a query string or fragment' })
  .transform((url) => url.origin + url.pathname.replace(/\/+$/, ''));

const positiveInt = (max: number) =>
  z.coerce.number({ message: 'must be a whole number' }).int({ message: 'must be a whole number' }).min(1, { message: 'must be at least 1' }).max(max, { message: `must be at most ${max}` });

const nonEmpty = z.string().trim().min(1, { message: 'must not be empty' });

export const GraphHttpSettingsSchema = z.object({
  /** Connections per origin of the shared undici Agent (uploads run in parallel up to the worker's activity slots). */
  connections: positiveInt(1024).default(16),
  connectTimeoutMs: positiveInt(600_000).default(10_000),
  /** Time to wait for response headers after the request body is sent (Graph processes an upload before answering). */
  headersTimeoutMs: positiveInt(3_600_000).default(300_000),
  /** Longest silence allowed between two chunks of a response body. */
  bodyTimeoutMs: positiveInt(3_600_000).default(300_000),
  /** Upper bound for a `Retry-After` turned into Temporal's `nextRetryDelay` (a server could ask for hours). */
  retryAfterCapSeconds: positiveInt(86_400).default(120),
});

export const GraphSettingsSchema = z
  .object({
    apiVersion: z.enum(GRAPH_API_VERSIONS, { message: `must be one of ${GRAPH_API_VERSIONS.join(', ')}` }).default('v1.0'),
    baseUrl: secureUrl.default('https://graph.microsoft.com'),
    auth: z.enum(GRAPH_AUTH_MODES, { message: `must be one of ${GRAPH_AUTH_MODES.join(', ')}` }),
    tenantId: nonEmpty.optional(),
    clientId: nonEmpty.optional(),
    clientSecret: nonEmpty.optional(),
    clientCertificatePath: nonEmpty.optional(),
    federatedTokenFile: nonEmpty.optional(),
    authorityHost: secureUrl.default('https://login.microsoftonline.com'),
    http: GraphHttpSettingsSchema,
  })
  .superRefine((s, ctx) => {
    const need = (field: 'tenantId' | 'clientId' | 'clientSecret' | 'clientCertificatePath' | 'federatedTokenFile') => {
      if (s[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required when GRAPH_AUTH=${s.auth}` });
    };
    if (s.auth === 'client-secret') ['tenantId', 'clientId', 'clientSecret'].forEach((f) => need(f as 'tenantId'));
    if (s.auth === 'client-certificate') ['tenantId', 'clientId', 'clientCertificatePath'].forEach((f) => need(f as 'tenantId'));
    if (s.auth === 'workload-identity') ['tenantId', 'clientId', 'federatedTokenFile'].forEach((f) => need(f as 'tenantId'));
  });

export type GraphSettings = z.infer<typeof GraphSettingsSchema>;

/** Environment variable behind each settings field, for error messages and docs. */
export const GRAPH_SETTINGS_ENV = {
  apiVersion: 'GRAPH_API_VERSION',
  baseUrl: 'GRAPH_BASE_URL',
  auth: 'GRAPH_AUTH',
  tenantId: 'AZURE_TENANT_ID',
  clientId: 'AZURE_CLIENT_ID',
  clientSecret: 'AZURE_CLIENT_SECRET',
  clientCertificatePath: 'AZURE_CLIENT_CERTIFICATE_PATH',
  federatedTokenFile: 'AZURE_FEDERATED_TOKEN_FILE',
  authorityHost: 'AZURE_AUTHORITY_HOST',
  'http.connections': 'GRAPH_HTTP_CONNECTIONS',
  'http.connectTimeoutMs': 'GRAPH_HTTP_CONNECT_TIMEOUT_MS',
  'http.headersTimeoutMs': 'GRAPH_HTTP_HEADERS_TIMEOUT_MS',
  'http.bodyTimeoutMs': 'GRAPH_HTTP_BODY_TIMEOUT_MS',
  'http.retryAfterCapSeconds': 'GRAPH_RETRY_AFTER_CAP_SECONDS',
} as const;

export class GraphSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Graph settings are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'GraphSettingsError';
  }
}

/** An unset or blank variable counts as absent, so `FOO=` in a .env file falls back to the default. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function defaultAuth(env: NodeJS.ProcessEnv): (typeof GRAPH_AUTH_MODES)[number] {
  if (read(env, GRAPH_SETTINGS_ENV.clientSecret) !== undefined) return 'client-secret';
  if (read(env, GRAPH_SETTINGS_ENV.clientCertificatePath) !== undefined) return 'client-certificate';
  return 'default';
}

// Messages come from our own schema texts plus the variable name: zod's default messages can quote the input, and
// the input may be the client secret.
function formatIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.');
  const variable = (GRAPH_SETTINGS_ENV as Record<string, string>)[key] ?? key;
  return `${variable} ${issue.message}; set it in the worker's environment (see docs/graph-client.md)`;
}

export function loadGraphSettings(env: NodeJS.ProcessEnv = process.env): GraphSettings {
  // Each field from the variable GRAPH_SETTINGS_ENV names for it, so a variable is named in one place only.
  const value = (field: keyof typeof GRAPH_SETTINGS_ENV) => read(env, GRAPH_SETTINGS_ENV[field]);
  const raw = {
    apiVersion: value('apiVersion'),
    baseUrl: value('baseUrl'),
    auth: value('auth') ?? defaultAuth(env),
    tenantId: value('tenantId'),
    clientId: value('clientId'),
    clientSecret: value('clientSecret'),
    clientCertificatePath: value('clientCertificatePath'),
    federatedTokenFile: value('federatedTokenFile'),
    authorityHost: value('authorityHost'),
    http: {
      connections: value('http.connections'),
      connectTimeoutMs: value('http.connectTimeoutMs'),
      headersTimeoutMs: value('http.headersTimeoutMs'),
      bodyTimeoutMs: value('http.bodyTimeoutMs'),
      retryAfterCapSeconds: value('http.retryAfterCapSeconds'),
    },
  };
  const parsed = GraphSettingsSchema.safeParse(raw, { reportInput: false });
  if (!parsed.success) throw new GraphSettingsError(parsed.error.issues.map(formatIssue));
  return parsed.data;
}

/** The settings as they may appear in a log line or a worker report: the secret replaced by its presence. */
export function describeGraphSettings(settings: GraphSettings): Record<string, unknown> {
  const { clientSecret, ...rest } = settings;
  return { ...rest, clientSecret: clientSecret === undefined ? undefined : '[set]' };
}
