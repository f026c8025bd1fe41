/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestEmulator } from './helpers';
import { CSV_HEADER_6, ids, startTestEmulator } from './helpers';

const HEADER_11 = 'PrincipalId,PrincipalType,PermissionId,PermissionName,PermissionDescription,PermissionType,ScopeId,ScopeDisplayName,EntitlementOwners_Users,EntitlementOwners_Groups,CustomData';

describe('upload window', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator({ uploadWindowSeconds: 60 });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('expires an unfinished session when the window ends and moves the instance to InProgress', async () => {
    const instance = await t.freshInstance();
    const created = await t.createSession(instance);
    const sessionPath = `${t.sessionsPath()}/${created.json.id}`;
    await t.emulator.admin.advanceClock(59);
    expect((await t.send('GET', sessionPath)).json.status).toBe('active');
    await t.emulator.admin.advanceClock(2);
    expect((await t.send('GET', sessionPath)).json.status).toBe('expired');
    expect((await t.emulator.admin.instance(instance)).status).toBe('InProgress');
    const upload = await t.upload(sessionPath, 'late.csv', `${CSV_HEADER_6}\n`);
    expect(upload.status).toBe(409);
    expect(upload.json.error.message).toContain('expired');
    expect((await t.send('PATCH', sessionPath, { body: '{"isUploadDone":true}', contentType: 'application/json' })).status).toBe(409);
    expect((await t.send('DELETE', sessionPath)).status).toBe(409);
    const again = await t.createSession(instance);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain('InProgress');
    expect((await t.send('GET', `${t.sessionsPath()}?$filter=status eq 'expired'`)).json.value.map((s: { id: string }) => s.id)).toContain(created.json.id);
  });

  it('lets tests set an instance status through the admin API', async () => {
    const instance = await t.freshInstance();
    await t.emulator.admin.setInstanceStatus(instance, 'InProgress');
    expect((await t.createSession(instance)).status).toBe(409);
    await t.emulator.admin.setInstanceStatus(instance, 'Initializing');
    expect((await t.createSession(instance)).status).toBe(201);
  });
});

describe('processing after isUploadDone', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('records row counts and row errors per file for both layouts', async () => {
    const created = await t.createSession(await t.freshInstance());
    const sessionPath = `${t.sessionsPath()}/${created.json.id}`;
    const eleven = [
      HEADER_11.toUpperCase(),
      `${ids.adele},EntraIdUser,p1,Read,Read access,Role,app1,Ledger,${ids.alex},,"Cost centre 4711, joined 2024"`,
      `${ids.alex},EntraIdUser,p2,Admin,Admin access,Role,app1,Ledger,,,`,
      '00000000-0000-4000-8000-00000000dead,EntraIdUser,p1,Read,,Role,app1,Ledger,,,',
      `${ids.sean},Group,p1,Read,,Role,app1,Ledger,,,`,
    ].join('\r\n');
    const six = [CSV_HEADER_6, `${ids.sean},user,p9,Write,,Role`, 'not-a-guid,user,,Write,,Role', `${ids.adele},user,p1`].join('\n');
    await t.upload(sessionPath, 'eleven.csv', eleven);
    await t.upload(sessionPath, 'six.csv', six);
    await t.upload(sessionPath, 'wrong-header.csv', 'user,permission\nx,y\n');
    await t.send('PATCH', sessionPath, { body: '{"isUploadDone":true}', contentType: 'application/json' });

    const session = await t.emulator.admin.session(created.json.id, { waitForProcessing: true });
    const byName = Object.fromEntries(session.files.map((f) => [f.name, f.processing]));
    expect(byName['eleven.csv']).toMatchObject({ state: 'done', layout: '11-column', rowCount: 4, errorCount: 2 });
    expect(byName['eleven.csv']!.errors).toEqual([
      { line: 4, column: 'PrincipalId', message: expect.stringContaining('not a user in the directory') },
      { line: 5, column: 'PrincipalType', message: expect.stringContaining("'Group'") },
    ]);
    expect(byName['six.csv']).toMatchObject({ state: 'done', layout: '6-column', rowCount: 3, errorCount: 3 });
    expect(byName['six.csv']!.errors.map((e) => e.line)).toEqual([3, 3, 4]);
    expect(byName['wrong-header.csv']).toMatchObject({ state: 'failed', rowCount: 0 });
    expect(byName['wrong-header.csv']!.errors[0]!.message).toContain("missing column 'principalid'");
  });
});

