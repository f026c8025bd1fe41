import { z } from 'zod';

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
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export const settingsPatchSchema = settingsSchema.partial();
