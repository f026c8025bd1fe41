/**
 * Inputs and results of the data-preparation step (activities/data). Plain types and constants only: workflow code
 * imports this file, so no zod and no runtime dependencies. Only paths, counts and reasons cross this boundary;
 * file contents and cell values stay in the staged files and the pre-flight report.
 */
import type { UploadManifest } from './manifest';

/** Input of the `prepareUploadFiles` activity. */
export interface PrepareUploadFilesInput {
  /** Path of the mapping file (YAML or JSON) on the worker's volume. */
  mappingPath: string;
  /** Names the staging folder `<stagingRoot>/<runId>`; characters outside [A-Za-z0-9._-] become `_`. */
  runId: string;
  /** Marks the report as a dry run; the preparation itself is the same. */
  dryRun?: boolean;
}

/** Counts of the pre-flight report that a workflow may keep (no cell values). */
export interface PrepareSummary {
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  rowsUnresolved: number;
  duplicatesRemoved: number;
  unresolvedPrincipals: number;
  files: number;
}

export type PrepareResult =
  | {
      blocked: false;
      manifest: UploadManifest;
      reportJsonPath: string;
      reportMarkdownPath: string;
      stagingDir: string;
      summary: PrepareSummary;
    }
  | {
      blocked: true;
      /** Why the run stops before a session is opened: a threshold, an empty result, or a bad input (file, line, field). */
      reason: string;
      reportJsonPath: string;
      reportMarkdownPath: string;
      summary: PrepareSummary;
    };

/** Input of the `cleanupStagedRuns` activity. */
export interface CleanupStagedRunsInput {
  /** Staged runs whose folder is older than this are deleted. */
  olderThanHours: number;
}

export interface CleanupStagedRunsResult {
  deleted: string[];
}
