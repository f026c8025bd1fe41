import { createReadStream } from 'node:fs';
import { addAbortSignal } from 'node:stream';
import { parse } from 'csv-parse';
import type { FileProcessing, RowError } from './model';

/**
 * What Entra does after `isUploadDone`: read each CSV (streamed) and check it against the two documented layouts
 * (graph-api.md §3). Graph does not expose the result; the emulator records it for the admin API.
 */

const SIX_COLUMNS = ['principalid', 'principaltype', 'permissionid', 'permissionname', 'permissiondescription', 'permissiontype'];
const ELEVEN_COLUMNS = [
  ...SIX_COLUMNS,
  'scopeid',
  'scopedisplayname',
  'entitlementowners_users',
  'entitlementowners_groups',
  'customdata',
];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRINCIPAL_TYPES = new Set(['entraiduser', 'user']);

export interface ProcessingOptions {
  /** Is this an object id of a user in the directory? (How-to: PrincipalId must be a valid user.) */
  isKnownUser(id: string): boolean;
  errorLimit: number;
  signal?: AbortSignal;
}

function layoutOf(header: string[]): { layout?: FileProcessing['layout']; errors: RowError[] } {
  const names = header.map((h) => h.trim().toLowerCase());
  const errors: RowError[] = [];
  const expected = names.length > SIX_COLUMNS.length || names.some((n) => ELEVEN_COLUMNS.slice(6).includes(n)) ? ELEVEN_COLUMNS : SIX_COLUMNS;
  for (const column of expected) {
    if (!names.includes(column)) errors.push({ line: 1, column, message: `missing column '${column}' (headers compare case-insensitively)` });
  }
  names.forEach((name, i) => {
    if (!expected.includes(name)) errors.push({ line: 1, column: header[i], message: `unknown column '${header[i] ?? ''}'` });
    else if (names.indexOf(name) !== i) errors.push({ line: 1, column: header[i], message: `column '${header[i] ?? ''}' appears twice` });
  });
  if (errors.length > 0) return { errors };
  return { layout: expected === ELEVEN_COLUMNS ? '11-column' : '6-column', errors };
}

function checkRow(record: Record<string, string>, line: number, options: ProcessingOptions): RowError[] {
  const errors: RowError[] = [];
  const principalId = (record.principalid ?? '').trim();
  if (principalId === '') errors.push({ line, column: 'PrincipalId', message: 'PrincipalId is empty' });
  else if (!GUID.test(principalId)) errors.push({ line, column: 'PrincipalId', message: `PrincipalId '${principalId}' is not an object id (GUID)` });
  else if (!options.isKnownUser(principalId)) errors.push({ line, column: 'PrincipalId', message: `PrincipalId '${principalId}' is not a user in the directory` });
  const principalType = (record.principaltype ?? '').trim();
  if (!PRINCIPAL_TYPES.has(principalType.toLowerCase())) {
    errors.push({ line, column: 'PrincipalType', message: `PrincipalType '${principalType}' is not supported (use EntraIdUser)` });
  }
  for (const [key, column] of [['permissionid', 'PermissionId'], ['permissionname', 'PermissionName']] as const) {
    if ((record[key] ?? '').trim() === '') errors.push({ line, column, message: `${column} is empty` });
  }
  return errors;
}

export async function processCsvFile(file: string, options: ProcessingOptions): Promise<FileProcessing> {
  const result: FileProcessing = { state: 'done', rowCount: 0, errorCount: 0, errors: [] };
  const addErrors = (errors: RowError[]): void => {
    result.errorCount += errors.length;
    for (const error of errors) if (result.errors.length < options.errorLimit) result.errors.push(error);
  };
  let header: string[] | undefined;
  let columnKeys: string[] = [];
  const source = createReadStream(file);
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  // pipe() does not carry errors or aborts along: wire both ways so the loop below always ends.
  source.on('error', (error) => parser.destroy(error));
  parser.on('close', () => source.destroy());
  if (options.signal !== undefined) addAbortSignal(options.signal, parser);
  source.pipe(parser);
  try {
    for await (const item of parser) {
      const { record, info } = item as { record: string[]; info: { lines: number } };
      if (header === undefined) {
        header = record;
        const { layout, errors } = layoutOf(header);
        addErrors(errors);
        if (layout === undefined) return { ...result, state: 'failed', message: 'the header matches neither documented layout' };
        result.layout = layout;
        columnKeys = header.map((name) => name.trim().toLowerCase());
        continue;
      }
      result.rowCount += 1;
      if (record.length !== header.length) {
        addErrors([{ line: info.lines, message: `expected ${header.length} fields, found ${record.length}` }]);
        continue;
      }
      const byName: Record<string, string> = {};
      columnKeys.forEach((key, i) => {
        byName[key] = record[i] ?? '';
      });
      addErrors(checkRow(byName, info.lines, options));
    }
  } catch (error) {
    return { ...result, state: 'failed', message: `CSV could not be parsed: ${(error as Error).message}` };
  }
  if (header === undefined) return { ...result, state: 'failed', message: 'the file has no header row' };
  return result;
}
