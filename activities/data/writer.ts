import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { StagedFile } from '../../contracts/manifest';
import { DataInputError } from './errors';

export interface SplitWriterOptions {
  /** Folder the files go to (already created with restrictive permissions). */
  dir: string;
  prefix: string;
  header: readonly string[];
  maxRows: number;
  maxBytes: number;
  /** Files beyond this are not written (the run will be blocked); rows are still counted. */
  maxFiles: number;
}

interface OpenFile {
  name: string;
  path: string;
  stream: WriteStream;
  hash: Hash;
  bytes: number;
  rows: number;
}

/** UTF-8, no BOM (Graph's processing is not known to strip one: a BOM would be part of the first header name). */
const CSV_OPTIONS = { eof: true, record_delimiter: 'unix' } as const;

/**
 * Writes rows as UTF-8 CSV files of at most `maxRows` rows and `maxBytes` bytes each, every file with the header,
 * computing size and sha256 as it writes. Batches are formatted by csv-stringify's sync API (one call per batch);
 * a batch that does not fit the current file is halved until it does, so no file passes a limit.
 */
export class SplitCsvWriter {
  private readonly headerBytes: Buffer;
  private current: OpenFile | undefined;
  private readonly done: StagedFile[] = [];
  private fileCount = 0;
  /** Rows that would have gone to files beyond maxFiles. */
  overflowRows = 0;
  /** True once the rows need more than maxFiles files. */
  overflowing = false;

  constructor(private readonly options: SplitWriterOptions) {
    this.headerBytes = Buffer.from(stringify([options.header as string[]], CSV_OPTIONS), 'utf8');
    if (this.headerBytes.length >= options.maxBytes) {
      throw new DataInputError({ origin: { location: 'mapping' }, field: 'output.maxBytesPerFile', reason: 'is smaller than the header row', hint: 'Raise it.' });
    }
  }

  async writeRows(rows: string[][]): Promise<void> {
    if (rows.length === 0) return;
    if (this.overflowing) {
      this.overflowRows += rows.length;
      return;
    }
    if (this.current !== undefined && this.current.rows >= this.options.maxRows) await this.roll();
    const bytes = Buffer.from(stringify(rows, CSV_OPTIONS), 'utf8');
    const file = this.current ?? (await this.open());
    if (file === undefined) {
      await this.writeRows(rows); // counted as overflow
      return;
    }
    if (file.rows + rows.length <= this.options.maxRows && file.bytes + bytes.length <= this.options.maxBytes) {
      await this.append(file, bytes, rows.length);
      return;
    }
    if (rows.length === 1) {
      if (file.rows === 0) {
        throw new DataInputError({
          origin: { location: file.path },
          field: 'output.maxBytesPerFile',
          reason: `one row needs ${bytes.length + this.headerBytes.length} bytes with the header, more than the ${this.options.maxBytes} allowed`,
          hint: 'Raise output.maxBytesPerFile.',
        });
      }
      await this.roll();
      await this.writeRows(rows);
      return;
    }
    const middle = rows.length >> 1;
    await this.writeRows(rows.slice(0, middle));
    await this.writeRows(rows.slice(middle));
  }

  /** Closes the last file and returns every written file, in order. */
  async close(): Promise<StagedFile[]> {
    await this.finish();
    return [...this.done];
  }

  /** Closes open streams after a failure (files are left for the caller to delete). */
  async abort(): Promise<void> {
    const file = this.current;
    this.current = undefined;
    if (file !== undefined) {
      file.stream.destroy();
      await finished(file.stream).catch(() => undefined);
    }
  }

  private async roll(): Promise<void> {
    await this.finish();
    await this.open();
  }

  private async open(): Promise<OpenFile | undefined> {
    if (this.fileCount >= this.options.maxFiles) {
      this.overflowing = true;
      return undefined;
    }
    this.fileCount += 1;
    const name = `${this.options.prefix}-${String(this.fileCount).padStart(2, '0')}.csv`;
    const path = join(this.options.dir, name);
    const stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    const file: OpenFile = { name, path, stream, hash: createHash('sha256'), bytes: 0, rows: 0 };
    this.current = file;
    await this.append(file, this.headerBytes, 0);
    return file;
  }

  private async append(file: OpenFile, bytes: Buffer, rows: number): Promise<void> {
    file.hash.update(bytes);
    file.bytes += bytes.length;
    file.rows += rows;
    if (!file.stream.write(bytes)) await once(file.stream, 'drain');
  }

  private async finish(): Promise<void> {
    const file = this.current;
    if (file === undefined) return;
    this.current = undefined;
    file.stream.end();
    await finished(file.stream);
    this.done.push({ name: file.name, path: file.path, size: file.bytes, sha256: file.hash.digest('hex'), rows: file.rows });
  }
}
