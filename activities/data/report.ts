import type { RecordOrigin } from './errors';
import { describeOrigin } from './errors';

/** A listed problem: where (file and line, or URL and index), which field, why, and the offending value. */
export interface ReportEntry {
  source: string;
  where: string;
  field: string;
  reason: string;
  value?: string;
}

export interface PreflightReport {
  version: 1;
  runId: string;
  generatedAt: string;
  dryRun: boolean;
  mappingFile: string;
  layout: string;
  status: 'ready' | 'blocked';
  blockedReasons: string[];
  /** A bad input that stopped the preparation (file, line, field, what to do). */
  fatal?: { message: string; where?: string; field?: string };
  counts: {
    rowsRead: number;
    rowsWritten: number;
    rowsRejected: number;
    rowsUnresolved: number;
    duplicatesRemoved: number;
    unresolvedPrincipals: number;
    /** Records of joined sources that could not be read (listed with the rejections). */
    joinRecordsRejected: number;
    cellsNeutralised: number;
    customDataTruncated: number;
  };
  /** (rejected + unresolved) / read. */
  rejectedShare: number;
  thresholds: { maxRejectedShare: number; minRows: number; maxFiles: number };
  sources: { name: string; role: 'primary' | 'join'; location: string; records: number }[];
  joins: { name: string; keys: number; duplicateKeys: number; rowsMatched: number; rowsUnmatched: number }[];
  /** Written rows each signal annotated. */
  signals: { text: string; rows: number }[];
  rejections: { total: number; listed: ReportEntry[] };
  unresolved: { total: number; listed: { key: string; rows: number; firstSeen: string }[] };
  duplicates: { total: number; listed: ReportEntry[] };
  permissions: { permissionId: string; permissionName: string; rows: number }[];
  files: { name: string; size: number; sha256: string; rows: number }[];
}

const MAX_PERMISSIONS = 10_000;

/** Collects counts and a capped list of entries while rows stream through; everything is counted, lists are capped. */
export class ReportCollector {
  readonly counts: PreflightReport['counts'] = {
    rowsRead: 0,
    rowsWritten: 0,
    rowsRejected: 0,
    rowsUnresolved: 0,
    duplicatesRemoved: 0,
    unresolvedPrincipals: 0,
    joinRecordsRejected: 0,
    cellsNeutralised: 0,
    customDataTruncated: 0,
  };
  readonly rejections: ReportEntry[] = [];
  readonly duplicates: ReportEntry[] = [];
  private readonly unresolved = new Map<string, { rows: number; firstSeen: string }>();
  private readonly permissions = new Map<string, { name: string; rows: number }>();
  otherPermissionRows = 0;

  constructor(private readonly maxListed: number) {}

  reject(source: string, origin: RecordOrigin, field: string, reason: string, value?: string): void {
    if (this.rejections.length < this.maxListed) {
      this.rejections.push({ source, where: describeOrigin(origin), field, reason, ...(value !== undefined && value !== '' ? { value } : {}) });
    }
  }

  rejectRow(source: string, origin: RecordOrigin, field: string, reason: string, value?: string): void {
    this.counts.rowsRejected += 1;
    this.reject(source, origin, field, reason, value);
  }

  unresolvedRow(source: string, origin: RecordOrigin, key: string): void {
    this.counts.rowsUnresolved += 1;
    const normalised = key.toLowerCase();
    const known = this.unresolved.get(normalised);
    if (known !== undefined) known.rows += 1;
    else this.unresolved.set(normalised, { rows: 1, firstSeen: `${source}: ${describeOrigin(origin)}` });
  }

  duplicate(source: string, origin: RecordOrigin, [principal, permission, scope]: [string, string, string]): void {
    this.counts.duplicatesRemoved += 1;
    if (this.duplicates.length < this.maxListed) {
      this.duplicates.push({ source, where: describeOrigin(origin), field: '(row)', reason: 'same principal, permission and scope as an earlier row', value: [principal, permission, scope].filter((v) => v !== '').join(' / ') });
    }
  }

  written(permissionId: string, permissionName: string): void {
    this.counts.rowsWritten += 1;
    const known = this.permissions.get(permissionId);
    if (known !== undefined) known.rows += 1;
    else if (this.permissions.size < MAX_PERMISSIONS) this.permissions.set(permissionId, { name: permissionName, rows: 1 });
    else this.otherPermissionRows += 1;
  }

  unresolvedList(): PreflightReport['unresolved'] {
    const listed = [...this.unresolved].slice(0, this.maxListed).map(([key, v]) => ({ key, ...v }));
    return { total: this.unresolved.size, listed };
  }

  permissionList(): PreflightReport['permissions'] {
    const list = [...this.permissions].map(([permissionId, v]) => ({ permissionId, permissionName: v.name, rows: v.rows }));
    list.sort((a, b) => b.rows - a.rows || a.permissionId.localeCompare(b.permissionId));
    if (this.otherPermissionRows > 0) list.push({ permissionId: '(others)', permissionName: `more than ${MAX_PERMISSIONS} permissions`, rows: this.otherPermissionRows });
    return list;
  }
}

