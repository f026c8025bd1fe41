import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { StagedFile } from '../contracts/manifest';

/**
 * Describes already-built CSV files for a run (name, absolute path, size, sha256, data rows), streaming each once.
 * The worker reads the same paths, so they must be on a volume it sees.
 */
export async function describeStagedFiles(paths: string[]): Promise<StagedFile[]> {
  const files: StagedFile[] = [];
  for (const raw of paths) {
    const absolute = path.resolve(raw);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`${raw}: no such file (give the path of a CSV file to upload)`);
    const hash = createHash('sha256');
    let rows = 0;
    const records = createReadStream(absolute)
      .on('data', (chunk) => hash.update(chunk))
      .pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
    try {
      for await (const _record of records) rows++;
    } catch (err) {
      throw new Error(`${raw}: not a readable CSV file: ${(err as Error).message}`);
    }
    files.push({ name: path.basename(absolute), path: absolute, size: info.size, sha256: hash.digest('hex'), rows: Math.max(0, rows - 1) });
  }
  return files;
}
