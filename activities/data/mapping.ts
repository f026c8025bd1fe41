import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { DataInputError } from './errors';
import { DEFAULT_MAX_LENGTH, LAYOUTS, canonicalColumn } from './layout';
import type { UploadColumn, UploadLayout } from './layout';
import { mappingSchema } from './mapping-schema';
import type { MappingSettings } from './mapping-schema';
import { compileCondition } from './signals';
import type { Predicate } from './signals';
import type { SourceRegistry, ValidatedSource } from './sources/registry';
import { compileTemplate } from './template';
import type { FieldRef, Template } from './template';
import type { ValidationSettings } from './validate';
import { formatPath, settingIssues } from './zod-issues';
import type { SettingIssue } from './zod-issues';

export interface CompiledJoin {
  name: string;
  source: ValidatedSource;
  primaryKey: Template;
  joinedKey: Template;
  multiple: boolean;
  maxRecords: number;
  caseSensitive: boolean;
  settingPath: string;
}

export interface CompiledMapping {
  file: string;
  baseDir: string;
  layout: UploadLayout;
  primary: { name: string; source: ValidatedSource };
  joins: CompiledJoin[];
  /** One template per layout column, in layout order. */
  columns: { column: UploadColumn; template: Template }[];
  signals: { when: Predicate; text: Template }[];
  customDataSeparator: string;
  validation: ValidationSettings;
  output: MappingSettings['output'];
  thresholds: MappingSettings['thresholds'];
  report: MappingSettings['report'];
  /** Per source: the fields the mapping reads, each with the first setting that reads it. */
  expectedFields: Map<string, Map<string, string>>;
}

export interface MappingOptions {
  registry: SourceRegistry;
  /** The run's time (for `withinDays`). */
  now: Date;
}

