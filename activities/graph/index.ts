/** The Graph client and its parts; workers build one client per process with `createGraphClient`. */
import { GraphClient } from './client';
import type { GraphLogger } from './client';
import { createCredential } from './credential';
import { createGraphDispatcher } from './dispatcher';
import type { GraphSettings } from './settings';

export { GraphClient } from './client';
export type { GraphClientOptions, GraphLogger, CreateUploadSessionInput, GetUploadSessionOptions, ListUploadSessionsOptions, UploadFileOptions } from './client';
export { createCredential, GRAPH_SCOPE } from './credential';
export { createGraphDispatcher } from './dispatcher';
export { loadGraphSettings, describeGraphSettings, GraphSettingsSchema, GraphSettingsError } from './settings';
export type { GraphSettings } from './settings';
export * as odata from './odata';

/**
 * Credential, dispatcher and client from settings, for a worker's startup. Call `close()` on shutdown to release
 * the connections.
 */
export function createGraphClient(settings: GraphSettings, logger?: GraphLogger): { graph: GraphClient; close: () => Promise<void> } {
  const dispatcher = createGraphDispatcher(settings);
  const graph = new GraphClient({ credential: createCredential(settings), dispatcher, settings, ...(logger === undefined ? {} : { logger }) });
  return { graph, close: () => dispatcher.close() };
}
