/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers (expect.any, expect.stringContaining) are typed any. */
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import type { CalloutServer } from '../../callout/server';
import { createCalloutServer } from '../../callout/server';
import { createTokenVerifier } from '../../callout/token-verifier';
import { loadUploadTargets } from '../../client/targets';
import { reviewUploadWorkflowId } from '../../contracts/review-upload';
import type { ReviewUploadResult } from '../../contracts/review-upload';
import type { reviewUpload } from '../../workflows';
import { DEFAULT_CALLOUT_CALLER_APP_ID } from '../../emulator/settings';
import type { UploadTestEnv } from '../harness/upload-env';
import { LEDGER, startUploadTestEnv } from '../harness/upload-env';
import type { CalloutIds } from './helpers';
import { calloutBody, capturingLogger, postCallout, writeTargetsFile } from './helpers';

const AUDIENCE = 'api://entra-review-uploader-callouts-test';
const PAYROLL = 'd00d0000-0000-4000-8000-00000000b002';
const ANNUAL_REVIEW = 'e1e1e1e1-0000-4000-8000-0000000000d2';
const WRITER_APP = '11111111-1111-4111-8111-111111111111';

describe('the Entra callout receiver on the dev server and the emulator', () => {
  let env: UploadTestEnv;
  let receiver: CalloutServer;
  let url: string;
  let targetsFile: string;
  const log = capturingLogger();

  /** Runs a worker until the run ends (a worker runs once, so each run gets its own: no run starts early). */
  const runToEnd = async (workflowId: string): Promise<ReviewUploadResult> => {
    const worker = await env.createWorker();
    return worker.runUntil(env.temporal.client.workflow.getHandle<typeof reviewUpload>(workflowId).result());
  };
  const instanceIds = async (): Promise<CalloutIds> => env.newInstance();
  const noRunFor = async (ids: CalloutIds): Promise<void> => {
    await expect(env.temporal.client.workflow.getHandle(reviewUploadWorkflowId(ids)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  };

  beforeAll(async () => {
    env = await startUploadTestEnv();
    await env.emulator.admin.updateSettings({ calloutAudience: AUDIENCE });
    targetsFile = await writeTargetsFile(env.stagingDir, { catalogId: LEDGER.catalogId, resourceId: LEDGER.resourceId, reviewDefinitionIds: [LEDGER.reviewDefinitionId], files: await env.makeCsvFiles(2, 20) });
    const verifier = createTokenVerifier({
      authorityHost: env.emulator.authorityHost,
      tenantId: env.emulator.tenantId,
      audiences: [AUDIENCE],
      allowedAppIds: [DEFAULT_CALLOUT_CALLER_APP_ID],
    });
    receiver = createCalloutServer({
      client: env.temporal.client,
      targets: await loadUploadTargets(targetsFile),
      targetsFile,
      verifier,
      logger: log.logger,
      taskQueue: env.taskQueue,
    });
    url = await receiver.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await receiver?.close();
    await env?.close();
  });

  it('starts the run on a valid callout, joins it on a repeated one, and the run completes the session', async () => {
    const ids = await instanceIds();
    const token = await env.emulator.admin.mintCalloutToken();
    const first = await postCallout(url, calloutBody(ids), { token });
    expect(first.status).toBe(202);
    expect(first.json).toEqual({ workflowId: reviewUploadWorkflowId(ids), runId: expect.any(String), started: true, webUi: expect.stringContaining(encodeURIComponent(reviewUploadWorkflowId(ids))) });

    const second = await postCallout(url, calloutBody(ids), { token });
    expect(second.status).toBe(202);
    expect(second.json).toMatchObject({ workflowId: first.json.workflowId, runId: first.json.runId, started: false });

    const result = await runToEnd(first.json.workflowId!);
    expect(result).toMatchObject({ outcome: 'completed', alreadyCompleted: false });
    const sessions = await env.sessionsOf(ids.reviewInstanceId);
    expect(sessions.map((s) => [s.status, s.files.length])).toEqual([['complete', 2]]);

    // A callout after the run ended starts nothing: an automated trigger gets one attempt per instance.
    const late = await postCallout(url, calloutBody(ids), { token });
    expect(late.status).toBe(202);
    expect(late.json).toMatchObject({ workflowId: first.json.workflowId, started: false, runId: first.json.runId });
    expect(await env.sessionsOf(ids.reviewInstanceId)).toHaveLength(1);
  });

  it('refuses missing, malformed, forged, expired, mis-addressed and unauthorised tokens, and starts nothing', async () => {
    const ids = await instanceIds();
    const admin = env.emulator.admin;
    const genuine = await admin.mintCalloutToken();
    const { privateKey } = await generateKeyPair('RS256');
    const forge = (kid: string | undefined): Promise<string> =>
      new SignJWT({ azp: DEFAULT_CALLOUT_CALLER_APP_ID, appid: DEFAULT_CALLOUT_CALLER_APP_ID, tid: env.emulator.tenantId })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
        .setIssuer(`${env.emulator.baseUrl}/${env.emulator.tenantId}/v2.0`)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    const graphToken = await admin.mintToken({ clientId: WRITER_APP });
    const cases: { name: string; authorization?: string; status: number; reason: RegExp }[] = [
      { name: 'missing', status: 401, reason: /no bearer token/ },
      { name: 'another scheme', authorization: `Basic ${Buffer.from('a:b').toString('base64')}`, status: 401, reason: /Bearer <token>/ },
      { name: 'not a JWT', authorization: 'Bearer not-a-token', status: 401, reason: /not a JWT/ },
      { name: 'forged (another key, the tenant kid)', authorization: `Bearer ${await forge(decodeProtectedHeader(genuine).kid)}`, status: 401, reason: /signature/ },
      { name: 'forged (unknown kid)', authorization: `Bearer ${await forge('some-other-kid')}`, status: 401, reason: /unknown kid/ },
      { name: 'expired', authorization: `Bearer ${await admin.mintCalloutToken({ lifetimeSeconds: -600 })}`, status: 401, reason: /expired/ },
      { name: 'wrong audience', authorization: `Bearer ${await admin.mintCalloutToken({ audience: 'api://someone-else' })}`, status: 401, reason: /another audience/ },
      { name: 'a Graph token', authorization: `Bearer ${graphToken}`, status: 401, reason: /another audience/ },
      {
        name: 'wrong issuer',
        authorization: `Bearer ${await admin.mintCalloutToken({ issuer: `https://login.microsoftonline.com/${env.emulator.tenantId}/v2.0` })}`,
        status: 401,
        reason: /another issuer/,
      },
      { name: 'caller app not allowed', authorization: `Bearer ${await admin.mintCalloutToken({ callerAppId: WRITER_APP })}`, status: 403, reason: new RegExp(`app ${WRITER_APP} is not allowed`) },
    ];
    const linesBefore = log.lines.length;
    for (const c of cases) {
      const answer = await postCallout(url, calloutBody(ids), c.authorization === undefined ? {} : { authorization: c.authorization });
      expect({ name: c.name, status: answer.status }).toEqual({ name: c.name, status: c.status });
      expect(answer.json.error?.code).toBe(c.status === 401 ? 'unauthorized' : 'forbidden');
      expect(answer.json.error?.message).toMatch(c.reason);
    }
    // The token is checked before the body: a bad body with a bad token is a 401, not a 400.
    expect((await postCallout(url, '{not json', { authorization: 'Bearer x.y.z' })).status).toBe(401);
    await noRunFor(ids);
    // Refusals are logged, and no log line holds a token (or any part of one).
    const newLines = log.lines.slice(linesBefore);
    expect(newLines.filter((l) => l.includes('"status":401') || l.includes('"status":403'))).toHaveLength(cases.length + 1);
    const secrets = cases.flatMap((c) => (c.authorization ?? '').split(/[\s.]/)).filter((part) => part.length > 20);
    for (const line of newLines) for (const secret of secrets) expect(line).not.toContain(secret);
  });

  it('answers 400 naming the field of a bad body, 415 for another content type', async () => {
    const token = await env.emulator.admin.mintCalloutToken();
    const ids = await instanceIds();
    const withoutInstance = calloutBody(ids) as { data: Record<string, unknown> };
    delete withoutInstance.data.reviewInstanceId;
    const missing = await postCallout(url, withoutInstance, { token });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 'invalidCallout', message: expect.stringContaining('data.reviewInstanceId'), fields: [expect.objectContaining({ path: 'data.reviewInstanceId' })] });

    const wrongSource = await postCallout(url, { ...calloutBody(ids), source: '/identityGovernance/lifecycleWorkflows' }, { token });
    expect(wrongSource.json.error?.message).toMatch(/source: must be "\/identityGovernance\/accessReviews"/);
    const unknownKind = await postCallout(url, calloutBody(ids, '#microsoft.graph.somethingElse'), { token });
    expect(unknownKind.json.error?.message).toContain('data.@odata.type');
    expect((await postCallout(url, '{"source":', { token })).json.error?.code).toBe('invalidJson');
    expect((await postCallout(url, calloutBody(ids), { token, contentType: 'text/plain' })).status).toBe(415);
    await noRunFor(ids);
  });

  it('names the targets file when the resource or the review definition is not configured', async () => {
    const token = await env.emulator.admin.mintCalloutToken();
    const payroll = { ...LEDGER, resourceId: PAYROLL, reviewInstanceId: 'f2f2f2f2-0000-4000-8000-0000000000e2' };
    const unknown = await postCallout(url, calloutBody(payroll), { token });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'unknownTarget', targetsFile });
    expect(unknown.json.error?.message).toContain(`resource ${PAYROLL}`);
    expect(unknown.json.error?.message).toContain(targetsFile);

    const annual = { ...LEDGER, reviewDefinitionId: ANNUAL_REVIEW, reviewInstanceId: 'f2f2f2f2-0000-4000-8000-0000000000e2' };
    const notServed = await postCallout(url, calloutBody(annual), { token });
    expect(notServed.status).toBe(422);
    expect(notServed.json.error?.message).toContain(`targets.0.reviewDefinitionIds in ${targetsFile}`);
    await noRunFor(payroll);
    await noRunFor(annual);
  });

  it('acknowledges decision callouts without acting, and accepts the older upload discriminator', async () => {
    const token = await env.emulator.admin.mintCalloutToken();
    const ids = await instanceIds();
    const decisions = await postCallout(url, calloutBody(ids, '#microsoft.graph.customDataProvidedResourcePayloads.applyDecisionContextData'), { token });
    expect(decisions.status).toBe(202);
    expect(decisions.json).toEqual({ handled: false, message: expect.stringContaining('never applied automatically') });
    await noRunFor(ids);

    const older = await postCallout(url, calloutBody(ids, '#microsoft.graph.customDataProvidedResourceRequestAccessReviewDataCalloutData'), { token });
    expect(older.json).toMatchObject({ workflowId: reviewUploadWorkflowId(ids), started: true });
    const result = await runToEnd(older.json.workflowId!);
    expect(result.outcome).toBe('completed');
  });

  it('answers 500 startRefused, the reason in the log, when Temporal refuses the start for good (an unknown namespace)', async () => {
    const misconfigured = createCalloutServer({
      client: new Client({ connection: env.temporal.connection, namespace: 'no-such-namespace' }),
      targets: await loadUploadTargets(targetsFile),
      verifier: createTokenVerifier({ authorityHost: env.emulator.authorityHost, tenantId: env.emulator.tenantId, audiences: [AUDIENCE], allowedAppIds: [DEFAULT_CALLOUT_CALLER_APP_ID] }),
      logger: log.logger,
      taskQueue: env.taskQueue,
    });
    const misconfiguredUrl = await misconfigured.listen(0, '127.0.0.1');
    try {
      const answer = await postCallout(misconfiguredUrl, calloutBody(await instanceIds()), { token: await env.emulator.admin.mintCalloutToken() });
      expect(answer.status).toBe(500);
      expect(answer.json.error?.code).toBe('startRefused');
      // The log says why (the SDK's own message alone would not).
      expect(log.lines.some((l) => l.includes('"outcome":"startRefused"') && l.includes('no-such-namespace'))).toBe(true);
    } finally {
      await misconfigured.close();
    }
  });

  it('runs the whole loop: the emulator starts an instance, calls the receiver, the run completes the session', async () => {
    await env.emulator.admin.updateSettings({ calloutUrls: { [LEDGER.resourceId]: url } });
    const instance = await env.emulator.admin.startInstance(LEDGER.reviewDefinitionId);
    const [callout] = (await env.emulator.admin.callouts({ waitForDelivery: true })).filter((c) => c.reviewInstanceId === instance.id);
    expect(callout).toMatchObject({ state: 'delivered', attempts: [expect.objectContaining({ status: 202 })] });
    const answer = JSON.parse(callout!.attempts[0]!.response ?? '{}') as { workflowId: string; started: boolean };
    expect(answer).toMatchObject({ workflowId: reviewUploadWorkflowId({ ...LEDGER, reviewInstanceId: instance.id }), started: true });

    const result = await runToEnd(answer.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', stats: { filesUploaded: 2 } });
    expect((await env.sessionsOf(instance.id)).map((s) => s.status)).toEqual(['complete']);
    expect((await env.emulator.admin.instance(instance.id)).status).toBe('InProgress');
  });
});
