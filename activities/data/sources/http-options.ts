import { z } from 'zod';
import { DataInputError } from '../errors';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (letters, digits, _)');

/** Credentials are never written in the mapping: it names the environment variables that hold them. */
export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('bearer'), tokenEnv: envName }),
  z.strictObject({ type: z.literal('api-key'), keyEnv: envName, header: z.string().min(1).default('X-API-Key') }),
  z.strictObject({ type: z.literal('basic'), usernameEnv: envName, passwordEnv: envName }),
]);
export type AuthSettings = z.infer<typeof authSchema>;

/** Request settings shared by the HTTP sources. */
export const httpOptionsShape = {
  auth: authSchema.default({ type: 'none' }),
  /** Per request: no answer (headers or body) within this time counts as a failed attempt. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Further attempts after a 429, a 5xx, a timeout or a network error. */
  retries: z.number().int().min(0).max(20).default(4),
  /** First backoff delay when the server gives no Retry-After; doubles each attempt. */
  retryBaseDelayMs: z.number().int().min(0).default(500),
  /** A Retry-After longer than this fails the source instead of waiting. */
  maxRetryAfterMs: z.number().int().min(0).default(120_000),
  /** Largest page body accepted. */
  maxPageBytes: z.number().int().positive().default(64 * 1024 * 1024),
  /** Extra non-secret headers (e.g. Accept). */
  headers: z.record(z.string(), z.string()).default({}),
};

/** The request settings of an HTTP source, as its schema gives them (defaults applied). */
export type HttpOptions = z.infer<z.ZodObject<typeof httpOptionsShape>>;

/** Builds the Authorization (or API key) header from the environment; fails naming the setting and the variable. */
export function authHeaders(auth: AuthSettings, env: Readonly<Record<string, string | undefined>>, settingPath: string): Record<string, string> {
  const read = (setting: string, name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new DataInputError({
        origin: { location: 'environment' },
        field: `${settingPath}.auth.${setting}`,
        reason: `the environment variable ${name} is not set`,
        hint: `Set ${name} in the worker's environment (the mapping names the variable, never the secret).`,
      });
    }
    return value;
  };
  switch (auth.type) {
    case 'none':
      return {};
    case 'bearer':
      return { authorization: `Bearer ${read('tokenEnv', auth.tokenEnv)}` };
    case 'api-key':
      return { [auth.header.toLowerCase()]: read('keyEnv', auth.keyEnv) };
    case 'basic': {
      const user = read('usernameEnv', auth.usernameEnv);
      const password = read('passwordEnv', auth.passwordEnv);
      return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
    }
  }
}
