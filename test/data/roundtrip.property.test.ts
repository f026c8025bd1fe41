import fc from 'fast-check';
import { neutraliseFormula } from '../../activities/data/validate';
import { JsonArrayScanner } from '../../activities/data/sources/json-scanner';
import { SplitCsvWriter } from '../../activities/data/writer';
import { readSource, tempDir } from './helpers';
import type { TempDir } from './helpers';

let tmp: TempDir;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.remove();
});

/** Cell text rich in what breaks CSV: quotes, delimiters, CR/LF, BOM, tabs, and any unicode grapheme. */
const cellText = fc
  .array(fc.oneof(fc.constantFrom('"', ',', ';', '\n', '\r', '\r\n', '\t', ' ', '\ufeff', '""', '=', 'é', '😀', '𝄞'), fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 8 })
  .map((parts) => parts.join(''));

let runs = 0;

describe('CSV round trip (fast-check)', () => {
  it('writing rows with the staging writer and reading them with the CSV source gives back every cell', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cellText, cellText, cellText), { minLength: 1, maxLength: 20 }), async (rows) => {
        runs += 1;
        const dir = `${tmp.dir}/${runs}`;
        await (await import('node:fs/promises')).mkdir(dir);
        const writer = new SplitCsvWriter({ dir, prefix: 'p', header: ['a', 'b', 'c'], maxRows: 1000, maxBytes: 10 * 1024 * 1024, maxFiles: 10 });
        await writer.writeRows(rows.map((r) => [...r]));
        const [file] = await writer.close();
        const { records, problems } = await readSource({ type: 'csv-file', path: file!.path });
        expect(problems).toEqual([]);
        expect(records.map((r) => [r.fields.a, r.fields.b, r.fields.c])).toEqual(rows);
        expect(file!.rows).toBe(rows.length);
      }),
      { numRuns: 150 },
    );
  });

  it('neutralising keeps the text and only prefixes cells a spreadsheet would run', () => {
    fc.assert(
      fc.property(cellText, (text) => {
        const safe = neutraliseFormula(text);
        const risky = /^[=+\-@\t\r]/.test(text);
        expect(safe).toBe(risky ? `'${text}` : text);
      }),
    );
  });
});

describe('JSON array scanner (fast-check)', () => {
  it('finds exactly the array elements JSON.parse sees, however the text is chunked', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(fc.array(value, { maxLength: 10 }), fc.array(fc.nat({ max: 40 }), { maxLength: 20 }), (items, cuts) => {
        const text = JSON.stringify(items, null, cuts.length % 3);
        const scanner = new JsonArrayScanner(undefined, 1_000_000);
        const found: unknown[] = [];
        let at = 0;
        for (const cut of cuts) {
          found.push(...scanner.push(text.slice(at, at + cut)).map((e) => JSON.parse(e.text) as unknown));
          at += cut;
        }
        found.push(...scanner.push(text.slice(at)).map((e) => JSON.parse(e.text) as unknown));
        scanner.end();
        expect(found).toEqual(JSON.parse(text));
      }),
    );
  });
});
