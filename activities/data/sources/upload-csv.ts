import { resolve } from 'node:path';
import { z } from 'zod';
import { canonicalColumn } from '../layout';
import { csvOptionsShape, readCsvRecords } from './csv-reader';
import { defineSource } from './types';

/**
 * A CSV already in an upload layout (11 or 6 columns). Header cells are matched case-insensitively and renamed to
 * the 11-column names, so `principalId` and `PrincipalId` are the same field; the mapping's default for this source
 * is the identity (see mapping), and the rows go through the same validation as mapped ones.
 */
export const uploadCsvSource = defineSource({
  type: 'upload-csv',
  settingsSchema: z.strictObject({ type: z.literal('upload-csv'), ...csvOptionsShape }),
  create(settings, environment) {
    const path = resolve(environment.baseDir, settings.path);
    return {
      name: environment.name,
      location: path,
      records: (context) =>
        readCsvRecords({ ...settings, path, settingPath: environment.settingPath, renameHeader: canonicalColumn }, context),
    };
  },
});
