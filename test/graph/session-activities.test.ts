/**
 * The session activities against the emulator, run in Temporal's MockActivityEnvironment (heartbeats and
 * cancellation as a worker delivers them). Retry behaviour under a real worker: retries.worker.test.ts.
 */
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { manifestOf } from '../../contracts/manifest';
import type { StagedFile } from '../../contracts/manifest';
import { SessionFailureType } from '../../contracts/session-activities';
import type { OpenUploadSessionInput, UploadProgress } from '../../contracts/session-activities';
import { createSessionActivities } from '../../activities/session';
import type { SessionActivities } from '../../activities/session';
import { csv, SEED, startGraphTestEnv } from './helpers/graph-env';
import type { GraphTestEnv } from './helpers/graph-env';
import { failureOf } from './helpers/failure-of';

let env: GraphTestEnv;
let activities: SessionActivities;

beforeAll(async () => {
  env = await startGraphTestEnv({ uploadWindowSeconds: 600 });
  activities = createSessionActivities({ graph: env.graph, heartbeatIntervalMs: 0 });
});
afterAll(async () => {
  await env?.close();
});
afterEach(async () => {
  await env.emulator.admin.reset();
});

const target = { catalogId: SEED.catalogId, resourceId: SEED.ledgerId };
async function openInput(): Promise<OpenUploadSessionInput> {
  const instance = await env.emulator.admin.startInstance(SEED.quarterlyDefinitionId);
  return { ...target, reviewDefinitionId: SEED.quarterlyDefinitionId, reviewInstanceId: instance.id };
}
/** Runs an activity in a mock activity context (a fresh one unless given). */
const runIn = <A extends unknown[], R>(mock: MockActivityEnvironment, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => mock.run<A, R, (...args: A) => Promise<R>>(fn, ...args);
const quiet = new DefaultLogger('ERROR');
const mockEnv = (): MockActivityEnvironment => new MockActivityEnvironment(undefined, { logger: quiet });
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => runIn(mockEnv(), fn, ...args);


describe('openUploadSession', () => {
  it('creates once, then reuses the active session (a retry never makes a second one)', async () => {
    const input = await openInput();
    const first = await run(activities.openUploadSession, input);
    const again = await run(activities.openUploadSession, input);
    expect(first.outcome).toBe('created');
    expect(again).toEqual({ outcome: 'reused', session: first.session });
    expect((await env.emulator.admin.sessions()).filter((s) => s.referenceId === input.reviewInstanceId)).toHaveLength(1);
  });

  it('reports a completed session as already done, and an expired one as expired, creating nothing', async () => {
    const input = await openInput();
    const { session } = await run(activities.openUploadSession, input);
    await env.graph.completeUploadSession(target.catalogId, target.resourceId, session.sessionId);
    expect((await run(activities.openUploadSession, input)).outcome).toBe('alreadyCompleted');

    const late = await openInput();
    await run(activities.openUploadSession, late);
    await env.emulator.admin.advanceClock(601);
    const expired = await run(activities.openUploadSession, late);
    expect(expired.outcome).toBe('expired');
    expect(expired.session.status).toBe('expired');
    expect((await env.emulator.admin.sessions()).filter((s) => s.referenceId === late.reviewInstanceId)).toHaveLength(1);
  });
});

describe('uploadSessionFile, verifySessionFiles, completeUploadSession', () => {
  async function openWithFiles(names: [string, number][]): Promise<{ sessionId: string; files: StagedFile[] }> {
    const { session } = await run(activities.openUploadSession, await openInput());
    const files = await Promise.all(names.map(([name, rows]) => env.stage(name, csv(rows))));
    return { sessionId: session.sessionId, files };
  }

  it('uploads with heartbeats, skips a file already there by name and size, verifies and completes once', async () => {
    const { sessionId, files } = await openWithFiles([
      ['a.csv', 2000],
      ['b.csv', 3],
    ]);
    const [a, b] = files as [StagedFile, StagedFile];
    const manifest = manifestOf(files);
    const mock = mockEnv();
    const beats: UploadProgress[] = [];
    mock.on('heartbeat', (d: UploadProgress) => beats.push(d));
    const uploaded = await runIn(mock, activities.uploadSessionFile, { ...target, sessionId, file: a });
    expect(uploaded.outcome).toBe('uploaded');
    expect(beats[0]).toEqual({ name: 'a.csv', bytesSent: 0, size: a.size });
    expect(beats.at(-1)).toEqual({ name: 'a.csv', bytesSent: a.size, size: a.size });

    expect((await run(activities.uploadSessionFile, { ...target, sessionId, file: a })).outcome).toBe('alreadyPresent');

    const partial = await run(activities.verifySessionFiles, { ...target, sessionId, manifest });
    expect(partial).toMatchObject({ matches: false, missing: [{ name: 'b.csv', size: b.size }], actualCount: 1, expectedCount: 2 });
    const refused = await failureOf(run(activities.completeUploadSession, { ...target, sessionId, manifest }));
    expect(refused.type).toBe(SessionFailureType.incomplete);
    expect(refused.message).toContain('missing b.csv');

    await run(activities.uploadSessionFile, { ...target, sessionId, file: b });
    const verified = await run(activities.verifySessionFiles, { ...target, sessionId, manifest });
    expect(verified).toMatchObject({ matches: true, actualBytes: a.size + b.size, session: { filesUploaded: 2 } });

    const completed = await run(activities.completeUploadSession, { ...target, sessionId, manifest });
    expect(completed).toMatchObject({ outcome: 'completed', matchesManifest: true, session: { status: 'complete', isUploadDone: true } });
    const again = await run(activities.completeUploadSession, { ...target, sessionId, manifest });
    expect(again).toMatchObject({ outcome: 'alreadyCompleted', matchesManifest: true });
    expect((await env.emulator.admin.session(sessionId)).files).toHaveLength(2);

    const notActive = await failureOf(run(activities.uploadSessionFile, { ...target, sessionId, file: { ...b, name: 'c.csv' } }));
    expect(notActive.type).toBe(SessionFailureType.notActive);
  });

  it('refuses a staged file whose size differs from the manifest, and a same-name file of another size in the session', async () => {
    const { sessionId, files } = await openWithFiles([['a.csv', 2]]);
    const a = files[0]!;
    expect((await failureOf(run(activities.uploadSessionFile, { ...target, sessionId, file: { ...a, size: a.size + 1 } }))).type).toBe(SessionFailureType.stagedFileChanged);
    await run(activities.uploadSessionFile, { ...target, sessionId, file: a });
    const changed = await env.stage('a.csv', csv(7));
    const conflict = await failureOf(run(activities.uploadSessionFile, { ...target, sessionId, file: changed }));
    expect(conflict.type).toBe(SessionFailureType.fileConflict);
    expect(conflict.nonRetryable).toBe(true);
    expect(conflict.message).toContain('delete the session');
  });

  it('cancels an upload in flight: the request stops and the session does not get the file', async () => {
    const { sessionId } = await openWithFiles([]);
    const big = await env.stage('big.csv', csv(400_000));
    const mock = mockEnv();
    mock.on('heartbeat', (d: UploadProgress) => {
      if (d.bytesSent > 0 && d.bytesSent < d.size) mock.cancel();
    });
    const outcome = await runIn(mock, activities.uploadSessionFile, { ...target, sessionId, file: big }).then(
      () => 'finished',
      (err: unknown) => err,
    );
    expect(outcome).toBeInstanceOf(CancelledFailure);
    const session = await env.graph.getUploadSession(target.catalogId, target.resourceId, sessionId, { expandFiles: true });
    expect(session.files).toEqual([]);
    expect(session.stats.filesUploaded).toBe(0);
  });
});

describe('deleteUploadSession and readReviewInstance', () => {
  it('deletes an active session, then reports it gone; leaves a complete one alone', async () => {
    const { session } = await run(activities.openUploadSession, await openInput());
    const ref = { ...target, sessionId: session.sessionId };
    expect(await run(activities.deleteUploadSession, ref)).toEqual({ outcome: 'deleted', status: 'active' });
    expect(await run(activities.deleteUploadSession, ref)).toEqual({ outcome: 'alreadyGone', status: null });

    const { session: done } = await run(activities.openUploadSession, await openInput());
    await env.graph.completeUploadSession(target.catalogId, target.resourceId, done.sessionId);
    expect(await run(activities.deleteUploadSession, { ...target, sessionId: done.sessionId })).toEqual({ outcome: 'notActive', status: 'complete' });
    expect((await env.emulator.admin.session(done.sessionId)).status).toBe('complete');
  });

  it("reads the review instance's status and start", async () => {
    const instance = await run(activities.readReviewInstance, { reviewDefinitionId: SEED.quarterlyDefinitionId, reviewInstanceId: SEED.quarterlyInitializingInstanceId });
    expect(instance).toMatchObject({ id: SEED.quarterlyInitializingInstanceId, status: 'Initializing' });
    expect(instance.startDateTime).not.toBeNull();
  });
});