/** Reads, parses (YAML or JSON) and validates a mapping file; every problem is listed with its line and key path. */
export async function loadMapping(path: string, options: MappingOptions): Promise<CompiledMapping> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DataInputError({ origin: { location: file }, field: 'mappingPath', reason: 'the mapping file does not exist or cannot be read', hint: 'Check the path.' }, { cause });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const line = firstError.linePos?.[0].line;
    throw new DataInputError({
      origin: line !== undefined ? { location: file, line } : { location: file },
      reason: `the mapping is not valid YAML/JSON (${firstError.message.split('\n')[0] ?? firstError.code})`,
      hint: 'Fix the syntax; see examples/ for a working mapping.',
    });
  }
  const locate = (issuePath: readonly (string | number)[]): number | undefined => {
    for (let n = issuePath.length; n >= 0; n -= 1) {
      const node = doc.getIn(issuePath.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return compileMapping(doc.toJS() as unknown, file, options, locate);
}

export function compileMapping(
  raw: unknown,
  file: string,
  options: MappingOptions,
  locate: (path: readonly (string | number)[]) => number | undefined = () => undefined,
): CompiledMapping {
  const fail = (issues: SettingIssue[]): never => {
    const lines = issues.map((issue) => {
      const line = locate(issue.path);
      return `  - ${line !== undefined ? `line ${line}: ` : ''}${formatPath(issue.path)}: ${issue.message}`;
    });
    throw new DataInputError({
      origin: { location: file },
      reason: `the mapping is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      hint: 'Fix these settings; docs/data-preparation.md describes each one.',
    });
  };
  if (raw === null || raw === undefined) fail([{ path: [], message: 'the mapping file is empty' }]);
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    // Report the sources' own settings too, so one round of fixes is enough.
    const rawSources = (raw as { sources?: unknown }).sources;
    const sourceIssues =
      rawSources !== null && typeof rawSources === 'object' && !Array.isArray(rawSources)
        ? Object.entries(rawSources).flatMap(([name, value]) => {
            const result = options.registry.validate(value, ['sources', name]);
            return Array.isArray(result) ? result : [];
          })
        : [];
    const known = new Set(settingIssues(parsed.error).map((i) => formatPath(i.path)));
    return fail([...settingIssues(parsed.error), ...sourceIssues.filter((i) => !known.has(formatPath(i.path)))]);
  }
  const settings = parsed.data;
  const issues: SettingIssue[] = [];
  const layout = LAYOUTS[settings.layout];

  // Sources: each validated by its own type's schema.
  const validated = new Map<string, ValidatedSource>();
  for (const [name, sourceSettings] of Object.entries(settings.sources)) {
    const result = options.registry.validate(sourceSettings, ['sources', name]);
    if (Array.isArray(result)) issues.push(...result);
    else validated.set(name, result);
  }
  if (!(settings.primary in settings.sources)) {
    issues.push({ path: ['primary'], message: `'${settings.primary}' is not in sources (${Object.keys(settings.sources).join(', ')})` });
  }
  const primaryType = (settings.sources[settings.primary] as { type?: unknown } | undefined)?.type;

  const expectedFields = new Map<string, Map<string, string>>();
  const use = (ref: FieldRef, setting: string): void => {
    const fields = expectedFields.get(ref.source) ?? new Map<string, string>();
    if (!fields.has(ref.field)) fields.set(ref.field, setting);
    expectedFields.set(ref.source, fields);
  };
  const template = (text: string, path: (string | number)[], allowed: ReadonlySet<string>): Template => {
    try {
      const compiled = compileTemplate(text);
      for (const ref of compiled.refs) {
        if (!allowed.has(ref.source)) {
          issues.push({ path, message: `'{${ref.source}.${ref.field}}' must name ${[...allowed].map((s) => `'${s}'`).join(' or ')}` });
        } else {
          use(ref, formatPath(path));
        }
      }
      return compiled;
    } catch (error) {
      issues.push({ path, message: (error as Error).message });
      return compileTemplate('');
    }
  };

  // Joins.
  const joinNames = new Set<string>();
  const joins: CompiledJoin[] = [];
  settings.joins.forEach((join, i) => {
    const path = ['joins', i];
    if (!(join.source in settings.sources)) issues.push({ path: [...path, 'source'], message: `'${join.source}' is not in sources` });
    else if (join.source === settings.primary) issues.push({ path: [...path, 'source'], message: 'the primary source cannot be joined to itself' });
    else if (joinNames.has(join.source)) issues.push({ path: [...path, 'source'], message: `'${join.source}' is joined twice` });
    joinNames.add(join.source);
    const source = validated.get(join.source);
    const primaryKey = template(join.on.primary, [...path, 'on', 'primary'], new Set([settings.primary]));
    const joinedKey = template(join.on.joined, [...path, 'on', 'joined'], new Set([join.source]));
    if (source !== undefined) {
      joins.push({ name: join.source, source, primaryKey, joinedKey, multiple: join.multiple, maxRecords: join.maxRecords, caseSensitive: join.caseSensitive, settingPath: `joins[${i}]` });
    }
  });
  for (const name of Object.keys(settings.sources)) {
    if (name !== settings.primary && !joinNames.has(name)) {
      issues.push({ path: ['sources', name], message: `source '${name}' is neither the primary source nor joined: join it or remove it` });
    }
  }
  const rowSources = new Set([settings.primary, ...joinNames]);

  // Columns: templates, constants, then defaults.
  const given = new Map<UploadColumn, Template>();
  const addColumn = (key: string, path: (string | number)[], build: () => Template): void => {
    const column = canonicalColumn(key);
    if (column === undefined || !layout.columns.includes(column)) {
      issues.push({ path, message: `'${key}' is not a column of the ${layout.name} layout (${layout.header.join(', ')})` });
      return;
    }
    if (given.has(column)) {
      issues.push({ path, message: `the column ${column} is given twice (columns and constants, or two spellings)` });
      return;
    }
    given.set(column, build());
  };
  for (const [key, text] of Object.entries(settings.columns)) addColumn(key, ['columns', key], () => template(text, ['columns', key], rowSources));
  for (const [key, value] of Object.entries(settings.constants)) addColumn(key, ['constants', key], () => ({ text: value, parts: [value], refs: [] }));
  const columns = layout.columns.map((column) => {
    const known = given.get(column);
    if (known !== undefined) return { column, template: known };
    if (primaryType === 'upload-csv') {
      return { column, template: template(`{${settings.primary}.${column}}`, ['columns', column], rowSources) };
    }
    if (column === 'PrincipalType') {
      const value = layout.name === '11-column' ? 'EntraIdUser' : 'user';
      return { column, template: compileTemplate(value) };
    }
    if (column === 'PermissionDescription' || column.startsWith('EntitlementOwners') || column === 'CustomData') {
      return { column, template: compileTemplate('') };
    }
    issues.push({ path: ['columns'], message: `no value for the required column ${column}: add columns.${column} or constants.${column}` });
    return { column, template: compileTemplate('') };
  });

  // Signals.
  if (settings.signals.length > 0 && layout.name !== '11-column') {
    issues.push({ path: ['signals'], message: 'signals write CustomData, which only the 11-column layout has: set layout: 11-column' });
  }
  const scope = { sources: rowSources, joins: joinNames, now: options.now, use };
  const signals = settings.signals.map((signal, i) => ({
    when: compileCondition(signal.when, ['signals', i, 'when'], scope, issues),
    text: template(signal.text, ['signals', i, 'text'], rowSources),
  }));

  const maxLength = { ...DEFAULT_MAX_LENGTH };
  for (const [key, value] of Object.entries(settings.validation.maxLength)) {
    const column = canonicalColumn(key);
    if (column === undefined) issues.push({ path: ['validation', 'maxLength', key], message: `'${key}' is not an upload column` });
    else maxLength[column] = value;
  }
  if (issues.length > 0) fail(issues);

  return {
    file,
    baseDir: dirname(file),
    layout,
    primary: { name: settings.primary, source: validated.get(settings.primary) as ValidatedSource },
    joins,
    columns,
    signals,
    customDataSeparator: settings.customDataSeparator,
    validation: { requireOwners: settings.validation.requireOwners, maxOwners: settings.validation.maxOwners, maxLength },
    output: settings.output,
    thresholds: settings.thresholds,
    report: settings.report,
    expectedFields,
  };
}
