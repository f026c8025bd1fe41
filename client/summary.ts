import type { ReviewUploadResult } from '../contracts/review-upload';

/** The end of a run in words: what was delivered, or why a person must upload by hand. */
export function resultSummary(result: ReviewUploadResult, link: string): string {
  const lines = [
    result.outcome === 'completed'
      ? `Completed${result.alreadyCompleted ? ' (an earlier run had already delivered the data)' : ''}: session ${result.sessionId ?? '-'}, ` +
        `${result.stats?.filesUploaded ?? 0} file(s), ${result.stats?.totalBytesUploaded ?? 0} bytes.`
      : `Fell back to manual upload: ${result.reason ?? 'no reason given'}`,
  ];
  if (result.outcome !== 'completed') {
    const session = result.unfinishedSession ? `session ${result.sessionId ?? '-'} ${result.unfinishedSession === 'leftActive' ? 'could NOT be deleted' : result.unfinishedSession}` : 'no unfinished session';
    lines.push(`${session}; notice ${result.noticeDelivered ? 'sent' : 'NOT sent'}.`);
  }
  for (const f of result.files) lines.push(`  ${f.name}  ${f.size} bytes  ${f.rows} rows  sha256 ${f.sha256}`);
  if (result.deadline) lines.push(`Upload window closes ${result.deadline}.`);
  if (result.reviewStatusAfter) lines.push(`Review instance status afterwards: ${result.reviewStatusAfter}.`);
  if (result.reportPath) lines.push(`Pre-flight report: ${result.reportPath}`);
  lines.push(`Web UI: ${link}`);
  return lines.join('\n');
}
