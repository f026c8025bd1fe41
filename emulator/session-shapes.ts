import { z } from 'zod';
import type { FileRecord, SessionRecord } from './model';
import { CONTEXT_DATA_TYPE, SESSION_TYPE } from './model';
import type { EntitySchema } from './odata';
import { ALL_COMPARISONS, EQ_ONLY, EQUALITY } from './odata';
import type { ApiVersion } from './query';

/** Paths, wire shapes and query schemas of upload sessions (graph-api.md §1, §2, §4): one table, one place. */

export interface SessionPathVariant {
  version: ApiVersion;
  /** Collection path pattern with :c (catalog) and :r (resource). */
  collection: string;
  /** The @odata.context path of the collection. */
  contextPath(catalogId: string, resourceId: string): string;
}

export const SESSION_PATHS: readonly SessionPathVariant[] = [
  {
    version: 'v1.0',
    collection: '/v1.0/identityGovernance/entitlementManagement/catalogs/:c/resources/:r/uploadSessions',
    contextPath: (c, r) => `identityGovernance/entitlementManagement/catalogs('${c}')/resources('${r}')/uploadSessions`,
  },
  {
    // Metadata-valid short form used by the v1.0 List page's $expand examples (graph-api.md §1.1).
    version: 'v1.0',
    collection: '/v1.0/identityGovernance/catalogs/:c/resources/:r/uploadSessions',
    contextPath: (c, r) => `identityGovernance/catalogs('${c}')/resources('${r}')/uploadSessions`,
  },
  {
    version: 'beta',
    collection: '/beta/identityGovernance/catalogs/:c/accessPackageResources/:r/uploadSessions',
    contextPath: (c, r) => `identityGovernance/catalogs('${c}')/accessPackageResources('${r}')/uploadSessions`,
  },
];

export const LEGACY_BETA_COLLECTION =
  '/beta/identityGovernance/entitlementManagement/accessPackageCatalogs/:c/accessPackageResources/:r/uploadSessions';

export const CURRENT_CREATE_BODY =
  `{"@odata.type":"${SESSION_TYPE}","data":{"@odata.type":"${CONTEXT_DATA_TYPE}","reviewDefinitionId":"<definition id>","reviewInstanceId":"<instance id>"}}`;

export const createSessionBodySchema = z
  .object({
    '@odata.type': z.literal(SESSION_TYPE, { error: `must be "${SESSION_TYPE}" (the session type is abstract)` }),
    data: z
      .object({
        '@odata.type': z.literal(CONTEXT_DATA_TYPE, { error: `must be "${CONTEXT_DATA_TYPE}"` }),
        reviewDefinitionId: z.string().min(1),
        reviewInstanceId: z.string().min(1),
      })
      .strict(),
  })
  .strict();

export const patchSessionBodySchema = z
  .object({
    '@odata.type': z.literal(SESSION_TYPE).optional(),
    isUploadDone: z.literal(true, { error: 'only isUploadDone: true can be set' }),
  })
  .strict();

export function renderFile(file: FileRecord): Record<string, unknown> {
  return { id: file.id, name: file.name, size: file.size, uploadedDateTime: file.uploadedDateTime };
}

export function renderSession(session: SessionRecord, files?: readonly FileRecord[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    '@odata.type': SESSION_TYPE,
    id: session.id,
    referenceId: session.referenceId,
    status: session.status,
    isUploadDone: session.isUploadDone,
    createdDateTime: session.createdDateTime,
    stats: {
      filesUploaded: session.files.length,
      totalBytesUploaded: session.files.reduce((sum, f) => sum + f.size, 0),
    },
    data: {
      '@odata.type': CONTEXT_DATA_TYPE,
      reviewDefinitionId: session.data.reviewDefinitionId,
      reviewInstanceId: session.data.reviewInstanceId,
    },
  };
  if (files !== undefined) body.files = files.map(renderFile);
  return body;
}

export const sessionQuerySchema: EntitySchema<SessionRecord> = {
  name: 'customDataProvidedResourceUploadSession',
  properties: {
    status: { type: 'string', filter: EQ_ONLY, orderBy: false, get: (s) => s.status },
    referenceId: { type: 'string', filter: EQ_ONLY, orderBy: false, get: (s) => s.referenceId },
    createdDateTime: { type: 'datetime', filter: [], orderBy: true, get: (s) => s.createdDateTime },
  },
};

export const fileQuerySchema: EntitySchema<FileRecord> = {
  name: 'customDataProvidedResourceFile',
  properties: {
    name: { type: 'string', filter: EQUALITY, orderBy: true, get: (f) => f.name },
    size: { type: 'number', filter: ALL_COMPARISONS, orderBy: true, get: (f) => f.size },
    uploadedDateTime: { type: 'datetime', filter: ALL_COMPARISONS, orderBy: true, get: (f) => f.uploadedDateTime },
  },
};
