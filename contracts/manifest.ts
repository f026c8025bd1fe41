/**
 * The staged upload: what data preparation produces and what the upload session is verified against.
 * Only names, paths, sizes, hashes and counts: file contents never cross the workflow boundary.
 */
export interface StagedFile {
  /** File name as uploaded to Graph (the `name` the session's `files` will show). */
  name: string;
  /** Absolute path on the worker's staging volume. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
  /** Data rows (header excluded). */
  rows: number;
}

export interface UploadManifest {
  files: StagedFile[];
  totalBytes: number;
  totalRows: number;
}

export function manifestOf(files: StagedFile[]): UploadManifest {
  return {
    files,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
    totalRows: files.reduce((sum, f) => sum + f.rows, 0),
  };
}
