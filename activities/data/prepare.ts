import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { manifestOf } from '../../contracts/manifest';
import type { StagedFile } from '../../contracts/manifest';
import type { PrepareResult, PrepareSummary } from '../../contracts/prepare';
import { DataInputError, describeOrigin } from './errors';
import { loadMapping } from './mapping';
import type { CompiledMapping } from './mapping';
import { runPipeline } from './pipeline';
import type { PipelineOutcome } from './pipeline';
import { ReportCollector, renderMarkdown } from './report';
import type { PreflightReport } from './report';
import { createCachingResolver } from './resolver';
import type { PrincipalResolver } from './resolver';
import { createSourceRegistry } from './sources/registry';
import type { SourceDefinition } from './sources/types';
import { createRunFolders, writePrivateFile } from './staging';
import { SplitCsvWriter } from './writer';

export interface PrepareOptions {
  mappingPath: string;
  runId: string;
  /** Staged runs live in `<stagingRoot>/<runId>`. */
  stagingRoot: string;
  dryRun?: boolean;
  /** The run's time (signals' `withinDays`, report timestamp). */
  now?: Date;
}

export interface PrepareProgress {
  rowsRead: number;
  rowsWritten: number;
}

export interface PrepareDeps {
  /** Wrapped per run in a batching cache (20 keys per call, 2 calls at once). */
  principalResolver: PrincipalResolver;
  /** Source types; the built-in ones when absent. */
  sources?: readonly SourceDefinition[];
  /** Where credentials named in the mapping are read; process.env when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  onProgress?: (progress: PrepareProgress) => void;
  /** Rows per resolution/validation/write batch. */
  batchSize?: number;
}

export const REPORT_JSON = 'preflight-report.json';
export const REPORT_MARKDOWN = 'preflight-report.md';
export const MANIFEST_JSON = 'manifest.json';

/**
 * Sources -> mapping -> validation -> staged CSV files + manifest + pre-flight report, before any session is opened.
 * Bad input (a DataInputError) does not throw: the run is `blocked` and the report says which file, line and field.
 * Anything else (cancellation, a bug, a full disk) throws, and the run folder is removed.
 */