describe('state file', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'emulator-state-test-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps sessions, files, contents, processing results and instances across a restart', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await startTestEmulator({ stateFile });
    const instance = await first.freshInstance();
    const active = await first.createSession(instance);
    const content = `${CSV_HEADER_6}\n${ids.adele},EntraIdUser,p1,Read,Read,Role\n`;
    const uploaded = await first.upload(`${first.sessionsPath()}/${active.json.id}`, 'kept.csv', content);
    const fileId = uploaded.json.files[0].id as string;
    const otherInstance = await first.freshInstance(ids.annualReview);
    const done = await first.createSession(otherInstance, { definitionId: ids.annualReview, resourceId: ids.payroll });
    await first.upload(`${first.sessionsPath('v1.0', ids.payroll)}/${done.json.id}`, 'done.csv', content);
    await first.send('PATCH', `${first.sessionsPath('v1.0', ids.payroll)}/${done.json.id}`, { body: '{"isUploadDone":true}', contentType: 'application/json' });
    await first.emulator.admin.session(done.json.id, { waitForProcessing: true });
    await first.stop();

    const second = await startTestEmulator({ stateFile });
    try {
      const got = await second.send('GET', `${second.sessionsPath()}/${active.json.id}?$expand=files`);
      expect(got.status).toBe(200);
      expect(got.json).toMatchObject({ status: 'active', referenceId: instance, files: [{ id: fileId, name: 'kept.csv', size: Buffer.byteLength(content) }] });
      expect((await second.emulator.admin.fileContent(active.json.id, fileId)).toString()).toBe(content);
      expect((await second.emulator.admin.session(done.json.id)).files[0]!.processing).toMatchObject({ state: 'done', rowCount: 1 });
      expect((await second.createSession(instance)).status).toBe(409);
      expect((await second.emulator.admin.instance(instance)).status).toBe('Initializing');
      // More work after the restart lands in the same state file.
      expect((await second.send('PATCH', `${second.sessionsPath()}/${active.json.id}`, { body: '{"isUploadDone":true}', contentType: 'application/json' })).status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('refuses a damaged state file with a message naming it', async () => {
    const stateFile = path.join(dir, 'broken.json');
    writeFileSync(stateFile, '{"version": 1, "sessions": 3}');
    await expect(startTestEmulator({ stateFile })).rejects.toThrow(/broken\.json/);
  });
});

describe('admin API: reset and seed', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('reset returns to the seed: no sessions, no extra instances, no faults', async () => {
    const instance = await t.freshInstance();
    await t.createSession(instance);
    await t.emulator.admin.addFault({ kind: 'latency', delayMs: 1 });
    await t.emulator.admin.reset();
    expect(await t.emulator.admin.sessions()).toEqual([]);
    await expect(t.emulator.admin.instance(instance)).rejects.toThrow(/404/);
    expect((await t.emulator.admin.faults()).rules).toEqual([]);
  });

  it('loads a new seed, and refuses an invalid one naming the field', async () => {
    const seed = await t.emulator.admin.getSeed();
    await t.emulator.admin.seed({ ...seed, users: [...seed.users, { id: 'b0b0b0b0-0000-4000-8000-000000000009', userPrincipalName: 'new.person@contoso.onmicrosoft.com', displayName: 'New Person' }] });
    expect((await t.send('GET', '/v1.0/users/new.person@contoso.onmicrosoft.com')).status).toBe(200);
    await expect(t.emulator.admin.seed({ ...seed, accessReviewDefinitions: [{ id: 'x', displayName: 'x', catalogId: 'missing' }] })).rejects.toThrow(/accessReviewDefinitions\.0\.catalogId/);
  });

  it('refuses a bad seed file at start with the file and field', async () => {
    await expect(startTestEmulator({ seed: { tenantId: 't', apps: [{ clientId: 'c', displayName: 'd', roles: [] }] } })).rejects.toThrow(/apps\.0.*clientSecret or certificate/);
  });
});

describe('stopping the emulator', () => {
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const until = async (condition: () => boolean): Promise<boolean> => {
    for (let i = 0; i < 50 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return condition();
  };

  it('ends requests held by a latency fault at once, leaving no timer that keeps a test process alive', async () => {
    const own = await startTestEmulator();
    await own.send('GET', own.sessionsPath()); // token and connection ready, so their timers are counted below
    const before = timers();
    await own.emulator.admin.addFault({ kind: 'latency', delayMs: 600_000 });
    const answer = own.send('GET', own.sessionsPath()).then(
      () => 'answered',
      () => 'connection closed',
    );
    expect(await until(() => timers() > before)).toBe(true); // the request is held
    await own.emulator.stop();
    expect(await answer).toBe('connection closed');
    await own.dispatcher.destroy();
    expect(await until(() => timers() <= before)).toBe(true);
  });
});
