import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { z } from 'zod';
import { DataInputError } from '../errors';
import type { SourceReadContext, SourceRecord } from './types';
import { assertReadableNonEmpty } from './text-file';
import { createUtf8Guard } from './utf8';

/** CSV settings shared by the CSV sources. */
export const csvOptionsShape = {
  path: z.string().min(1),
  /** One character or a short string; `\t` for tab-separated files. */
  delimiter: z.string().min(1).max(4).default(','),
  quote: z.string().length(1).default('"'),
  /** Escape character inside quoted fields; RFC 4180 doubles the quote. */
  escape: z.string().length(1).default('"'),
  /** Longest record accepted, in characters; a longer one usually means an unclosed quote. */
  maxRecordSize: z.number().int().positive().default(1_048_576),
};

/** The CSV settings as their schema gives them (defaults applied), `path` resolved to an absolute path. */
export interface CsvReadOptions extends z.infer<z.ZodObject<typeof csvOptionsShape>> {
  settingPath: string;
  /** Renames header cells (e.g. to canonical upload column names); returns undefined to keep a cell as is. */
  renameHeader?: (cell: string) => string | undefined;
}

const OTHER_DELIMITERS = [',', ';', '\t', '|'];

/** Reads a CSV file as records keyed by its header, streaming; the file is never held in memory. */
export async function* readCsvRecords(options: CsvReadOptions, context: SourceReadContext): AsyncGenerator<SourceRecord> {
  const location = options.path;
  context.signal?.throwIfAborted();
  await assertReadableNonEmpty(options.path, options.settingPath, 'Export it again; an export with no rows still needs its header row.');

  const parser = parse({
    bom: true,
    delimiter: options.delimiter,
    quote: options.quote,
    escape: options.escape,
    max_record_size: options.maxRecordSize,
    relax_column_count: true, // ragged rows are rejected one by one below, not fatal
    // Empty lines come through as [''] and are skipped below. Line numbers are counted here rather than with
    // `info: true`, whose two object copies per record cost about 10 % of the preparation's time.
    skip_empty_lines: false,
  });
  const input = createReadStream(options.path, { highWaterMark: 256 * 1024 });
  pipeline(input, createUtf8Guard(location), parser, () => {
    // Errors surface through the parser's async iterator; nothing to do here.
  });
  const abort = (): void => {
    parser.destroy(context.signal?.reason instanceof Error ? context.signal.reason : new Error('aborted'));
  };
  context.signal?.addEventListener('abort', abort, { once: true });

  let names: string[] | undefined;
  let nextLine = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      nextLine += 1 + newlinesIn(record);
      if (record.length === 1 && record[0] === '') continue; // an empty line
      if (names === undefined) {
        names = checkHeader(record, line, options, context);
        continue;
      }
      if (record.length !== names.length) {
        context.reject({
          origin: { location, line },
          field: '(row)',
          reason:
            `has ${record.length} fields, the header has ${names.length}; ` +
            'check the quoting of this row (a field with the delimiter must be quoted) or the delimiter setting',
        });
        continue;
      }
      const fields: Record<string, string> = {};
      for (let i = 0; i < names.length; i += 1) fields[names[i] as string] = record[i] as string;
      yield { fields, origin: { location, line } };
    }
  } catch (error) {
    throw translateCsvError(error, options);
  } finally {
    context.signal?.removeEventListener('abort', abort);
    input.destroy();
  }
  if (names === undefined) {
    throw new DataInputError({
      origin: { location },
      reason: 'the file has no header row (it holds only empty lines)',
      hint: 'Export the file again with its header row.',
    });
  }
}

/** Line breaks inside quoted fields: the record spans that many more lines. */
function newlinesIn(record: string[]): number {
  let count = 0;
  for (const field of record) {
    let at = field.indexOf('\n');
    while (at !== -1) {
      count += 1;
      at = field.indexOf('\n', at + 1);
    }
  }
  return count;
}

function checkHeader(header: string[], line: number, options: CsvReadOptions, context: SourceReadContext): string[] {
  const origin = { location: options.path, line };
  const names = header.map((cell) => {
    const trimmed = cell.trim();
    return options.renameHeader?.(trimmed) ?? trimmed;
  });
  const otherDelimiter = OTHER_DELIMITERS.find((d) => d !== options.delimiter && header.some((cell) => cell.includes(d)));
  const delimiterHint =
    otherDelimiter !== undefined
      ? ` The header contains '${otherDelimiter === '\t' ? '\\t' : otherDelimiter}': if that is the file's delimiter, set ${options.settingPath}.delimiter to it.`
      : '';
  if (names.length === 1 && otherDelimiter !== undefined && context.expectedFields.size > 1) {
    throw new DataInputError({
      origin,
      field: `${options.settingPath}.delimiter`,
      reason: `the header has a single column with the delimiter '${options.delimiter === '\t' ? '\\t' : options.delimiter}' (wrong delimiter?)`,
      hint: delimiterHint.trim(),
    });
  }
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    if (name === '') {
      throw new DataInputError({
        origin,
        field: `column ${index + 1}`,
        reason: 'the header cell is empty (missing header)',
        hint: 'Give every column a name in the export.',
      });
    }
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new DataInputError({
        origin,
        field: name,
        reason: `the header names '${name}' twice (columns ${first + 1} and ${index + 1}; names compare case-insensitively)`,
        hint: 'Rename or remove one of the columns in the export.',
      });
    }
    seen.set(key, index);
  });
  // Fields the mapping reads: matched exactly, else case-insensitively (renamed to the mapping's spelling).
  for (const [field, setting] of context.expectedFields) {
    if (names.includes(field)) continue;
    const index = seen.get(field.toLowerCase());
    if (index !== undefined) {
      names[index] = field;
      continue;
    }
    throw new DataInputError({
      origin,
      field,
      reason: `the column '${field}' that the mapping reads (${setting}) is not in the header (found: ${names.join(', ')})`,
      hint: `Fix the mapping or the export.${delimiterHint}`,
    });
  }
  return names;
}

function translateCsvError(error: unknown, options: CsvReadOptions): unknown {
  if (!(error instanceof CsvError)) return error;
  const line = (error as CsvError & { lines?: number }).lines;
  const origin = line !== undefined ? { location: options.path, line } : { location: options.path };
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return new DataInputError(
      {
        origin,
        field: `${options.settingPath}.maxRecordSize`,
        reason: `a record is longer than ${options.maxRecordSize} characters`,
        hint: 'A quote is probably not closed, or the export put a huge value in one row; fix the export or raise the setting.',
      },
      { cause: error },
    );
  }
  const quoting = error.code.includes('QUOTE');
  return new DataInputError(
    {
      origin,
      reason: `the CSV cannot be parsed (${error.code}: ${error.message})`,
      hint: quoting
        ? `Check the quoting (fields with the delimiter, quotes or newlines must be quoted, quotes doubled) and ${options.settingPath}.quote/escape.`
        : `Check ${options.settingPath}.delimiter and the export's format.`,
    },
    { cause: error },
  );
}