export async function prepareUpload(options: PrepareOptions, deps: PrepareDeps): Promise<PrepareResult> {
  const now = options.now ?? new Date();
  deps.signal?.throwIfAborted();
  const { runDir, uploadDir } = await createRunFolders(options.stagingRoot, options.runId);
  const reportJsonPath = join(runDir, REPORT_JSON);
  const reportMarkdownPath = join(runDir, REPORT_MARKDOWN);
  let collector = new ReportCollector(200);
  let mapping: CompiledMapping | undefined;
  let writer: SplitCsvWriter | undefined;
  let outcome: PipelineOutcome | undefined;
  let files: StagedFile[] = [];
  let fatal: PreflightReport['fatal'];
  try {
    mapping = await loadMapping(options.mappingPath, { registry: createSourceRegistry(deps.sources), now });
    collector = new ReportCollector(mapping.report.maxListed);
    const report = collector;
    writer = new SplitCsvWriter({
      dir: uploadDir,
      prefix: mapping.output.filePrefix,
      header: mapping.layout.header,
      maxRows: mapping.output.maxRowsPerFile,
      maxBytes: mapping.output.maxBytesPerFile,
      maxFiles: mapping.output.maxFiles,
    });
    outcome = await runPipeline(
      mapping,
      {
        resolver: createCachingResolver(deps.principalResolver),
        env: deps.env ?? process.env,
        batchSize: deps.batchSize ?? 1000,
        ...(deps.dispatcher !== undefined ? { dispatcher: deps.dispatcher } : {}),
        ...(deps.signal !== undefined ? { signal: deps.signal } : {}),
        onBatch: () => deps.onProgress?.({ rowsRead: report.counts.rowsRead, rowsWritten: report.counts.rowsWritten }),
      },
      report,
      writer,
    );
    files = await writer.close();
  } catch (error) {
    await writer?.abort();
    if (!(error instanceof DataInputError)) {
      await rm(runDir, { recursive: true, force: true });
      throw error;
    }
    const { origin, field } = error.problem;
    fatal = { message: error.message, where: describeOrigin(origin), ...(field !== undefined ? { field } : {}) };
  }

  const counts = collector.counts;
  counts.unresolvedPrincipals = collector.unresolvedList().total;
  const thresholds = {
    maxRejectedShare: mapping?.thresholds.maxRejectedShare ?? 0,
    minRows: mapping?.thresholds.minRows ?? 1,
    maxFiles: mapping?.output.maxFiles ?? 10,
  };
  const rejectedShare = counts.rowsRead === 0 ? 0 : (counts.rowsRejected + counts.rowsUnresolved) / counts.rowsRead;
  const blockedReasons: string[] = [];
  if (fatal !== undefined) {
    blockedReasons.push(`bad input: ${fatal.message}`);
  } else {
    if (rejectedShare > thresholds.maxRejectedShare) {
      blockedReasons.push(
        `${counts.rowsRejected + counts.rowsUnresolved} of ${counts.rowsRead} rows (${(rejectedShare * 100).toFixed(2)} %) were rejected or have an unknown principal, ` +
          `more than thresholds.maxRejectedShare (${(thresholds.maxRejectedShare * 100).toFixed(2)} %): fix the sources or the mapping (see the report)`,
      );
    }
    if (counts.rowsWritten < thresholds.minRows) {
      blockedReasons.push(
        counts.rowsWritten === 0
          ? 'the result is empty: no row to upload (an empty upload would remove everyone\'s access from the review)'
          : `only ${counts.rowsWritten} rows to upload, fewer than thresholds.minRows (${thresholds.minRows})`,
      );
    }
    if (writer?.overflowing === true) {
      blockedReasons.push(
        `the rows need more than ${thresholds.maxFiles} files (output.maxFiles; ${writer.overflowRows} rows did not fit): raise output.maxRowsPerFile or output.maxBytesPerFile`,
      );
    }
  }
  const blocked = blockedReasons.length > 0;
  if (blocked) {
    await rm(uploadDir, { recursive: true, force: true }); // nothing of a blocked run may be uploaded
    files = [];
  }

  const report: PreflightReport = {
    version: 1,
    runId: options.runId,
    generatedAt: now.toISOString(),
    dryRun: options.dryRun === true,
    mappingFile: mapping?.file ?? options.mappingPath,
    layout: mapping?.layout.name ?? 'unknown',
    status: blocked ? 'blocked' : 'ready',
    blockedReasons,
    ...(fatal !== undefined ? { fatal } : {}),
    counts,
    rejectedShare,
    thresholds,
    sources: outcome?.sources ?? [],
    joins: (outcome?.joins ?? []).map((j) => ({ name: j.name, keys: j.size(), duplicateKeys: j.duplicateKeys, rowsMatched: j.rowsMatched, rowsUnmatched: j.rowsUnmatched })),
    signals: (mapping?.signals ?? []).map((s, i) => ({ text: s.text.text, rows: outcome?.signalRows[i] ?? 0 })),
    rejections: { total: counts.rowsRejected + counts.joinRecordsRejected, listed: collector.rejections },
    unresolved: collector.unresolvedList(),
    duplicates: { total: counts.duplicatesRemoved, listed: collector.duplicates },
    permissions: collector.permissionList(),
    files: files.map(({ name, size, sha256, rows }) => ({ name, size, sha256, rows })),
  };
  await writePrivateFile(reportJsonPath, `${JSON.stringify(report, null, 2)}\n`);
  await writePrivateFile(reportMarkdownPath, renderMarkdown(report));

  const summary: PrepareSummary = {
    rowsRead: counts.rowsRead,
    rowsWritten: counts.rowsWritten,
    rowsRejected: counts.rowsRejected,
    rowsUnresolved: counts.rowsUnresolved,
    duplicatesRemoved: counts.duplicatesRemoved,
    unresolvedPrincipals: counts.unresolvedPrincipals,
    files: files.length,
  };
  if (blocked) return { blocked: true, reason: blockedReasons.join('; '), reportJsonPath, reportMarkdownPath, summary };
  const manifest = manifestOf(files);
  await writePrivateFile(join(runDir, MANIFEST_JSON), `${JSON.stringify(manifest, null, 2)}\n`);
  return { blocked: false, manifest, reportJsonPath, reportMarkdownPath, stagingDir: runDir, summary };
}
