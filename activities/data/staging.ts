import { chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Marks a folder as a staged run of this tool: retention cleanup deletes only folders that carry it. */
const RUN_MARKER = '.staged-run';

export interface RunFolders {
  /** `<stagingRoot>/<runId>`: reports, manifest. */
  runDir: string;
  /** `<runDir>/upload`: the CSV files to upload, nothing else. */
  uploadDir: string;
}

/** A run id as a folder name: characters outside [A-Za-z0-9._-] become `_` (workflow ids contain `/`). */
export function runFolderName(runId: string): string {
  const name = runId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
  if (name === '' || /^\.+$/.test(name)) throw new Error(`runId ${JSON.stringify(runId)} cannot name a folder`);
  return name;
}

/**
 * Creates a fresh run folder (mode 0700; files inside are written 0600). A folder left by an earlier attempt of the
 * same run is replaced: preparation is deterministic for the same inputs, and half-written files must not survive.
 */
export async function createRunFolders(stagingRoot: string, runId: string): Promise<RunFolders> {
  const root = resolve(stagingRoot);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const runDir = join(root, runFolderName(runId));
  await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { mode: 0o700 });
  await chmod(runDir, 0o700); // mkdir's mode is filtered by the umask
  const uploadDir = join(runDir, 'upload');
  await mkdir(uploadDir, { mode: 0o700 });
  await chmod(uploadDir, 0o700);
  await writeFile(join(runDir, RUN_MARKER), `${new Date().toISOString()}\n`, { mode: 0o600 });
  return { runDir, uploadDir };
}

export async function writePrivateFile(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}

export interface CleanupOptions {
  olderThanHours: number;
  now?: Date;
  /** A run folder to keep whatever its age (the current run). */
  keep?: string;
}

/**
 * Retention: deletes staged run folders (only those with the run marker) last modified more than `olderThanHours`
 * ago. Returns the deleted folders.
 */
export async function cleanupStagedRuns(stagingRoot: string, options: CleanupOptions): Promise<string[]> {
  const root = resolve(stagingRoot);
  const cutoff = (options.now ?? new Date()).getTime() - options.olderThanHours * 3_600_000;
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return [];
  }
  const deleted: string[] = [];
  for (const entry of entries) {
    const dir = join(root, entry);
    if (options.keep !== undefined && resolve(options.keep) === dir) continue;
    try {
      const marker = await stat(join(dir, RUN_MARKER));
      const folder = await stat(dir);
      const modified = Math.max(marker.mtimeMs, folder.mtimeMs);
      if (modified < cutoff) {
        await rm(dir, { recursive: true, force: true });
        deleted.push(dir);
      }
    } catch {
      // not a staged run (no marker) or already gone: leave it
    }
  }
  return deleted;
}
