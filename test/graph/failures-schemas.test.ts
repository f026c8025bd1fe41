import type { ApplicationFailure } from '@temporalio/common';
import { GraphFailureType, NON_RETRYABLE_GRAPH_FAILURES } from '../../contracts/graph-failures';
import type { GraphFailureDetails } from '../../contracts/graph-failures';
import { graphFailureFromAnswer, graphFailureFromTransportError, parseRetryAfter } from '../../activities/graph/failures';
import { collectionSchema, describeZodError, UploadSessionSchema } from '../../activities/graph/schemas';

const ctx = { method: 'POST', path: '/v1.0/identityGovernance/entitlementManagement/catalogs/c/resources/r/uploadSessions', clientRequestId: 'crid-1' };
const errorBody = (code: string, message = 'm') => JSON.stringify({ error: { code, message, innerError: { 'request-id': 'rid-body' } } });

function fail(status: number, headers: Record<string, string> = {}, body = errorBody('someCode')): ApplicationFailure {
  return graphFailureFromAnswer({ status, headers: { 'request-id': 'rid-1', ...headers }, bodyText: body }, ctx, 120);
}

const detailsOf = (f: ApplicationFailure) => f.details?.[0] as GraphFailureDetails;
const delaySeconds = (f: ApplicationFailure): number | undefined => (f.nextRetryDelay === undefined ? undefined : Number(String(f.nextRetryDelay).replace(/s$/, '')));

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, never negative, capped', () => {
    const now = Date.parse('2026-05-01T10:00:00Z');
    expect(parseRetryAfter('7', 120, now)).toBe(7);
    expect(parseRetryAfter('Fri, 01 May 2026 10:00:30 GMT', 120, now)).toBe(30);
    expect(parseRetryAfter('Fri, 01 May 2026 09:00:00 GMT', 120, now)).toBe(0);
    expect(parseRetryAfter('86400', 120, now)).toBe(120);
    expect(parseRetryAfter('soon', 120, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, 120, now)).toBeUndefined();
  });
});

describe('one mapping from a Graph answer to a Temporal failure', () => {
  it('429 is retryable after Retry-After; 503 and 504 too; both capped', () => {
    const throttled = fail(429, { 'retry-after': '5' }, errorBody('TooManyRequests'));
    expect(throttled.type).toBe(GraphFailureType.throttled);
    expect(throttled.nonRetryable).toBe(false);
    expect(delaySeconds(throttled)).toBe(5);
    expect(detailsOf(throttled).retryAfterSeconds).toBe(5);
    expect(delaySeconds(fail(503, { 'retry-after': '100000' }))).toBe(120);
    expect(fail(504).type).toBe(GraphFailureType.unavailable);
    expect(fail(504).nextRetryDelay).toBeUndefined();
  });

  it('other 5xx are retryable with backoff (no nextRetryDelay, even if Retry-After is present)', () => {
    const f = fail(500, { 'retry-after': '3' });
    expect(f.type).toBe(GraphFailureType.serverError);
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBeUndefined();
  });

  it('decides by status, not by error.code', () => {
    expect(fail(403, {}, errorBody('TooManyRequests')).type).toBe(GraphFailureType.forbidden);
    expect(fail(429, {}, errorBody('accessDenied')).type).toBe(GraphFailureType.throttled);
    expect(fail(418, {}, 'not json').type).toBe(GraphFailureType.clientError);
  });

  it.each([
    [400, GraphFailureType.badRequest],
    [401, GraphFailureType.unauthorized],
    [403, GraphFailureType.forbidden],
    [404, GraphFailureType.notFound],
    [409, GraphFailureType.conflict],
    [413, GraphFailureType.payloadTooLarge],
    [415, GraphFailureType.unsupportedMediaType],
  ])('%i is non-retryable %s and listed as such for retry policies', (status, type) => {
    const f = fail(status);
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(true);
    expect(NON_RETRYABLE_GRAPH_FAILURES).toContain(type);
  });

  it('403 names the permission and the Catalog owner role; 409 explains the one-session rule', () => {
    expect(fail(403).message).toMatch(/EntitlementManagement\.ReadWrite\.All[\s\S]*Catalog owner/);
    expect(fail(409).message).toMatch(/only one upload session per review instance/);
  });

  it('details carry status, code, request-id, client-request-id, method and a path without query', () => {
    expect(detailsOf(fail(409, {}, errorBody('conflictCode')))).toEqual({ status: 409, code: 'conflictCode', requestId: 'rid-1', clientRequestId: 'crid-1', method: 'POST', path: ctx.path });
    const noHeader = graphFailureFromAnswer({ status: 404, headers: {}, bodyText: errorBody('x') }, ctx, 120);
    expect(detailsOf(noHeader).requestId).toBe('rid-body');
  });

  it('a connection error is retryable GraphNetworkError with the transport code', () => {
    const err = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const f = graphFailureFromTransportError(err, ctx);
    expect(f.type).toBe(GraphFailureType.network);
    expect(f.nonRetryable).toBe(false);
    expect(detailsOf(f)).toMatchObject({ status: 0, code: 'UND_ERR_SOCKET', clientRequestId: 'crid-1' });
  });
});

describe('answer schemas', () => {
  const session = {
    '@odata.type': '#microsoft.graph.customDataProvidedResourceAccessReviewUploadSession',
    id: 's1',
    referenceId: 'i1',
    status: 'active',
    isUploadDone: false,
    createdDateTime: '2026-04-01T18:24:07.148406Z',
    stats: { filesUploaded: 1, totalBytesUploaded: '12' },
    data: { '@odata.type': '#x', reviewDefinitionId: 'd1', reviewInstanceId: 'i1' },
    files: [{ id: 'f1', name: 'a.csv', size: 12, uploadedDateTime: '2026-04-01T18:25:00Z', somethingNew: true }],
    aFieldFromTheFuture: { nested: 1 },
  };

  it('tolerates unknown fields and reads Int64 sent as strings', () => {
    const parsed = UploadSessionSchema.parse(session);
    expect(parsed.stats.totalBytesUploaded).toBe(12);
    expect(parsed.files?.[0]).toEqual({ id: 'f1', name: 'a.csv', size: 12, uploadedDateTime: '2026-04-01T18:25:00Z' });
  });

  it('maps unknownFutureValue and enum members it does not know to unknownFutureValue; reads legacy capitalisation', () => {
    expect(UploadSessionSchema.parse({ ...session, status: 'unknownFutureValue' }).status).toBe('unknownFutureValue');
    expect(UploadSessionSchema.parse({ ...session, status: 'archived' }).status).toBe('unknownFutureValue');
    expect(UploadSessionSchema.parse({ ...session, status: 'Complete' }).status).toBe('complete');
  });

  it('names the field of a malformed answer', () => {
    const page = collectionSchema(UploadSessionSchema).safeParse({ value: [session, { ...session, stats: { filesUploaded: 1 } }] });
    expect(page.success).toBe(false);
    if (!page.success) expect(describeZodError(page.error)).toMatch(/^value\[1\]\.stats\.totalBytesUploaded: /);
  });
});
