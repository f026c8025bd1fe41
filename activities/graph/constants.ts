/** OData type names and fixed values the client sends or filters on (shared/graph-api.md §1.4, §2, §4). */
export const SESSION_TYPE = '#microsoft.graph.customDataProvidedResourceAccessReviewUploadSession';
export const CONTEXT_DATA_TYPE = '#microsoft.graph.customDataProvidedResourcePayloads.accessReviewContextData';
export const CDPR_ORIGIN_SYSTEM = 'CustomDataProvidedResource';
/** `$batch` takes at most 20 requests (Graph JSON batching limit). */
export const BATCH_LIMIT = 20;
