import { z } from 'zod';
import { TASK_QUEUE } from '../contracts/temporal';

/**
 * The callout receiver's configuration, from the environment. One zod schema is the source of the type; a bad value
 * stops the receiver with a message naming the variable and what to put there. TEMPORAL_* are read separately by
 * Temporal's envconfig (workers/temporal-connection.ts), LOG_LEVEL by the logger.
 */

const list = (what: string) =>
  z
    .string({ error: `required: ${what}` })
    .transform((text) => text.split(',').map((item) => item.trim()).filter((item) => item !== ''))
    .pipe(z.array(z.string()).min(1, `required: ${what}`));

const optionalList = z
  .string()
  .optional()
  .transform((text) => (text ?? '').split(',').map((item) => item.trim()).filter((item) => item !== ''));

const envSchema = z.object({
  CALLOUT_PORT: z.coerce.number({ error: 'a port number' }).int('a port number').min(0).max(65_535).default(8088),
  /** 127.0.0.1 by default; a container behind an ingress sets 0.0.0.0. */
  CALLOUT_HOST: z.string().min(1).default('127.0.0.1'),
  CALLOUT_PATH: z.string().regex(/^\/[^\s?#]*$/, 'a URL path starting with "/", e.g. /callouts/access-review').default('/callouts/access-review'),
  CALLOUT_AUTHORITY_HOST: z
    .url({ protocol: /^https$/, error: 'an https URL, e.g. https://login.microsoftonline.com' })
    .default('https://login.microsoftonline.com')
    .transform((url) => url.replace(/\/+$/, '')),
  CALLOUT_TENANT_ID: z
    .string({ error: 'required: the Entra tenant id (a GUID) whose tokens are accepted' })
    .regex(/^[0-9a-fA-F-]{36}$|^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'a tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com'),
  CALLOUT_AUDIENCE: list("the receiver's application id URI and/or client id, comma-separated (the tokens' aud)"),
  CALLOUT_ALLOWED_APP_IDS: list('the app ids (azp/appid) allowed to call, comma-separated'),
  /** Accepted besides the discovered v2.0 issuer, e.g. https://sts.windows.net/<tenant>/ for v1.0 tokens. */
  CALLOUT_EXTRA_ISSUERS: optionalList,
  CALLOUT_CLOCK_SKEW_SECONDS: z.coerce.number({ error: 'a number of seconds' }).int().min(0).max(600).default(60),
  CALLOUT_START_TIMEOUT_SECONDS: z.coerce.number({ error: 'a number of seconds' }).positive().max(120).default(10),
  CALLOUT_TASK_QUEUE: z.string().min(1).default(TASK_QUEUE),
  UPLOAD_TARGETS_FILE: z.string({ error: 'required: the path of the upload targets file (see examples/upload-targets.yaml)' }).min(1),
});

/** The environment, renamed into what the receiver uses. */
const settingsFromEnv = envSchema.transform((e) => ({
  port: e.CALLOUT_PORT,
  host: e.CALLOUT_HOST,
  path: e.CALLOUT_PATH,
  authorityHost: e.CALLOUT_AUTHORITY_HOST,
  tenantId: e.CALLOUT_TENANT_ID,
  audiences: e.CALLOUT_AUDIENCE,
  allowedAppIds: e.CALLOUT_ALLOWED_APP_IDS,
  extraIssuers: e.CALLOUT_EXTRA_ISSUERS,
  clockToleranceSeconds: e.CALLOUT_CLOCK_SKEW_SECONDS,
  startTimeoutMs: e.CALLOUT_START_TIMEOUT_SECONDS * 1000,
  taskQueue: e.CALLOUT_TASK_QUEUE,
  targetsFile: e.UPLOAD_TARGETS_FILE,
}));

export type CalloutSettings = z.output<typeof settingsFromEnv>;

export class CalloutConfigError extends Error {
  override name = 'CalloutConfigError';
}

/** Reads the configuration; empty variables count as unset. */
export function loadCalloutSettings(env: NodeJS.ProcessEnv = process.env): CalloutSettings {
  const given = Object.fromEntries(Object.keys(envSchema.shape).map((key) => [key, env[key]?.trim() === '' ? undefined : env[key]?.trim()]));
  const parsed = settingsFromEnv.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new CalloutConfigError(`Invalid callout receiver configuration (environment variables):\n${lines.join('\n')}\nSee docs/callout-receiver.md.`);
  }
  return parsed.data;
}
