import { z } from 'zod';
import { instanceStatusSchema, seedSchema } from './seed-schema';

/** Records the emulator keeps (and persists with a state file). zod schemas are the single source of the types. */

export const uploadStatusSchema = z.enum(['active', 'complete', 'expired']);
export type UploadStatus = z.infer<typeof uploadStatusSchema>;

export const rowErrorSchema = z.object({
  /** 1-based line of the CSV record (the header is line 1). */
  line: z.number().int(),
  column: z.string().optional(),
  message: z.string(),
});
export type RowError = z.infer<typeof rowErrorSchema>;

export const fileProcessingSchema = z.object({
  state: z.enum(['pending', 'done', 'failed']),
  layout: z.enum(['11-column', '6-column']).optional(),
  rowCount: z.number().int(),
  errorCount: z.number().int(),
  /** The first errors (capped); errorCount has the total. */
  errors: z.array(rowErrorSchema),
  message: z.string().optional(),
});
export type FileProcessing = z.infer<typeof fileProcessingSchema>;

export const fileRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  uploadedDateTime: z.string(),
  sha256: z.string(),
  /** File name of the stored content inside the emulator's data directory. */
  contentFile: z.string(),
  processing: fileProcessingSchema.optional(),
});
export type FileRecord = z.infer<typeof fileRecordSchema>;

export const sessionRecordSchema = z.object({
  id: z.string(),
  catalogId: z.string(),
  resourceId: z.string(),
  referenceId: z.string(),
  status: uploadStatusSchema,
  isUploadDone: z.boolean(),
  createdDateTime: z.string(),
  data: z.object({ reviewDefinitionId: z.string(), reviewInstanceId: z.string() }),
  files: z.array(fileRecordSchema),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

export const instanceRecordSchema = z.object({
  id: z.string(),
  definitionId: z.string(),
  status: instanceStatusSchema,
  startDateTime: z.string(),
  endDateTime: z.string(),
  /** When the instance entered Initializing (start of the upload window); null if it never did. */
  initializingDateTime: z.string().nullable(),
});
export type InstanceRecord = z.infer<typeof instanceRecordSchema>;

export const persistedStateSchema = z.object({
  version: z.literal(1),
  seed: seedSchema,
  instances: z.array(instanceRecordSchema),
  sessions: z.array(sessionRecordSchema),
  clockOffsetMs: z.number(),
});
export type PersistedState = z.infer<typeof persistedStateSchema>;

export const SESSION_TYPE = '#microsoft.graph.customDataProvidedResourceAccessReviewUploadSession';
export const CONTEXT_DATA_TYPE = '#microsoft.graph.customDataProvidedResourcePayloads.accessReviewContextData';
export const CDPR_ORIGIN_SYSTEM = 'CustomDataProvidedResource';

/** One delivery attempt of a callout: the receiver's status, or why there was none (connection error, timeout). */
export const calloutAttemptSchema = z.object({
  at: z.string(),
  durationMs: z.number(),
  status: z.number().int().optional(),
  error: z.string().optional(),
  /** The start of the receiver's answer (for people reading the admin list). */
  response: z.string().optional(),
});
export type CalloutAttempt = z.infer<typeof calloutAttemptSchema>;

/** A callout the emulator sent (or is sending) when a review instance entered Initializing (not persisted). */
export const calloutRecordSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  trigger: z.enum(['instanceStarted', 'instanceInitializing', 'resend']),
  createdDateTime: z.string(),
  catalogId: z.string(),
  resourceId: z.string(),
  reviewDefinitionId: z.string(),
  reviewInstanceId: z.string(),
  url: z.string(),
  audience: z.string(),
  callerAppId: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(calloutAttemptSchema),
});
export type CalloutRecord = z.infer<typeof calloutRecordSchema>;
export type CalloutTrigger = CalloutRecord['trigger'];
