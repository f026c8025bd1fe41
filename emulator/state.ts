import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PersistedState } from './model';
import { persistedStateSchema } from './model';
import { describeIssues } from './seed-schema';

/**
 * The optional state file: JSON, rewritten atomically (temp file + rename) after every change, loaded on start.
 * Writes are synchronous so the file on disk always follows the order of changes.
 */
export interface StateFile {
  path: string;
  /** Directory kept beside the state file for uploaded contents. */
  dataDir: string;
  load(): PersistedState | undefined;
  save(state: PersistedState): void;
}

export function createStateFile(file: string): StateFile {
  const absolute = path.resolve(file);
  return {
    path: absolute,
    dataDir: `${absolute}.files`,
    load() {
      let text: string;
      try {
        text = readFileSync(absolute, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        throw new Error(`State file ${absolute} is not valid JSON (${(error as Error).message}). Move it away to start from the seed.`);
      }
      const parsed = persistedStateSchema.safeParse(raw);
      if (!parsed.success) {
        throw new Error(`State file ${absolute} does not match the emulator's state format:\n${describeIssues(absolute, parsed.error)}\nMove it away to start from the seed.`);
      }
      return parsed.data;
    },
    save(state) {
      mkdirSync(path.dirname(absolute), { recursive: true });
      const tmp = `${absolute}.${process.pid}.${randomUUID()}.tmp`;
      writeFileSync(tmp, JSON.stringify(state, null, 2));
      renameSync(tmp, absolute);
    },
  };
}
