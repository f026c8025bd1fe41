/** Pure helpers of the session activities: what a session looks like to a workflow, and session vs manifest. */
import type { UploadManifest } from '../../contracts/manifest';
import type { SessionFileSummary, SizeMismatch, UploadSessionSummary, VerifySessionFilesResult } from '../../contracts/session-activities';
import type { UploadSession } from '../graph/schemas';

export function summarize(session: UploadSession): UploadSessionSummary {
  return {
    sessionId: session.id,
    status: session.status,
    isUploadDone: session.isUploadDone,
    referenceId: session.referenceId,
    createdDateTime: session.createdDateTime,
    filesUploaded: session.stats.filesUploaded,
    totalBytesUploaded: session.stats.totalBytesUploaded,
  };
}

/** Stats alone (count and bytes): what Graph reports without expanding files. */
export function statsMatchManifest(session: UploadSession, manifest: UploadManifest): boolean {
  const expectedBytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
  return session.stats.filesUploaded === manifest.files.length && session.stats.totalBytesUploaded === expectedBytes;
}

/**
 * Files of a session (expanded) against the manifest. Files are matched by name; a name may appear more than once
 * (Graph does not forbid it), so each session file is used for at most one manifest entry, preferring a same-size one.
 */
export function compareWithManifest(session: UploadSession, manifest: UploadManifest): Omit<VerifySessionFilesResult, 'session'> {
  const actual = (session.files ?? []).map((f) => ({ name: f.name, size: f.size }));
  const remaining = new Map<string, SessionFileSummary[]>();
  for (const f of actual) remaining.set(f.name, [...(remaining.get(f.name) ?? []), f]);

  const missing: SessionFileSummary[] = [];
  const sizeMismatched: SizeMismatch[] = [];
  for (const expected of manifest.files) {
    const candidates = remaining.get(expected.name) ?? [];
    const exact = candidates.findIndex((f) => f.size === expected.size);
    const index = exact >= 0 ? exact : candidates.length > 0 ? 0 : -1;
    if (index < 0) {
      missing.push({ name: expected.name, size: expected.size });
      continue;
    }
    const [found] = candidates.splice(index, 1);
    if (found !== undefined && found.size !== expected.size) sizeMismatched.push({ name: expected.name, expectedSize: expected.size, actualSize: found.size });
  }
  const unexpected = [...remaining.values()].flat();
  const expectedBytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
  const actualBytes = actual.reduce((sum, f) => sum + f.size, 0);
  const matches =
    missing.length === 0 &&
    unexpected.length === 0 &&
    sizeMismatched.length === 0 &&
    actual.length === manifest.files.length &&
    actualBytes === expectedBytes &&
    statsMatchManifest(session, manifest);
  return { matches, missing, unexpected, sizeMismatched, expectedCount: manifest.files.length, actualCount: actual.length, expectedBytes, actualBytes };
}

/** One line for a failure message: `missing a.csv; b.csv is 10 bytes, expected 12; unexpected c.csv`. */
export function describeDifferences(diff: Omit<VerifySessionFilesResult, 'session'>): string {
  const parts = [
    ...diff.missing.map((f) => `missing ${f.name}`),
    ...diff.sizeMismatched.map((f) => `${f.name} is ${f.actualSize} bytes, expected ${f.expectedSize}`),
    ...diff.unexpected.map((f) => `unexpected ${f.name}`),
  ];
  if (parts.length === 0) parts.push(`${diff.actualCount} files / ${diff.actualBytes} bytes, expected ${diff.expectedCount} / ${diff.expectedBytes}`);
  return parts.slice(0, 10).join('; ') + (parts.length > 10 ? `; and ${parts.length - 10} more` : '');
}
