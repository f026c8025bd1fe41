import { Context } from '@temporalio/activity';
import type { Dispatcher } from 'undici';
import type { CleanupStagedRunsInput, CleanupStagedRunsResult, PrepareResult, PrepareUploadFilesInput } from '../../contracts/prepare';
import { prepareUpload } from './prepare';
import type { PrepareProgress } from './prepare';
import type { PrincipalResolver } from './resolver';
import type { SourceDefinition } from './sources/types';
import { cleanupStagedRuns, runFolderName } from './staging';
import { join, resolve } from 'node:path';

export interface DataActivityDeps {
  /** Usually `createGraphPrincipalResolver(graphClient)`; the per-run batching cache is added by prepareUpload. */
  principalResolver: PrincipalResolver;
  /** The worker's staging volume; runs go to `<stagingRoot>/<runId>`. */
  stagingRoot: string;
  /** Staged runs older than this are deleted at the start of each preparation (and by cleanupStagedRuns). */
  retentionHours?: number;
  dispatcher?: Dispatcher;
  sources?: readonly SourceDefinition[];
  env?: Readonly<Record<string, string | undefined>>;
}

/** At most one heartbeat per this many milliseconds (the server throttles them anyway). */
const HEARTBEAT_EVERY_MS = 1000;

/** Data-preparation activities; the workflow calls `prepareUploadFiles` first, before any session is opened. */
export function createDataActivities(deps: DataActivityDeps) {
  return {
    /**
     * Prepares the upload for a run. Bad input returns `{ blocked: true, reason }` (nothing to retry); a source that
     * stays unavailable after its own retries also blocks. Heartbeats `{ rowsRead, rowsWritten }`.
     */
    async prepareUploadFiles(input: PrepareUploadFilesInput): Promise<PrepareResult> {
      const context = Context.current();
      if (deps.retentionHours !== undefined) {
        await cleanupStagedRuns(deps.stagingRoot, {
          olderThanHours: deps.retentionHours,
          keep: join(resolve(deps.stagingRoot), runFolderName(input.runId)),
        });
      }
      let last = 0;
      const onProgress = (progress: PrepareProgress): void => {
        const now = Date.now();
        if (now - last < HEARTBEAT_EVERY_MS) return;
        last = now;
        context.heartbeat(progress);
      };
      context.heartbeat({ rowsRead: 0, rowsWritten: 0 });
      return prepareUpload(
        { mappingPath: input.mappingPath, runId: input.runId, stagingRoot: deps.stagingRoot, dryRun: input.dryRun === true },
        {
          principalResolver: deps.principalResolver,
          signal: context.cancellationSignal,
          onProgress,
          ...(deps.dispatcher !== undefined ? { dispatcher: deps.dispatcher } : {}),
          ...(deps.sources !== undefined ? { sources: deps.sources } : {}),
          ...(deps.env !== undefined ? { env: deps.env } : {}),
        },
      );
    },

    /** Retention: deletes staged runs older than `olderThanHours`. */
    async cleanupStagedRuns(input: CleanupStagedRunsInput): Promise<CleanupStagedRunsResult> {
      return { deleted: await cleanupStagedRuns(deps.stagingRoot, { olderThanHours: input.olderThanHours }) };
    },
  };
}
