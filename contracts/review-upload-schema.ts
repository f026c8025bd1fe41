/**
 * zod schema of the upload workflow's input, checked at the client edge (CLI, callout receiver, schedules) before a
 * run starts. Not imported by workflow code (zod stays out of the workflow bundle; sdk-typescript #2227).
 */
import { z } from 'zod';
import type { ReviewUploadInput } from './review-upload';

const id = z.string().trim().min(1, 'required').max(200).regex(/^[^/\s]+$/, 'an id without "/" or spaces');

const stagedFile = z.object({
  name: z.string().min(1).max(255).regex(/^[^"\\\r\n\0/]+$/, 'a file name without quotes, backslashes, slashes or line breaks'),
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256'),
  rows: z.number().int().nonnegative(),
});

/** The input's fields; other schemas (upload targets) reuse them. */
export const ReviewUploadFieldsSchema = z
  .object({
    catalogId: id,
    resourceId: id,
    reviewDefinitionId: id,
    reviewInstanceId: id,
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('staged'), files: z.array(stagedFile).min(1, 'at least one file').max(10, 'at most 10 files per upload (the portal limit)') }),
      z.object({ kind: z.literal('prepare'), mappingPath: z.string().min(1) }),
    ]),
    deadline: z.iso.datetime({ offset: true }).optional(),
    options: z
      .object({
        uploadConcurrency: z.number().int().min(1).max(10).optional(),
        safetyMarginSeconds: z.number().int().min(0).max(7200).optional(),
        waitForReviewToStart: z.boolean().optional(),
        reviewStartTimeoutSeconds: z.number().int().min(1).max(86_400).optional(),
        uploadHeartbeatTimeoutSeconds: z.number().int().min(5).max(3600).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const ReviewUploadInputSchema = ReviewUploadFieldsSchema.superRefine((input, ctx) => {
  if (input.source.kind !== 'staged') return;
  const seen = new Set<string>();
  input.source.files.forEach((file, index) => {
    if (seen.has(file.name)) ctx.addIssue({ code: 'custom', path: ['source', 'files', index, 'name'], message: `${file.name} is listed twice` });
    seen.add(file.name);
  });
});

// A compile-time check that the schema and the workflow's input type agree.
type SchemaInput = z.infer<typeof ReviewUploadInputSchema>;
const _sameShape: (value: SchemaInput) => ReviewUploadInput = (value) => value;
void _sameShape;

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/** Parses an upload input; the error names each wrong field by its path (e.g. `source.files.1.sha256`). */
export function parseReviewUploadInput(raw: unknown): ReviewUploadInput {
  const parsed = ReviewUploadInputSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(input)'}: ${issue.message}`);
  throw new InvalidInputError(`Invalid upload input:\n${lines.join('\n')}`);
}
