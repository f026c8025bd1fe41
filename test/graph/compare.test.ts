import { manifestOf } from '../../contracts/manifest';
import type { StagedFile } from '../../contracts/manifest';
import { compareWithManifest, describeDifferences, statsMatchManifest } from '../../activities/session/compare';
import type { UploadSession } from '../../activities/graph/schemas';

const staged = (name: string, size: number): StagedFile => ({ name, size, path: `/stage/${name}`, sha256: '0'.repeat(64), rows: 1 });

function session(files: [string, number][], stats?: { filesUploaded: number; totalBytesUploaded: number }): UploadSession {
  return {
    id: 's',
    status: 'active',
    isUploadDone: false,
    referenceId: 'i',
    createdDateTime: '2026-01-01T00:00:00Z',
    data: null,
    stats: stats ?? { filesUploaded: files.length, totalBytesUploaded: files.reduce((s, [, n]) => s + n, 0) },
    files: files.map(([name, size], i) => ({ id: `f${i}`, name, size, uploadedDateTime: null })),
  };
}

describe('session files against the manifest', () => {
  const manifest = manifestOf([staged('a.csv', 10), staged('b.csv', 20)]);

  it('matches when names, sizes, count, bytes and stats agree (in any order)', () => {
    const diff = compareWithManifest(session([['b.csv', 20], ['a.csv', 10]]), manifest);
    expect(diff).toEqual({ matches: true, missing: [], unexpected: [], sizeMismatched: [], expectedCount: 2, actualCount: 2, expectedBytes: 30, actualBytes: 30 });
  });

  it('lists missing, unexpected and size-mismatched files', () => {
    const diff = compareWithManifest(session([['a.csv', 11], ['c.csv', 5]]), manifest);
    expect(diff.matches).toBe(false);
    expect(diff.missing).toEqual([{ name: 'b.csv', size: 20 }]);
    expect(diff.unexpected).toEqual([{ name: 'c.csv', size: 5 }]);
    expect(diff.sizeMismatched).toEqual([{ name: 'a.csv', expectedSize: 10, actualSize: 11 }]);
    expect(describeDifferences(diff)).toBe('missing b.csv; a.csv is 11 bytes, expected 10; unexpected c.csv');
  });

  it('counts a file uploaded twice as unexpected, preferring the same-size copy as the match', () => {
    const diff = compareWithManifest(session([['a.csv', 9], ['a.csv', 10], ['b.csv', 20]]), manifest);
    expect(diff.matches).toBe(false);
    expect(diff.sizeMismatched).toEqual([]);
    expect(diff.unexpected).toEqual([{ name: 'a.csv', size: 9 }]);
    expect(diff.actualCount).toBe(3);
  });

  it('does not match when the stats disagree with the files Graph listed', () => {
    const s = session([['a.csv', 10], ['b.csv', 20]], { filesUploaded: 3, totalBytesUploaded: 30 });
    expect(compareWithManifest(s, manifest).matches).toBe(false);
    expect(statsMatchManifest(s, manifest)).toBe(false);
  });

  it('file names compare exactly (case and quotes matter)', () => {
    const m = manifestOf([staged("O'Brien.csv", 1)]);
    expect(compareWithManifest(session([["o'brien.csv", 1]]), m).matches).toBe(false);
    expect(compareWithManifest(session([["O'Brien.csv", 1]]), m).matches).toBe(true);
  });
});
