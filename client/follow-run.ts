import type { WorkflowHandle } from '@temporalio/client';
import type { ReviewUploadProgress, ReviewUploadResult } from '../contracts/review-upload';
import { progressQuery } from '../contracts/review-upload';
import type { reviewUpload } from '../workflows';

const MB = 1024 * 1024;

/** One progress line: a bar on a terminal, e.g. `uploading [########------------]  40% 2/5 files 80.0/200.0 MB`. */
export function progressLine(p: ReviewUploadProgress, width = 24): string {
  const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
  const filled = Math.round(Math.min(1, fraction) * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const pct = `${Math.round(fraction * 100)}%`.padStart(4);
  return `${p.phase.padEnd(16)} ${bar} ${pct} ${p.filesDone}/${p.filesTotal} files ${(p.bytesDone / MB).toFixed(1)}/${(p.bytesTotal / MB).toFixed(1)} MB${p.lastError ? `  (last error: ${p.lastError})` : ''}`;
}

/**
 * Waits for the run's result, reporting progress from the progress query as it goes (on a TTY, one redrawn line;
 * otherwise a line whenever the progress changes).
 */
export async function followRun(
  handle: WorkflowHandle<typeof reviewUpload>,
  report: (line: string, redraw: boolean) => void,
  intervalMs = 1000,
): Promise<ReviewUploadResult> {
  let done = false;
  let last = '';
  const result = handle.result().finally(() => (done = true));
  while (!done) {
    try {
      const line = progressLine(await handle.query(progressQuery));
      if (line !== last) report(line, last !== '');
      last = line;
    } catch {
      // No worker has answered yet, or the run just closed: the result settles it.
    }
    await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, intervalMs))]);
  }
  return result;
}
