import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import type { StagedFile } from '../../contracts/manifest';

/** Shared pieces of the callout receiver tests. */

export const CONTEXT_TYPE = '#microsoft.graph.customDataProvidedResourcePayloads.accessReviewContextData';

export interface CalloutIds {
  catalogId: string;
  resourceId: string;
  reviewDefinitionId: string;
  reviewInstanceId: string;
}

/** Entra's callout body (graph-api.md §1.5). */
export function calloutBody(ids: CalloutIds, dataType = CONTEXT_TYPE): Record<string, unknown> {
  return {
    source: '/identityGovernance/accessReviews',
    catalogId: ids.catalogId,
    resourceId: ids.resourceId,
    data: { '@odata.type': dataType, reviewDefinitionId: ids.reviewDefinitionId, reviewInstanceId: ids.reviewInstanceId },
  };
}

/** What the receiver answers: a started/joined run, a "not handled", or an error (the tests assert which). */
export interface ReceiverJson {
  workflowId?: string;
  runId?: string | null;
  started?: boolean;
  webUi?: string;
  handled?: boolean;
  message?: string;
  error?: { code: string; message: string; targetsFile?: string; fields?: { path: string; message: string }[] };
}

export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: ReceiverJson;
}

export async function postCallout(url: string, body: unknown, options: { token?: string; authorization?: string; contentType?: string } = {}): Promise<ReceiverAnswer> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await request(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as ReceiverJson) };
}

/** A pino logger whose lines the test can read. */
export function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

/** An upload targets file with one target fed by already staged files. */
export async function writeTargetsFile(dir: string, target: { catalogId: string; resourceId: string; reviewDefinitionIds: string[]; files: StagedFile[] }): Promise<string> {
  const file = path.join(dir, 'upload-targets.json');
  const { files, ...ids } = target;
  await writeFile(file, JSON.stringify({ targets: [{ name: 'ledger', ...ids, source: { kind: 'staged', files } }] }, null, 2));
  return file;
}
