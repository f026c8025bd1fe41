import type { Dispatcher } from 'undici';
import { GrantKeySet } from './dedupe';
import type { RecordOrigin } from './errors';
import { cellText, getPath } from './field-path';
import { loadJoin } from './joins';
import type { JoinLookup, ProjectedRecord } from './joins';
import type { CompiledMapping } from './mapping';
import type { ReportCollector } from './report';
import type { PrincipalResolver } from './resolver';
import type { RowContext } from './signals';
import type { SourceEnvironment, SourceReadContext } from './sources/types';
import { renderTemplate } from './template';
import type { FieldRef } from './template';
import { keysToResolve, validateRow } from './validate';
import type { SplitCsvWriter } from './writer';

export interface PipelineDeps {
  resolver: PrincipalResolver;
  env: Readonly<Record<string, string | undefined>>;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Rows mapped before principals are resolved and the batch is validated and written. */
  batchSize: number;
  onBatch?: () => void;
}

export interface PipelineOutcome {
  sources: { name: string; role: 'primary' | 'join'; location: string; records: number }[];
  joins: JoinLookup[];
  signalRows: number[];
}

/** The row being mapped: one object reused for every record (templates render synchronously). */
class RowState implements RowContext {
  fields: Readonly<Record<string, unknown>> = {};
  readonly joinedRecords = new Map<string, readonly ProjectedRecord[] | undefined>();

  constructor(private readonly primary: string) {}

  values(ref: FieldRef): readonly string[] {
    if (ref.source === this.primary) return [cellText(getPath(this.fields, ref.field))];
    const records = this.joinedRecords.get(ref.source);
    if (records === undefined) return [];
    return records.map((r) => cellText(r[ref.field]));
  }

  joined(name: string): boolean {
    return this.joinedRecords.get(name) !== undefined;
  }
}

/**
 * Streams the primary source through mapping, signals, principal resolution, validation, dedupe and the writer.
 * Memory: the join lookups, one batch of rows, and one dedupe key per distinct (principal, permission, scope).
 */
export async function runPipeline(
  mapping: CompiledMapping,
  deps: PipelineDeps,
  report: ReportCollector,
  writer: SplitCsvWriter,
): Promise<PipelineOutcome> {
  const environment = (name: string): SourceEnvironment => ({
    name,
    settingPath: `sources.${name}`,
    baseDir: mapping.baseDir,
    env: deps.env,
    ...(deps.dispatcher !== undefined ? { dispatcher: deps.dispatcher } : {}),
  });
  const context = (name: string, reject: SourceReadContext['reject']): SourceReadContext => ({
    expectedFields: mapping.expectedFields.get(name) ?? new Map<string, string>(),
    reject,
    ...(deps.signal !== undefined ? { signal: deps.signal } : {}),
  });
  const sources: PipelineOutcome['sources'] = [];

  const joins: JoinLookup[] = [];
  for (const join of mapping.joins) {
    const source = join.source.build(environment(join.name));
    const lookup = await loadJoin(join, source, context(join.name, (problem) => {
      report.counts.joinRecordsRejected += 1;
      report.reject(join.name, problem.origin, problem.field, problem.reason);
    }));
    joins.push(lookup);
    sources.push({ name: join.name, role: 'join', location: source.location, records: lookup.records });
    deps.onBatch?.();
  }

  const primaryName = mapping.primary.name;
  const primary = mapping.primary.source.build(environment(primaryName));
  const row = new RowState(primaryName);
  const customDataAt = mapping.layout.columns.indexOf('CustomData');
  const signalRows = mapping.signals.map(() => 0);
  const seen = new GrantKeySet();
  const scopeAt = mapping.layout.columns.indexOf('ScopeId');
  const keysOf = keysToResolve(mapping.layout);
  let batch: { cells: string[]; origin: RecordOrigin; signals: number[] | undefined }[] = [];

  const flush = async (): Promise<void> => {
    deps.signal?.throwIfAborted(); // cancellation is checked once per batch
    const rows = batch;
    batch = [];
    const keys = rows.flatMap((r) => keysOf(r.cells));
    const resolved = keys.length > 0 ? await deps.resolver.resolve(keys, deps.signal) : new Map<string, string | null>();
    const accepted: string[][] = [];
    for (const { cells, origin, signals } of rows) {
      const verdict = validateRow(cells, mapping.layout, mapping.validation, resolved);
      if (!verdict.ok) {
        if (verdict.unresolved) report.unresolvedRow(primaryName, origin, verdict.value);
        else report.rejectRow(primaryName, origin, verdict.field, verdict.reason, verdict.value);
        continue;
      }
      const [principal, , permission] = verdict.cells as [string, string, string];
      const scope = scopeAt >= 0 ? (verdict.cells[scopeAt] as string) : '';
      if (!seen.add(principal, permission, scope)) {
        report.duplicate(primaryName, origin, [principal, permission, scope]);
        continue;
      }
      report.written(verdict.cells[2] as string, verdict.cells[3] as string);
      if (signals !== undefined) for (const i of signals) signalRows[i] = (signalRows[i] ?? 0) + 1;
      report.counts.cellsNeutralised += verdict.neutralised;
      if (verdict.truncated) report.counts.customDataTruncated += 1;
      accepted.push(verdict.cells);
    }
    await writer.writeRows(accepted);
    deps.onBatch?.();
  };

  const primaryContext = context(primaryName, (problem) => {
    report.counts.rowsRead += 1;
    report.rejectRow(primaryName, problem.origin, problem.field, problem.reason);
  });
  for await (const record of primary.records(primaryContext)) {
    report.counts.rowsRead += 1;
    row.fields = record.fields;
    for (const lookup of joins) {
      const key = lookup.keyOf(row);
      const found = key === '' ? undefined : lookup.get(key);
      row.joinedRecords.set(lookup.name, found);
      if (found !== undefined) lookup.rowsMatched += 1;
      else lookup.rowsUnmatched += 1;
    }
    const cells = mapping.columns.map((c) => renderTemplate(c.template, row));
    let matched: number[] | undefined;
    if (mapping.signals.length > 0 && customDataAt >= 0) {
      const notes: string[] = [];
      matched = [];
      const base = cells[customDataAt] as string;
      if (base.trim() !== '') notes.push(base);
      for (let i = 0; i < mapping.signals.length; i += 1) {
        const signal = mapping.signals[i] as CompiledMapping['signals'][number];
        if (!signal.when(row)) continue;
        matched.push(i);
        notes.push(renderTemplate(signal.text, row));
      }
      cells[customDataAt] = notes.join(mapping.customDataSeparator);
    }
    batch.push({ cells, origin: record.origin, signals: matched });
    if (batch.length >= deps.batchSize) await flush();
  }
  await flush();
  sources.unshift({ name: primaryName, role: 'primary', location: primary.location, records: report.counts.rowsRead });
  return { sources, joins, signalRows };
}