const cell = (value: string | number): string => String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The report for people: what would be uploaded, what was left out and why. */
export function renderMarkdown(report: PreflightReport): string {
  const c = report.counts;
  const out: string[] = [];
  out.push(`# Pre-flight report: ${cell(report.runId)}`, '');
  out.push(report.status === 'ready' ? '**Status: ready to upload**' : '**Status: BLOCKED: nothing will be uploaded**', '');
  for (const reason of report.blockedReasons) out.push(`- ${reason}`);
  if (report.blockedReasons.length > 0) out.push('');
  out.push(`Generated ${report.generatedAt}${report.dryRun ? ' (dry run: no session is opened)' : ''}. Mapping: \`${report.mappingFile}\`, layout ${report.layout}.`, '');
  out.push('## Summary', '', '| | rows |', '|---|---:|');
  out.push(`| read from the primary source | ${c.rowsRead} |`, `| written to upload files | ${c.rowsWritten} |`);
  out.push(`| rejected (bad values) | ${c.rowsRejected} |`, `| principal not found in Entra ID | ${c.rowsUnresolved} |`);
  out.push(`| duplicates removed | ${c.duplicatesRemoved} |`);
  out.push('', `Rejected share ${(report.rejectedShare * 100).toFixed(2)} % (limit ${(report.thresholds.maxRejectedShare * 100).toFixed(2)} %); ` +
    `minimum rows ${report.thresholds.minRows}; at most ${report.thresholds.maxFiles} files. ` +
    `${c.unresolvedPrincipals} distinct unresolved principals; ${c.cellsNeutralised} cells neutralised against formula injection; ` +
    `${c.customDataTruncated} CustomData cells shortened; ${c.joinRecordsRejected} joined-source records unreadable.`, '');
  out.push('## Files to upload', '');
  if (report.files.length === 0) out.push('None.', '');
  else {
    out.push('| file | rows | bytes | sha256 |', '|---|---:|---:|---|');
    for (const f of report.files) out.push(`| ${cell(f.name)} | ${f.rows} | ${f.size} | \`${f.sha256}\` |`);
    out.push('');
  }
  out.push('## Rows per permission', '');
  if (report.permissions.length === 0) out.push('None.', '');
  else {
    out.push('| permission id | name | rows |', '|---|---|---:|');
    for (const p of report.permissions) out.push(`| ${cell(p.permissionId)} | ${cell(p.permissionName)} | ${p.rows} |`);
    out.push('');
  }
  const listed = (title: string, total: number, entries: ReportEntry[]): void => {
    out.push(`## ${title} (${total}${entries.length < total ? `, first ${entries.length} listed` : ''})`, '');
    if (entries.length === 0) {
      out.push('None.', '');
      return;
    }
    out.push('| source | where | field | reason | value |', '|---|---|---|---|---|');
    for (const e of entries) out.push(`| ${cell(e.source)} | ${cell(e.where)} | ${cell(e.field)} | ${cell(e.reason)} | ${cell(e.value ?? '')} |`);
    out.push('');
  };
  listed('Rejected rows', c.rowsRejected + c.joinRecordsRejected, report.rejections.listed);
  out.push(`## Principals not found in Entra ID (${report.unresolved.total})`, '');
  if (report.unresolved.listed.length === 0) out.push('None.', '');
  else {
    out.push('| UPN / e-mail | rows | first seen |', '|---|---:|---|');
    for (const u of report.unresolved.listed) out.push(`| ${cell(u.key)} | ${u.rows} | ${cell(u.firstSeen)} |`);
    out.push('');
  }
  listed('Duplicates removed', c.duplicatesRemoved, report.duplicates.listed);
  out.push('## Sources', '', '| source | role | records | location |', '|---|---|---:|---|');
  for (const s of report.sources) out.push(`| ${cell(s.name)} | ${s.role} | ${s.records} | ${cell(s.location)} |`);
  out.push('');
  if (report.joins.length > 0) {
    out.push('## Joins', '', '| join | keys | duplicate keys | rows matched | rows unmatched |', '|---|---:|---:|---:|---:|');
    for (const j of report.joins) out.push(`| ${cell(j.name)} | ${j.keys} | ${j.duplicateKeys} | ${j.rowsMatched} | ${j.rowsUnmatched} |`);
    out.push('');
  }
  if (report.signals.length > 0) {
    out.push('## Reviewer context (signals)', '', '| signal | rows |', '|---|---:|');
    for (const s of report.signals) out.push(`| ${cell(s.text)} | ${s.rows} |`);
    out.push('');
  }
  if (report.fatal !== undefined) out.push('## Error', '', '```', report.fatal.message, '```', '');
  return out.join('\n');
}
