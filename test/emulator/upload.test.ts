/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import { createHash } from 'node:crypto';
import type { TestEmulator } from './helpers';
import { CSV_HEADER_6, ids, multipart, startTestEmulator } from './helpers';

let t: TestEmulator;
let sessionPath = '';
let sessionId = '';
const LIMIT = 4096;

beforeAll(async () => {
  t = await startTestEmulator({ maxUploadBytes: LIMIT });
  const created = await t.createSession(await t.freshInstance());
  sessionId = created.json.id;
  sessionPath = `${t.sessionsPath()}/${sessionId}`;
});
afterAll(async () => {
  await t.stop();
});

const csv = `${CSV_HEADER_6}\n${ids.adele},EntraIdUser,p1,Read,Read access,Role\n`;

async function expectUnchanged(): Promise<void> {
  const session = await t.emulator.admin.session(sessionId);
  expect(session.status).toBe('active');
  expect(session.files).toEqual([]);
}

async function post(form: { body: Buffer; contentType: string }): ReturnType<TestEmulator['send']> {
  return t.send('POST', `${sessionPath}/uploadFile`, { body: form.body, contentType: form.contentType });
}

describe('uploadFile refuses bad multipart bodies and changes nothing', () => {
  it('no part named file', async () => {
    const res = await post(multipart([{ name: 'data', filename: 'a.csv', content: csv }]));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("Unexpected multipart part 'data'");
    await expectUnchanged();
  });

  it('no parts at all', async () => {
    const res = await post(multipart([]));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("no part named 'file'");
    await expectUnchanged();
  });

  it('two file parts', async () => {
    const res = await post(multipart([{ name: 'file', filename: 'a.csv', content: csv }, { name: 'file', filename: 'b.csv', content: csv }]));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('More than one file part');
    await expectUnchanged();
  });

  it('a form field beside the file', async () => {
    const res = await post(multipart([{ name: 'file', filename: 'a.csv', content: csv }, { name: 'note', content: 'hello' }]));
    expect(res.status).toBe(400);
    await expectUnchanged();
  });

  it('an empty file', async () => {
    const res = await post(multipart([{ name: 'file', filename: 'empty.csv', content: '' }]));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('is empty');
    await expectUnchanged();
  });

  it('a file that is not named .csv, or is binary', async () => {
    const named = await post(multipart([{ name: 'file', filename: 'data.xlsx', content: csv }]));
    expect(named.status).toBe(400);
    expect(named.json.error.message).toContain('not a .csv file');
    const binary = await post(multipart([{ name: 'file', filename: 'data.csv', content: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]) }]));
    expect(binary.status).toBe(400);
    expect(binary.json.error.message).toContain('not CSV text');
    await expectUnchanged();
  });

  it('a body that is not multipart/form-data (415)', async () => {
    const res = await t.send('POST', `${sessionPath}/uploadFile`, { body: csv, contentType: 'text/csv' });
    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe('UnsupportedMediaType');
    await expectUnchanged();
  });

  it('a multipart body without a boundary', async () => {
    const res = await t.send('POST', `${sessionPath}/uploadFile`, { body: csv, contentType: 'multipart/form-data' });
    expect(res.status).toBe(400);
    await expectUnchanged();
  });

  it('a file over the size limit (413), declared up front or found while streaming', async () => {
    const big = `${CSV_HEADER_6}\n${'x'.repeat(LIMIT * 20)}\n`;
    const declared = await post(multipart([{ name: 'file', filename: 'big.csv', content: big }]));
    expect(declared.status).toBe(413);
    const slightlyOver = await post(multipart([{ name: 'file', filename: 'over.csv', content: 'a,b\n'.repeat(LIMIT / 4 + 1) }]));
    expect(slightlyOver.status).toBe(413);
    expect(slightlyOver.json.error.message).toContain(`${LIMIT} bytes`);
    await expectUnchanged();
    // The connection is still usable and the session still takes a good file.
    expect((await t.upload(sessionPath, 'fits.csv', 'a,b\n'.repeat(LIMIT / 4))).status).toBe(200);
    const session = await t.emulator.admin.session(sessionId);
    expect(session.files.map((f) => f.name)).toEqual(['fits.csv']);
  });
});

describe('what the emulator stores', () => {
  it('keeps each file with its size and sha256, and serves the exact bytes on the admin API', async () => {
    const content = `${CSV_HEADER_6}\r\n${ids.alex},EntraIdUser,p2,Write,"Write, with comma",Role\r\n`;
    const res = await t.upload(sessionPath, 'folder\\stored.csv', content);
    expect(res.status).toBe(200);
    const file = res.json.files.find((f: { name: string }) => f.name === 'stored.csv');
    expect(file.size).toBe(Buffer.byteLength(content));
    const admin = await t.emulator.admin.session(sessionId);
    const stored = admin.files.find((f) => f.id === file.id)!;
    expect(stored.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect((await t.emulator.admin.fileContent(sessionId, file.id)).toString('utf8')).toBe(content);
  });
});
