import { DataInputError } from './errors';
import { cellText, getPath } from './field-path';
import type { CompiledJoin } from './mapping';
import type { DataSource, SourceReadContext, SourceRecord } from './sources/types';
import { renderTemplate } from './template';
import type { RowValues } from './template';

export type ProjectedRecord = Readonly<Record<string, unknown>>;

/**
 * A joined source held in memory as key -> record(s): the one bounded exception to streaming. Only the fields the
 * mapping reads are kept, and `maxRecords` caps the size (the run fails naming the setting beyond it).
 */
export interface JoinLookup {
  name: string;
  multiple: boolean;
  records: number;
  duplicateKeys: number;
  rowsMatched: number;
  rowsUnmatched: number;
  keyOf(row: RowValues): string;
  get(key: string): readonly ProjectedRecord[] | undefined;
  size(): number;
}

export function normaliseKey(key: string, caseSensitive: boolean): string {
  return caseSensitive ? key.trim() : key.trim().toLowerCase();
}

export async function loadJoin(
  join: CompiledJoin,
  source: DataSource,
  context: SourceReadContext,
): Promise<JoinLookup> {
  const table = new Map<string, ProjectedRecord[]>();
  const keep = [...context.expectedFields.keys()]; // only the fields the mapping reads are kept
  let records = 0;
  let duplicateKeys = 0;
  // One view reused for every record (templates render synchronously), not a new object and closure per record.
  let current: SourceRecord['fields'] = {};
  const recordValues: RowValues = { values: (ref) => [cellText(getPath(current, ref.field))] };
  for await (const record of source.records(context)) {
    records += 1;
    if (records > join.maxRecords) {
      throw new DataInputError({
        origin: record.origin,
        field: `${join.settingPath}.maxRecords`,
        reason: `the joined source '${join.name}' has more than ${join.maxRecords} records, the size of its in-memory lookup`,
        hint: 'Filter the export to the people and permissions under review, or raise the limit if the worker has the memory.',
      });
    }
    current = record.fields;
    const key = normaliseKey(renderTemplate(join.joinedKey, recordValues), join.caseSensitive);
    if (key === '') continue; // a record without a key cannot match any row
    const projected: Record<string, unknown> = {};
    for (const field of keep) projected[field] = getPath(record.fields, field);
    const list = table.get(key);
    if (list === undefined) table.set(key, [projected]);
    else if (join.multiple) list.push(projected);
    else duplicateKeys += 1; // first record wins; the report shows how many keys repeat
  }
  return {
    name: join.name,
    multiple: join.multiple,
    records,
    duplicateKeys,
    rowsMatched: 0,
    rowsUnmatched: 0,
    keyOf: (row) => normaliseKey(renderTemplate(join.primaryKey, row), join.caseSensitive),
    get: (key) => table.get(key),
    size: () => table.size,
  };
}
