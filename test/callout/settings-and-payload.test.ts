import { InvalidCalloutError, parseCallout } from '../../callout/payload';
import { CalloutConfigError, loadCalloutSettings } from '../../callout/settings';
import { calloutBody } from './helpers';

const ids = {
  catalogId: 'c0ffee00-0000-4000-8000-00000000ca01',
  resourceId: 'd00d0000-0000-4000-8000-00000000b001',
  reviewDefinitionId: 'e1e1e1e1-0000-4000-8000-0000000000d1',
  reviewInstanceId: 'f2f2f2f2-0000-4000-8000-0000000000e1',
};

const required = {
  CALLOUT_TENANT_ID: '8f1c2a52-3b7e-4c1d-9a3e-5d2f6b7c8e90',
  CALLOUT_AUDIENCE: 'api://receiver, 5b0c1f2e-0000-4000-8000-000000000001',
  CALLOUT_ALLOWED_APP_IDS: 'acce55ee-0000-4000-8000-00000000ca11',
  UPLOAD_TARGETS_FILE: 'examples/upload-targets.yaml',
};

describe('callout receiver settings (environment)', () => {
  it('has defaults for everything but the tenant, audience, allowed apps and targets file', () => {
    expect(loadCalloutSettings(required)).toEqual({
      port: 8088,
      host: '127.0.0.1',
      path: '/callouts/access-review',
      authorityHost: 'https://login.microsoftonline.com',
      tenantId: required.CALLOUT_TENANT_ID,
      audiences: ['api://receiver', '5b0c1f2e-0000-4000-8000-000000000001'],
      allowedAppIds: ['acce55ee-0000-4000-8000-00000000ca11'],
      extraIssuers: [],
      clockToleranceSeconds: 60,
      startTimeoutMs: 10_000,
      taskQueue: 'entra-review-upload',
      targetsFile: 'examples/upload-targets.yaml',
    });
  });

  it('names every missing or bad variable and what to put there', () => {
    const attempt = (): unknown =>
      loadCalloutSettings({ CALLOUT_PORT: 'eighty', CALLOUT_AUTHORITY_HOST: 'http://login.example.com', CALLOUT_PATH: 'callouts', CALLOUT_ALLOWED_APP_IDS: ' , ' });
    expect(attempt).toThrow(CalloutConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const line of [
      'CALLOUT_PORT: a port number',
      'CALLOUT_PATH: a URL path starting with "/"',
      'CALLOUT_AUTHORITY_HOST: an https URL',
      'CALLOUT_TENANT_ID: required',
      'CALLOUT_AUDIENCE: required',
      'CALLOUT_ALLOWED_APP_IDS: required',
      'UPLOAD_TARGETS_FILE: required',
    ]) {
      expect(message).toContain(line);
    }
  });
});

describe('callout body', () => {
  it('reads the current upload callout and the older discriminator with the same fields', () => {
    expect(parseCallout(calloutBody(ids))).toEqual({ kind: 'upload', ...ids, dataType: '#microsoft.graph.customDataProvidedResourcePayloads.accessReviewContextData' });
    const older = parseCallout({ ...calloutBody(ids, '#microsoft.graph.customDataProvidedResourceRequestAccessReviewDataCalloutData'), extra: 'ignored' });
    expect(older).toMatchObject({ kind: 'upload', reviewInstanceId: ids.reviewInstanceId });
  });

  it('tells decision callouts apart without needing their review ids', () => {
    const body = calloutBody(ids, '#microsoft.graph.customDataProvidedResourceApplyDecisionContextData') as { data: Record<string, unknown> };
    delete body.data.reviewInstanceId;
    expect(parseCallout(body)).toMatchObject({ kind: 'applyDecision' });
  });

  it.each([
    ['a missing instance id', { ...calloutBody(ids), data: { '@odata.type': '#microsoft.graph.customDataProvidedResourcePayloads.accessReviewContextData', reviewDefinitionId: 'd' } }, 'data.reviewInstanceId'],
    ['an id with a slash', { ...calloutBody(ids), catalogId: 'a/b' }, 'catalogId: an id without "/" or spaces'],
    ['no data', { ...calloutBody(ids), data: undefined }, 'data: required'],
    ['another source', { ...calloutBody(ids), source: '/identityGovernance/lifecycleWorkflows' }, 'source: must be'],
    ['an array', [], '(body)'],
  ])('refuses %s, naming the field', (_name, body, expected) => {
    expect(() => parseCallout(body)).toThrow(InvalidCalloutError);
    expect(() => parseCallout(body)).toThrow(expected);
  });
});
