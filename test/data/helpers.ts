import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataInputError } from '../../activities/data/errors';
import { createSourceRegistry } from '../../activities/data/sources/registry';
import type { RecordProblem, SourceRecord } from '../../activities/data/sources/types';

export interface TempDir {
  dir: string;
  write(name: string, content: string | Buffer): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), 'data-test-'));
  return {
    dir,
    async write(name, content) {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface Collected {
  records: SourceRecord[];
  problems: RecordProblem[];
}

/** Builds a source from settings (as in a mapping) and reads it whole. */
export async function readSource(
  settings: Record<string, unknown>,
  options: { baseDir?: string; env?: Record<string, string>; expected?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Collected> {
  const validated = createSourceRegistry().validate(settings, ['sources', 'src']);
  if (Array.isArray(validated)) throw new Error(`invalid settings: ${JSON.stringify(validated)}`);
  const source = validated.build({ name: 'src', settingPath: 'sources.src', baseDir: options.baseDir ?? '/', env: options.env ?? {} });
  const records: SourceRecord[] = [];
  const problems: RecordProblem[] = [];
  for await (const record of source.records({
    expectedFields: new Map(Object.entries(options.expected ?? {})),
    reject: (p) => problems.push(p),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  })) {
    records.push(record);
  }
  return { records, problems };
}

/** Runs `fn`, expecting a DataInputError, and returns it. */
export async function dataError(fn: () => Promise<unknown>): Promise<DataInputError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DataInputError) return error;
    throw error;
  }
  throw new Error('expected a DataInputError');
}
