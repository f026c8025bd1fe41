import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { DataInputError } from '../errors';
import { createUtf8Guard } from './utf8';

/**
 * Streams a UTF-8 file as text chunks. The UTF-8 guard only passes complete sequences, so each chunk decodes on
 * its own. A leading BOM is dropped. Fails naming the file when it is missing, empty or not UTF-8.
 */
export async function* readTextChunks(path: string, settingPath: string, signal?: AbortSignal): AsyncGenerator<string> {
  await assertReadableNonEmpty(path, settingPath, 'Export it again.');
  const input = createReadStream(path, { highWaterMark: 256 * 1024, signal });
  const guard = createUtf8Guard(path);
  pipeline(input, guard, () => {
    // Errors surface through the guard's async iterator.
  });
  let first = true;
  try {
    for await (const chunk of guard as AsyncIterable<Buffer>) {
      let text = chunk.toString('utf8');
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      yield text;
    }
  } finally {
    input.destroy();
  }
}

/** Fails naming the file (and `<settingPath>.path`) when it is missing, not a file, or empty. */
export async function assertReadableNonEmpty(path: string, settingPath: string, emptyHint: string): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch (cause) {
    throw new DataInputError(
      { origin: { location: path }, field: `${settingPath}.path`, reason: 'the file does not exist or cannot be read', hint: 'Check the path (relative paths start at the mapping file\'s folder).' },
      { cause },
    );
  }
  if (size === 0) {
    throw new DataInputError({ origin: { location: path, line: 1 }, reason: 'the file is empty', hint: emptyHint });
  }
}
