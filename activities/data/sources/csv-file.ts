import { resolve } from 'node:path';
import { z } from 'zod';
import { csvOptionsShape, readCsvRecords } from './csv-reader';
import { defineSource } from './types';

/** A CSV export (any delimiter, quoted fields with newlines, BOM), e.g. an application's user/role export or HR data. */
export const csvFileSource = defineSource({
  type: 'csv-file',
  settingsSchema: z.strictObject({ type: z.literal('csv-file'), ...csvOptionsShape }),
  create(settings, environment) {
    const path = resolve(environment.baseDir, settings.path);
    return {
      name: environment.name,
      location: path,
      records: (context) => readCsvRecords({ ...settings, path, settingPath: environment.settingPath }, context),
    };
  },
});
