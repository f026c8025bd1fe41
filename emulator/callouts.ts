import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { EmulatorContext } from './context';
import { tenantIssuer } from './context';
import type { CalloutAttempt, CalloutRecord, InstanceRecord } from './model';
import { CONTEXT_DATA_TYPE } from './model';
import { derivedGuid } from './store';

/**
 * The callout Entra sends when a review instance enters Initializing (graph-api.md §1.4-1.5): for each resource the
 * review covers that has a notification endpoint, a POST of `{ source, catalogId, resourceId, data }` with a bearer
 * token the emulator signs itself. Fire and forget for the caller (starting an instance never waits for it), but
 * observable: every attempt is recorded for the admin API. 5xx, 429 and connection errors are retried with backoff.
 */

export const CALLOUT_SOURCE = '/identityGovernance/accessReviews';
/** Retry-After above this is capped: the emulator is a local tool, and tests should not wait for minutes. */
const MAX_RETRY_AFTER_MS = 30_000;
const RESPONSE_PREVIEW_CHARS = 500;
/** The admin list keeps the latest callouts only (like the request log), so a long-running emulator stays small. */
const MAX_RECORDS = 1000;

export type CalloutSender = EmulatorContext['callouts'] & { stop(): Promise<void> };

export function calloutBody(record: CalloutRecord): Record<string, unknown> {
  return {
    source: CALLOUT_SOURCE,
    catalogId: record.catalogId,
    resourceId: record.resourceId,
    data: {
      '@odata.type': CONTEXT_DATA_TYPE,
      reviewDefinitionId: record.reviewDefinitionId,
      reviewInstanceId: record.reviewInstanceId,
    },
  };
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), MAX_RETRY_AFTER_MS);
}

export function createCalloutSender(getContext: () => EmulatorContext): CalloutSender {
  let records: CalloutRecord[] = [];
  let seq = 0;
  const running = new Set<Promise<void>>();
  const abort = new AbortController();
  // One dispatcher for all callouts; targets are usually plain http on localhost, https ones use the system's trust.
  const dispatcher = new Agent({ keepAliveTimeout: 1000 });

  const mintToken: CalloutSender['mintToken'] = async (options) => {
    const context = getContext();
    const callerAppId = options.callerAppId ?? context.settings.calloutCallerAppId;
    return context.tokens.mint({
      clientId: callerAppId,
      servicePrincipalId: derivedGuid(`sp:${callerAppId}`),
      roles: [],
      tenantId: context.store.seed.tenantId,
      issuer: options.issuer ?? tenantIssuer(context),
      nowMs: context.clock.nowMs(),
      lifetimeSeconds: options.lifetimeSeconds ?? context.settings.calloutTokenLifetimeSeconds,
      audience: options.audience ?? context.settings.calloutAudience,
      authMethod: '2',
    });
  };

  /** One attempt; returns whether to try again, and after how long at least. */
  const attempt = async (record: CalloutRecord): Promise<{ retry: boolean; waitMs?: number }> => {
    const context = getContext();
    const started = Date.now();
    const entry: CalloutAttempt = { at: new Date(context.clock.nowMs()).toISOString(), durationMs: 0 };
    record.attempts.push(entry);
    try {
      // A fresh token per attempt: they are short-lived, and a retry may come after the first one expired.
      const token = await mintToken({ audience: record.audience, callerAppId: record.callerAppId });
      const response = await request(record.url, {
        method: 'POST',
        dispatcher,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'client-request-id': randomUUID(),
          'user-agent': 'graph-emulator-callout/1',
        },
        body: JSON.stringify(calloutBody(record)),
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(context.settings.calloutTimeoutMs)]),
      });
      const text = await response.body.text();
      entry.status = response.statusCode;
      if (text !== '') entry.response = text.slice(0, RESPONSE_PREVIEW_CHARS);
      if (response.statusCode >= 200 && response.statusCode < 300) {
        record.state = 'delivered';
        return { retry: false };
      }
      const transient = response.statusCode >= 500 || response.statusCode === 429;
      return { retry: transient, waitMs: retryAfterMs(response.headers['retry-after']) };
    } catch (error) {
      entry.error = abort.signal.aborted ? 'the emulator stopped' : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { retry: !abort.signal.aborted };
    } finally {
      entry.durationMs = Date.now() - started;
    }
  };

  const deliver = async (record: CalloutRecord): Promise<void> => {
    const settings = getContext().settings;
    for (let n = 1; n <= settings.calloutMaxAttempts; n++) {
      const { retry, waitMs } = await attempt(record);
      if (record.state === 'delivered') return;
      if (!retry || n === settings.calloutMaxAttempts) break;
      const backoff = settings.calloutRetryDelayMs * 2 ** (n - 1);
      try {
        await sleep(Math.max(backoff, waitMs ?? 0), undefined, { signal: abort.signal });
      } catch {
        break; // stopped
      }
    }
    record.state = 'failed';
    getContext().log('callout failed', { id: record.id, url: record.url, attempts: record.attempts.length });
  };

  const start = (record: CalloutRecord): void => {
    const promise = deliver(record).catch((error: unknown) => {
      record.state = 'failed';
      getContext().log('callout crashed', { id: record.id, error: error instanceof Error ? error.message : String(error) });
    });
    running.add(promise);
    void promise.finally(() => running.delete(promise));
  };

  return {
    send(instance: InstanceRecord, trigger) {
      const context = getContext();
      if (abort.signal.aborted) return [];
      const definition = context.store.definition(instance.definitionId);
      if (definition === undefined) return [];
      const created: CalloutRecord[] = [];
      for (const resourceId of context.store.coveredResources(definition)) {
        const resource = context.store.resource(definition.catalogId, resourceId);
        const override = context.settings.calloutUrls[resourceId];
        const url = override === undefined ? resource?.notificationEndpointConfiguration?.url : override;
        if (url === undefined || url === null) continue;
        seq += 1;
        const record: CalloutRecord = {
          id: randomUUID(),
          seq,
          trigger,
          createdDateTime: context.clock.graphTimestamp(),
          catalogId: definition.catalogId,
          resourceId,
          reviewDefinitionId: definition.id,
          reviewInstanceId: instance.id,
          url,
          audience: resource?.calloutAudience ?? context.settings.calloutAudience,
          callerAppId: context.settings.calloutCallerAppId,
          state: 'pending',
          attempts: [],
        };
        records.push(record);
        if (records.length > MAX_RECORDS) records = records.slice(records.length - MAX_RECORDS);
        created.push(record);
        start(record);
      }
      return created;
    },
    list: () => [...records],
    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },
    clear() {
      records = [];
    },
    mintToken,
    async stop() {
      abort.abort();
      await Promise.all([...running]);
      await dispatcher.close();
    },
  };
}
