import { z } from 'zod';

/**
 * The seed file: everything the emulated tenant holds before the first request. One zod schema is the source of
 * the Seed type; `parseSeed` names the file and the field that is wrong.
 */

const guidLike = z.string().min(1);

export const seedAppSchema = z
  .object({
    clientId: guidLike,
    displayName: z.string().min(1),
    /** Object id of the app's service principal (the token's `oid`/`sub`); derived from clientId when absent. */
    servicePrincipalId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** 'generate': a key pair and certificate are created in tlsDir/apps at start (and reused later). */
    certificate: z.union([z.literal('generate'), z.object({ path: z.string().min(1) }).strict()]).optional(),
    roles: z.array(z.string().min(1)),
  })
  .strict()
  .refine((app) => app.clientSecret !== undefined || app.certificate !== undefined, {
    message: 'an app needs clientSecret or certificate (or both)',
  });

export const seedUserSchema = z
  .object({
    id: guidLike,
    userPrincipalName: z.string().min(1),
    displayName: z.string().min(1),
    mail: z.string().nullable().optional(),
    givenName: z.string().nullable().optional(),
    surname: z.string().nullable().optional(),
    jobTitle: z.string().nullable().optional(),
    accountEnabled: z.boolean().default(true),
  })
  .strict();

/**
 * graph-api.md §1.4: the endpoint Entra calls when a review of the resource enters Initializing (a Logic App trigger
 * in Microsoft's template). Graph shows it as given; the emulator POSTs its callouts to `url`.
 */
export const notificationEndpointSchema = z
  .object({
    '@odata.type': z.string().min(1).default('#microsoft.graph.logicAppTriggerEndpointConfiguration'),
    url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
    subscriptionId: z.string().optional(),
    resourceGroupName: z.string().optional(),
    logicAppWorkflowName: z.string().optional(),
  })
  .strict();

export const seedResourceSchema = z
  .object({
    id: guidLike,
    displayName: z.string().min(1),
    description: z.string().default(''),
    originId: z.string().min(1),
    originSystem: z.string().default('CustomDataProvidedResource'),
    createdDateTime: z.string().optional(),
    notificationEndpointConfiguration: notificationEndpointSchema.optional(),
    /** Emulator only: audience of this resource's callout tokens (default: the `calloutAudience` setting). */
    calloutAudience: z.string().min(1).optional(),
  })
  .strict();

export const seedCatalogSchema = z
  .object({
    id: guidLike,
    displayName: z.string().min(1),
    description: z.string().default(''),
    createdDateTime: z.string().optional(),
    resources: z.array(seedResourceSchema).default([]),
  })
  .strict();

export const instanceStatusSchema = z.enum(['NotStarted', 'Initializing', 'InProgress', 'Completed', 'Applying', 'Applied']);
export type InstanceStatus = z.infer<typeof instanceStatusSchema>;

export const seedInstanceSchema = z
  .object({
    id: guidLike,
    status: instanceStatusSchema,
    startDateTime: z.string().optional(),
    endDateTime: z.string().optional(),
    /** When the instance entered Initializing; defaults to the time the seed is loaded. */
    initializingDateTime: z.string().optional(),
  })
  .strict();

export const seedDefinitionSchema = z
  .object({
    id: guidLike,
    displayName: z.string().min(1),
    catalogId: guidLike,
    /** Custom data provided resources the review covers; default: every such resource of the catalog. */
    resourceIds: z.array(guidLike).optional(),
    instances: z.array(seedInstanceSchema).default([]),
  })
  .strict();

export const seedSchema = z
  .object({
    tenantId: guidLike,
    tenantDomain: z.string().min(1).optional(),
    apps: z.array(seedAppSchema).min(1),
    users: z.array(seedUserSchema).default([]),
    catalogs: z.array(seedCatalogSchema).default([]),
    accessReviewDefinitions: z.array(seedDefinitionSchema).default([]),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const resources = new Map(seed.catalogs.map((c) => [c.id, new Set(c.resources.map((r) => r.id))]));
    seed.accessReviewDefinitions.forEach((def, i) => {
      const catalogResources = resources.get(def.catalogId);
      if (catalogResources === undefined) {
        ctx.addIssue({ code: 'custom', path: ['accessReviewDefinitions', i, 'catalogId'], message: `no catalog with id '${def.catalogId}'` });
        return;
      }
      (def.resourceIds ?? []).forEach((rid, j) => {
        if (!catalogResources.has(rid)) {
          ctx.addIssue({
            code: 'custom',
            path: ['accessReviewDefinitions', i, 'resourceIds', j],
            message: `resource '${rid}' is not in catalog '${def.catalogId}'`,
          });
        }
      });
    });
  });

export type Seed = z.infer<typeof seedSchema>;
export type SeedInput = z.input<typeof seedSchema>;
export type SeedApp = z.infer<typeof seedAppSchema>;
export type SeedUser = z.infer<typeof seedUserSchema>;
export type SeedCatalog = z.infer<typeof seedCatalogSchema>;
export type SeedResource = z.infer<typeof seedResourceSchema>;
export type SeedDefinition = z.infer<typeof seedDefinitionSchema>;

/** Formats zod issues as "where: field path: message" lines a person can act on. */
export function describeIssues(where: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => `  ${where}: ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  return lines.join('\n');
}

export function parseSeed(input: unknown, where: string): Seed {
  const result = seedSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`Invalid emulator seed:\n${describeIssues(where, result.error)}\nFix the seed (see examples/emulator-seed.json and docs/emulator.md).`);
  }
  return result.data;
}
