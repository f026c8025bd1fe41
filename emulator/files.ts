import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Publishes `content` at `finalPath` only if nothing is there yet, atomically: another process racing on the same
 * path either sees no file or the whole file. Returns false when another process won the race.
 */
export async function publishExclusive(finalPath: string, content: string, mode = 0o644): Promise<boolean> {
  const tmp = `${finalPath}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(tmp, content, { mode });
  try {
    await fs.link(tmp, finalPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Waits (polling briefly) for a file another process is about to publish. */
export async function waitForFile(file: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readIfExists(file);
    if (text !== undefined) return text;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function ensureDir(dir: string, mode = 0o755): Promise<void> {
  await fs.mkdir(path.resolve(dir), { recursive: true, mode });
}
