import { resolve } from 'node:path';
import { z } from 'zod';
import { DataInputError } from '../errors';
import { isJsonObject } from '../field-path';
import { readTextChunks } from './text-file';
import { defineSource } from './types';

/** Newline-delimited JSON: one object per line; blank lines are skipped, a bad line is rejected on its own. */
export const ndjsonSource = defineSource({
  type: 'ndjson',
  settingsSchema: z.strictObject({
    type: z.literal('ndjson'),
    path: z.string().min(1),
    maxRecordSize: z.number().int().positive().default(1_048_576),
  }),
  create(settings, environment) {
    const path = resolve(environment.baseDir, settings.path);
    return {
      name: environment.name,
      location: path,
      async *records(context) {
        let pending = '';
        let lineNumber = 0;
        let index = 0;
        const tooLong = (): DataInputError =>
          new DataInputError({
            origin: { location: path, line: lineNumber + 1 },
            field: `${environment.settingPath}.maxRecordSize`,
            reason: `a line is longer than ${settings.maxRecordSize} characters`,
            hint: 'Fix the export or raise the setting.',
          });
        function* lines(text: string, final: boolean): Generator<{ line: string; number: number }> {
          let from = 0;
          let at = text.indexOf('\n');
          while (at !== -1) {
            lineNumber += 1;
            if (at - from > settings.maxRecordSize) throw tooLong();
            yield { line: text.slice(from, at), number: lineNumber };
            from = at + 1;
            at = text.indexOf('\n', from);
          }
          pending = text.slice(from);
          if (pending.length > settings.maxRecordSize) throw tooLong();
          if (final && pending !== '') {
            lineNumber += 1;
            yield { line: pending, number: lineNumber };
            pending = '';
          }
        }
        const parse = (line: string, number: number): Record<string, unknown> | undefined => {
          const text = line.endsWith('\r') ? line.slice(0, -1) : line;
          if (text.trim() === '') return undefined;
          const origin = { location: path, line: number, index };
          index += 1;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (error) {
            context.reject({ origin, field: '(record)', reason: `invalid JSON (${(error as Error).message})` });
            return undefined;
          }
          if (!isJsonObject(value)) {
            context.reject({ origin, field: '(record)', reason: 'the line is not a JSON object' });
            return undefined;
          }
          return value;
        };
        for await (const text of readTextChunks(path, environment.settingPath, context.signal)) {
          for (const { line, number } of lines(pending + text, false)) {
            const fields = parse(line, number);
            if (fields !== undefined) yield { fields, origin: { location: path, line: number, index: index - 1 } };
          }
        }
        for (const { line, number } of lines(pending, true)) {
          const fields = parse(line, number);
          if (fields !== undefined) yield { fields, origin: { location: path, line: number, index: index - 1 } };
        }
      },
    };
  },
});
