/**
 * The one interface every source implements. A source module exports a `SourceDefinition`: its `type` (the key in
 * the mapping's `sources.<name>.type`), a strict zod schema for its settings, and a factory. The registry
 * (./registry.ts) is the only place that lists them; nothing else knows a source's type.
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { RecordOrigin } from '../errors';

export type FieldValue = unknown;

/** One record with where it came from, for error messages. Field values are strings (CSV) or JSON values. */
export interface SourceRecord {
  fields: Readonly<Record<string, FieldValue>>;
  origin: RecordOrigin;
}

/** A record-level problem that does not stop the source: listed in the report, the record is skipped. */
export interface RecordProblem {
  origin: RecordOrigin;
  field: string;
  reason: string;
}

export interface SourceReadContext {
  signal?: AbortSignal;
  /**
   * Fields the mapping reads from this source, each with the mapping setting that needs it. Sources with a header
   * check these before the first record and fail naming the column, the file and the setting.
   */
  expectedFields: ReadonlyMap<string, string>;
  /** Report a bad record and go on. */
  reject(problem: RecordProblem): void;
}

export interface DataSource {
  /** The source's name in the mapping. */
  readonly name: string;
  /** File path or URL, for the report. */
  readonly location: string;
  records(context: SourceReadContext): AsyncIterable<SourceRecord>;
}

/** What a source factory receives besides its own settings. */
export interface SourceEnvironment {
  /** The source's name in the mapping (`sources.<name>`). */
  name: string;
  /** `sources.<name>`: prefix for settings named in error messages. */
  settingPath: string;
  /** Folder of the mapping file: relative paths resolve against it. */
  baseDir: string;
  /** Environment variables (credentials are read from variables the mapping names). */
  env: Readonly<Record<string, string | undefined>>;
  /** The process's HTTP dispatcher (one per process); undici's global one when absent. */
  dispatcher?: Dispatcher;
}

export interface SourceDefinition<Settings = unknown> {
  type: string;
  /** Strict schema of `sources.<name>` (including `type`). */
  settingsSchema: z.ZodType<Settings>;
  create(settings: Settings, environment: SourceEnvironment): DataSource;
}

/** Widens a typed definition for the registry's list (the registry parses settings with the definition's own schema). */
export function defineSource<Settings>(definition: SourceDefinition<Settings>): SourceDefinition {
  return definition;
}
