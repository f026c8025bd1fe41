import type { FallbackNotice } from '../../contracts/notice';

/** The notice as a person reads it: what happened, what to upload by hand, by when. */
export function fallbackNoticeText(notice: FallbackNotice): string {
  const lines = [
    `Access review upload needs a person: review instance ${notice.reviewInstanceId} (definition ${notice.reviewDefinitionId}).`,
    `What went wrong: ${notice.reason}`,
    sessionLine(notice),
    notice.deadline ? `Deadline: upload by hand before ${notice.deadline} (the review's 2-hour window).` : 'Deadline: unknown; upload as soon as possible.',
  ];
  if (notice.files.length > 0) {
    lines.push('Files to upload (catalog resource > upload data, in the Entra admin center):');
    for (const f of notice.files) lines.push(`  - ${f.name} (${f.size} bytes, sha256 ${f.sha256}) at ${f.path}`);
  } else {
    lines.push('No files were staged: run the data preparation (dry run) to produce them, then upload by hand.');
  }
  if (notice.reportPath) lines.push(`Pre-flight report: ${notice.reportPath}`);
  lines.push(`Run: ${notice.workflowId} (run ${notice.runId}), catalog ${notice.catalogId}, resource ${notice.resourceId}.`);
  return lines.join('\n');
}

function sessionLine(notice: FallbackNotice): string {
  if (!notice.sessionId) return 'No upload session holds partial data.';
  switch (notice.unfinishedSession) {
    case 'deleted':
      return `Upload session ${notice.sessionId} was deleted, so reviewers never see partial data.`;
    case 'expired':
      return `Upload session ${notice.sessionId} expired with the window; it holds no data reviewers will see.`;
    case 'leftActive':
      return `Upload session ${notice.sessionId} could NOT be deleted: delete it in Graph (never complete it half-filled); it expires when the window closes.`;
    default:
      return `Upload session ${notice.sessionId} is not active.`;
  }
}
