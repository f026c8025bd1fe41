/**
 * zod schemas of the Graph answers we read (shared/graph-api.md §2, §4). Unknown fields are dropped, not refused;
 * enum members this code does not know become `unknownFutureValue` (Graph's own convention for "newer than the
 * client"); anything we rely on that is missing or mistyped makes the answer malformed.
 */
import { z } from 'zod';
import { UPLOAD_SESSION_STATUSES } from '../../contracts/session-activities';
import type { UploadSessionStatus } from '../../contracts/session-activities';

const STATUS_BY_LOWER_CASE = new Map<string, UploadSessionStatus>(UPLOAD_SESSION_STATUSES.map((s) => [s.toLowerCase(), s]));

/** Case-insensitive, because the legacy beta examples sent `Active`/`Complete`. */
export const UploadSessionStatusSchema = z.string().transform((value): UploadSessionStatus => STATUS_BY_LOWER_CASE.get(value.toLowerCase()) ?? 'unknownFutureValue');

/** Int64 may arrive as a JSON string (OData IEEE754Compatible); we accept both and require a whole number. */
const int64 = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).pipe(z.number().int().nonnegative());

const dateTime = z.string().min(1);

export const UploadSessionFileSchema = z.object({
  id: z.string(),
  name: z.string(),
  size: int64,
  uploadedDateTime: dateTime.nullish().transform((v) => v ?? null),
});
export type UploadSessionFile = z.infer<typeof UploadSessionFileSchema>;

export const UploadSessionSchema = z.object({
  id: z.string().min(1),
  status: UploadSessionStatusSchema,
  isUploadDone: z.boolean(),
  referenceId: z.string().nullish().transform((v) => v ?? null),
  createdDateTime: dateTime,
  stats: z.object({ filesUploaded: int64, totalBytesUploaded: int64 }),
  data: z
    .object({ reviewDefinitionId: z.string().optional(), reviewInstanceId: z.string().optional() })
    .nullish()
    .transform((v) => v ?? null),
  /** Present when expanded (and in create/upload/patch answers); absent otherwise. */
  files: z.array(UploadSessionFileSchema).optional(),
  /** An expanded collection can itself be paged [I]. */
  'files@odata.nextLink': z.string().optional(),
});
export type UploadSession = z.infer<typeof UploadSessionSchema>;

export const AccessPackageResourceSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish().transform((v) => v ?? null),
  description: z.string().nullish().transform((v) => v ?? null),
  originId: z.string().nullish().transform((v) => v ?? null),
  originSystem: z.string().nullish().transform((v) => v ?? null),
});
export type AccessPackageResource = z.infer<typeof AccessPackageResourceSchema>;

/** accessReviewInstance.status is a plain string in Graph (not an enum): kept as sent. */
export const ReviewInstanceSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  startDateTime: dateTime.nullish().transform((v) => v ?? null),
  endDateTime: dateTime.nullish().transform((v) => v ?? null),
});
export type ReviewInstance = z.infer<typeof ReviewInstanceSchema>;

export function collectionSchema<T extends z.ZodType>(item: T) {
  return z.object({
    value: z.array(item),
    '@odata.nextLink': z.string().optional(),
  });
}

/** Graph's error body; parsed leniently because it only enriches a failure that is already decided by status. */
export const GraphErrorBodySchema = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    innerError: z.object({ 'request-id': z.string().optional(), 'client-request-id': z.string().optional() }).optional(),
  }),
});

export const BatchResponseSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

export const UserIdSchema = z.object({ id: z.string().min(1) });

/** `value[2].stats.totalBytesUploaded: expected number` (paths and expectations only: no values from the answer). */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`),
        '',
      );
      return `${path === '' ? '(body)' : path}: ${issue.message}`;
    })
    .join('; ');
}
