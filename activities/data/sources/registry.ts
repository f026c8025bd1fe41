import { csvFileSource } from './csv-file';
import { httpJsonSource } from './http-json';
import { jsonArraySource } from './json-array';
import { ndjsonSource } from './ndjson';
import { serviceNowSource } from './servicenow';
import type { DataSource, SourceDefinition, SourceEnvironment } from './types';
import { uploadCsvSource } from './upload-csv';
import { settingIssues } from '../zod-issues';
import type { SettingIssue } from '../zod-issues';

/** The sources this project ships. A new source is a module exporting a SourceDefinition, added to this list. */
export const builtinSources: readonly SourceDefinition[] = [
  csvFileSource,
  uploadCsvSource,
  jsonArraySource,
  ndjsonSource,
  httpJsonSource,
  serviceNowSource,
];

/** Settings that passed their source's schema, ready to build the source when the run starts. */
export interface ValidatedSource {
  type: string;
  build(environment: SourceEnvironment): DataSource;
}

export interface SourceRegistry {
  types(): string[];
  /** Validates `sources.<name>` with the source type's own strict schema; issues carry the mapping key path. */
  validate(settings: unknown, path: readonly (string | number)[]): ValidatedSource | SettingIssue[];
}

export function createSourceRegistry(definitions: readonly SourceDefinition[] = builtinSources): SourceRegistry {
  const byType = new Map(definitions.map((d) => [d.type, d]));
  return {
    types: () => [...byType.keys()],
    validate(settings, path) {
      const type = (settings as { type?: unknown } | null)?.type;
      const definition = typeof type === 'string' ? byType.get(type) : undefined;
      if (definition === undefined) {
        return [{ path: [...path, 'type'], message: `unknown source type ${JSON.stringify(type)}: expected one of ${[...byType.keys()].join(', ')}` }];
      }
      const parsed = definition.settingsSchema.safeParse(settings);
      if (!parsed.success) return settingIssues(parsed.error, path);
      const validSettings = parsed.data;
      return { type: definition.type, build: (environment) => definition.create(validSettings, environment) };
    },
  };
}
