import { resolve } from 'node:path';
import { z } from 'zod';
import { DataInputError } from '../errors';
import { isJsonObject } from '../field-path';
import { JsonArrayScanner, JsonScanError } from './json-scanner';
import { readTextChunks } from './text-file';
import { defineSource } from './types';

/** A JSON file holding an array of objects (or `{ "<recordsKey>": [ ... ] }`), read element by element. */
export const jsonArraySource = defineSource({
  type: 'json-array',
  settingsSchema: z.strictObject({
    type: z.literal('json-array'),
    path: z.string().min(1),
    /** Top-level key holding the array, for exports wrapped in an object (ServiceNow's `records`/`result`). */
    recordsKey: z.string().min(1).optional(),
    maxRecordSize: z.number().int().positive().default(1_048_576),
  }),
  create(settings, environment) {
    const path = resolve(environment.baseDir, settings.path);
    return {
      name: environment.name,
      location: path,
      async *records(context) {
        const scanner = new JsonArrayScanner(settings.recordsKey, settings.maxRecordSize);
        try {
          for await (const text of readTextChunks(path, environment.settingPath, context.signal)) {
            for (const element of scanner.push(text)) {
              const origin = { location: path, line: element.line, index: element.index };
              let value: unknown;
              try {
                value = JSON.parse(element.text);
              } catch (error) {
                context.reject({ origin, field: '(record)', reason: `invalid JSON (${(error as Error).message})` });
                continue;
              }
              if (!isJsonObject(value)) {
                context.reject({ origin, field: '(record)', reason: 'the array element is not an object' });
                continue;
              }
              yield { fields: value, origin };
            }
          }
          scanner.end();
        } catch (error) {
          if (!(error instanceof JsonScanError)) throw error;
          const field = error.message.includes('longer than') ? `${environment.settingPath}.maxRecordSize` : undefined;
          throw new DataInputError(
            { origin: { location: path, line: error.line }, ...(field !== undefined ? { field } : {}), reason: error.message, hint: 'Check the export is complete, valid JSON.' },
            { cause: error },
          );
        }
      },
    };
  },
});
