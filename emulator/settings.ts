import { z } from 'zod';

/**
 * The "Entra access reviews" app the emulator's callouts come from (their `azp`/`appid`). A made-up id: Microsoft
 * does not document the first-party app ids its callouts carry, so a receiver lists the real ones by configuration.
 */
export const DEFAULT_CALLOUT_CALLER_APP_ID = 'acce55ee-0000-4000-8000-00000000ca11';
/** Audience of callout tokens when neither the resource nor the settings name one (the receiver's app id URI). */
export const DEFAULT_CALLOUT_AUDIENCE = 'api://entra-review-uploader-callouts';

const calloutUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

/** Runtime settings: given at start, changeable through the admin API (`PATCH /_emulator/settings`). */
export const settingsSchema = z
  .object({
    /** Upload window from the instance entering Initializing (Entra: 2 hours). */
    uploadWindowSeconds: z.number().positive().default(7200),
    /** Largest uploadFile body; Graph documents none, so the default is generous (4 GiB). */
    maxUploadBytes: z.number().int().positive().default(4 * 1024 ** 3),
    /** Largest JSON body (create, PATCH, $batch, admin). */
    maxJsonBytes: z.number().int().positive().default(1024 * 1024),
    /** Page size of collections when the client gives no $top. */
    pageSize: z.number().int().positive().default(100),
    /** Lifetime of issued access tokens. */
    tokenLifetimeSeconds: z.number().int().positive().default(3600),
    /** How many row errors are kept per processed file (the count is always exact). */
    rowErrorLimit: z.number().int().nonnegative().default(100),
    /**
     * Callout URL per resource id, over the seed's `notificationEndpointConfiguration.url` (tests pick ports at run
     * time); null turns a seeded callout off.
     */
    calloutUrls: z.record(z.string().min(1), calloutUrl.nullable()).default({}),
    /** Audience of callout tokens for resources whose seed names no `calloutAudience`. */
    calloutAudience: z.string().min(1).default(DEFAULT_CALLOUT_AUDIENCE),
    /** `azp`/`appid` of callout tokens. */
    calloutCallerAppId: z.string().min(1).default(DEFAULT_CALLOUT_CALLER_APP_ID),
    /** Callout tokens are short-lived, as Entra's are. */
    calloutTokenLifetimeSeconds: z.number().int().positive().default(300),
    /** Attempts per callout (5xx, 429 and connection errors are retried; other answers are final). */
    calloutMaxAttempts: z.number().int().min(1).max(20).default(4),
    /** Wait before the second attempt; doubles each time. */
    calloutRetryDelayMs: z.number().int().nonnegative().default(1000),
    /** How long one attempt may take before it counts as a connection error. */
    calloutTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export const settingsPatchSchema = settingsSchema.partial();

/**
 * The fields a PATCH names, and only those: zod 4 fills defaults inside `.partial()`, which would silently put every
 * setting the PATCH does not mention back to its default.
 */
export function settingsChange(raw: unknown, parsed: Partial<Settings>): Partial<Settings> {
  const given = raw !== null && typeof raw === 'object' ? Object.keys(raw) : [];
  return Object.fromEntries(Object.entries(parsed).filter(([key]) => given.includes(key)));
}
