import { JsonArrayScanner } from '../../activities/data/sources/json-scanner';
import { readSource, tempDir } from './helpers';
import type { TempDir } from './helpers';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.remove();
});

describe('csv-file source', () => {
  it('reads any delimiter, quoted fields with newlines and a BOM, with the line each record starts on', async () => {
    await tmp.write('a.csv', '\ufeffupn;role;note\r\nadele@x.example;GL-POST;"two\r\nlines; and a ""quote"""\r\n\r\nalex@x.example;GL-READ;plain\r\n');
    const { records, problems } = await readSource({ type: 'csv-file', path: 'a.csv', delimiter: ';' }, { baseDir: tmp.dir });
    expect(problems).toEqual([]);
    expect(records.map((r) => r.fields)).toEqual([
      { upn: 'adele@x.example', role: 'GL-POST', note: 'two\r\nlines; and a "quote"' },
      { upn: 'alex@x.example', role: 'GL-READ', note: 'plain' },
    ]);
    expect(records.map((r) => r.origin.line)).toEqual([2, 5]);
    expect(records[0]!.origin.location).toBe(`${tmp.dir}/a.csv`);
  });

  it('reads tab-separated files and matches mapping fields case-insensitively', async () => {
    await tmp.write('t.tsv', 'UPN\tRole\nadele@x.example\tR1\n');
    const { records } = await readSource({ type: 'csv-file', path: 't.tsv', delimiter: '\t' }, { baseDir: tmp.dir, expected: { upn: 'columns.PrincipalId' } });
    expect(records[0]!.fields).toEqual({ upn: 'adele@x.example', Role: 'R1' });
  });

  it('rejects a ragged row with its line and goes on', async () => {
    await tmp.write('r.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
    const { records, problems } = await readSource({ type: 'csv-file', path: 'r.csv' }, { baseDir: tmp.dir });
    expect(records.map((r) => r.fields.a)).toEqual(['1', '6']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ origin: { line: 3 }, field: '(row)' });
    expect(problems[0]!.reason).toContain('has 2 fields, the header has 3');
  });
});

describe('upload-csv source', () => {
  it('accepts the 6-column camelCase header and names fields by the 11-column names', async () => {
    await tmp.write('u.csv', 'principalId,principalType,permissionId,permissionName,permissionDescription,permissionType\n' +
      'a1b2c3d4-0001-4000-8000-000000000001,user,P1,Read,,Read\n');
    const { records } = await readSource({ type: 'upload-csv', path: 'u.csv' }, { baseDir: tmp.dir });
    expect(records[0]!.fields).toMatchObject({ PrincipalId: 'a1b2c3d4-0001-4000-8000-000000000001', PrincipalType: 'user', PermissionId: 'P1' });
  });
});

describe('json-array source', () => {
  it('streams the elements of a top-level array with their line and index', async () => {
    await tmp.write('a.json', '[\n  {"upn": "a@x", "tags": ["x", "]"]},\n  {"upn": "b@x", "nested": {"v": "{"}}\n]\n');
    const { records } = await readSource({ type: 'json-array', path: 'a.json' }, { baseDir: tmp.dir });
    expect(records.map((r) => r.fields.upn)).toEqual(['a@x', 'b@x']);
    expect(records.map((r) => [r.origin.line, r.origin.index])).toEqual([[2, 0], [3, 1]]);
  });

  it('finds the array under recordsKey and skips other keys, even with brackets in strings', async () => {
    await tmp.write('w.json', '{"meta": {"note": "[not this]"}, "records": [{"n": 1}, {"n": 2}], "after": [{"n": 3}]}');
    const { records } = await readSource({ type: 'json-array', path: 'w.json', recordsKey: 'records' }, { baseDir: tmp.dir });
    expect(records.map((r) => r.fields.n)).toEqual([1, 2]);
  });

  it('reads a file larger than one read chunk (multi-byte characters included)', async () => {
    const items = Array.from({ length: 6000 }, (_, i) => ({ id: i, name: `Zoë ${'é'.repeat(i % 50)} "q" \\ ${i}` }));
    await tmp.write('big.json', JSON.stringify(items, null, 1));
    const { records } = await readSource({ type: 'json-array', path: 'big.json' }, { baseDir: tmp.dir });
    expect(records.map((r) => r.fields)).toEqual(items);
  });

  it('finds the same elements whatever the chunk boundaries (scanner fed one character at a time)', () => {
    const text = '{"x": "]", "records": [ {"a": "}\\"", "b": [1, {"c": null}]}, "str", 12.5, true ] }';
    const whole = new JsonArrayScanner('records', 1000).push(text).map((e) => e.text);
    const scanner = new JsonArrayScanner('records', 1000);
    const oneByOne = [...text].flatMap((ch) => scanner.push(ch)).map((e) => e.text);
    scanner.end();
    expect(whole.map((t) => JSON.parse(t) as unknown)).toEqual([{ a: '}"', b: [1, { c: null }] }, 'str', 12.5, true]);
    expect(oneByOne).toEqual(whole);
  });

  it('rejects an element that is not an object and keeps reading', async () => {
    await tmp.write('m.json', '[{"a": 1}, 42, {"a": 2}]');
    const { records, problems } = await readSource({ type: 'json-array', path: 'm.json' }, { baseDir: tmp.dir });
    expect(records.map((r) => r.fields.a)).toEqual([1, 2]);
    expect(problems[0]).toMatchObject({ origin: { index: 1 }, reason: 'the array element is not an object' });
  });
});

describe('ndjson source', () => {
  it('reads one object per line, skips blank lines and rejects a bad line with its number', async () => {
    await tmp.write('a.ndjson', '{"a":1}\r\n\n{"a":\n{"a":3}');
    const { records, problems } = await readSource({ type: 'ndjson', path: 'a.ndjson' }, { baseDir: tmp.dir });
    expect(records.map((r) => [r.fields.a, r.origin.line])).toEqual([[1, 1], [3, 4]]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.origin.line).toBe(3);
    expect(problems[0]!.reason).toContain('invalid JSON');
  });
});
