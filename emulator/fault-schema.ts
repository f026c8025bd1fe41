import { z } from 'zod';

/**
 * Fault injection settings (Dev Proxy style), deterministic from `seed`. Each rule may be scoped by a path regex,
 * a method and an app, may fire only for the next `count` matching requests, and/or with a `probability` drawn from
 * a PRNG seeded by `seed` (so the same run of requests meets the same faults).
 */

const scope = {
  /** Regex tested against the request path (e.g. "/uploadFile$"). Default scope: Graph paths (/v1.0, /beta). */
  pathPattern: z
    .string()
    .refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression')
    .optional(),
  method: z.string().toUpperCase().optional(),
  /** Only requests whose token (or token request) is for this client id. */
  clientId: z.string().optional(),
  /** Fire only for the next N matching requests, then stop. */
  count: z.number().int().positive().optional(),
  /** Fire with this probability (0..1), from the seeded PRNG. */
  probability: z.number().min(0).max(1).optional(),
  id: z.string().optional(),
};

export const faultRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('rateLimit'),
      /** Token bucket per app: `capacity` requests at once, refilled at `refillPerSecond`. */
      capacity: z.number().int().positive(),
      refillPerSecond: z.number().positive(),
      ...scope,
    })
    .strict(),
  z
    .object({
      kind: z.literal('fail'),
      status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
      retryAfterSeconds: z.number().int().nonnegative().optional(),
      ...scope,
    })
    .strict(),
  z.object({ kind: z.literal('latency'), delayMs: z.number().int().nonnegative(), ...scope }).strict(),
  z
    .object({
      /** Destroys the connection after reading `afterBytes` of the request body (default scope: uploadFile). */
      kind: z.literal('resetUpload'),
      afterBytes: z.number().int().nonnegative().default(1024),
      ...scope,
    })
    .strict(),
  z
    .object({
      /** Sends the response body in `chunkBytes` pieces, `delayMs` apart. */
      kind: z.literal('slowBody'),
      chunkBytes: z.number().int().positive().default(64),
      delayMs: z.number().int().nonnegative().default(50),
      ...scope,
    })
    .strict(),
  z
    .object({
      /** The token endpoint answers 503 (default scope: /oauth2/v2.0/token). */
      kind: z.literal('tokenOutage'),
      status: z.number().int().min(500).max(599).default(503),
      retryAfterSeconds: z.number().int().nonnegative().optional(),
      ...scope,
    })
    .strict(),
]);

export const faultSettingsSchema = z
  .object({
    seed: z.number().int().default(1),
    rules: z.array(faultRuleSchema).default([]),
  })
  .strict();

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultSettings = z.infer<typeof faultSettingsSchema>;
export type FaultSettingsInput = z.input<typeof faultSettingsSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
