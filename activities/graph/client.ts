/**
 * The one Microsoft Graph client of the pipeline (issue 4). Every Graph request of the project goes through it.
 * Construct once per worker process with the shared credential and dispatcher.
 */
import { stat } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { GraphFailureType } from '../../contracts/graph-failures';
import { CDPR_ORIGIN_SYSTEM, CONTEXT_DATA_TYPE, SESSION_TYPE } from './constants';
import { multipartFileBody } from './multipart';
import { buildQuery, eq } from './odata';
import type { ODataExpand, ODataExpression } from './odata';
import { graphPath } from './paths';
import { AccessPackageResourceSchema, collectionSchema, ReviewInstanceSchema, UploadSessionFileSchema, UploadSessionSchema } from './schemas';
import type { AccessPackageResource, ReviewInstance, UploadSession, UploadSessionFile } from './schemas';
import { GraphTransport, jsonBody } from './transport';
import type { GraphClientOptions } from './transport';
import { resolveUsersInBatches } from './users';

export type { GraphClientOptions, GraphLogger } from './transport';

export interface ListUploadSessionsOptions {
  filter?: ODataExpression;
  orderBy?: ODataExpression | ODataExpression[];
  /** e.g. `{ property: 'files', filter: eq('name', 'a.csv') }`. */
  expand?: ODataExpand | ODataExpand[];
  /** Page size ($top); pages are followed to the end either way. */
  pageSize?: number;
}

export interface GetUploadSessionOptions {
  /** Expand `files`, optionally with nested `$filter`/`$orderby`. `true` = all files. */
  expandFiles?: boolean | Omit<ODataExpand, 'property'>;
}

export interface UploadFileOptions {
  path: string;
  name: string;
  size: number;
  /** Called with the number of file bytes sent so far. */
  onProgress?: (bytesSent: number) => void;
}

export interface CreateUploadSessionInput {
  reviewDefinitionId: string;
  reviewInstanceId: string;
}

// Built once: zod compiles an object schema's parser on its first use, so a schema made per call would be compiled per call.
const ResourcesPageSchema = collectionSchema(AccessPackageResourceSchema);
const ReviewInstancesPageSchema = collectionSchema(ReviewInstanceSchema);
const UploadSessionsPageSchema = collectionSchema(UploadSessionSchema);
const FilesPageSchema = collectionSchema(UploadSessionFileSchema);

/** One page of a Graph collection, as collectionSchema() parses it. */
interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string | undefined;
}

export class GraphClient {
  private readonly transport: GraphTransport;

  constructor(options: GraphClientOptions) {
    this.transport = new GraphTransport(options);
  }

  private get version() {
    return this.transport.settings.apiVersion;
  }

  /** The custom data provided resources of a catalog (`originSystem eq 'CustomDataProvidedResource'`). */
  async findCustomDataResources(catalogId: string, signal?: AbortSignal): Promise<AccessPackageResource[]> {
    const path = graphPath(this.version, 'catalogResources', { catalogId });
    return this.listAll(path + buildQuery({ filter: eq('originSystem', CDPR_ORIGIN_SYSTEM) }), ResourcesPageSchema, signal);
  }

  async getResource(catalogId: string, resourceId: string, signal?: AbortSignal): Promise<AccessPackageResource> {
    const target = graphPath(this.version, 'catalogResource', { catalogId, resourceId });
    return (await this.transport.json({ method: 'GET', target, signal }, AccessPackageResourceSchema)).data;
  }

  async getReviewInstance(definitionId: string, instanceId: string, signal?: AbortSignal): Promise<ReviewInstance> {
    const target = graphPath(this.version, 'reviewInstance', { definitionId, instanceId });
    return (await this.transport.json({ method: 'GET', target, signal }, ReviewInstanceSchema)).data;
  }

  async listReviewInstances(definitionId: string, filter?: ODataExpression, signal?: AbortSignal): Promise<ReviewInstance[]> {
    const path = graphPath(this.version, 'reviewInstances', { definitionId });
    return this.listAll(path + buildQuery(filter === undefined ? {} : { filter }), ReviewInstancesPageSchema, signal);
  }

  /** All sessions of a resource matching the options, following `@odata.nextLink` to the last page. */
  async listUploadSessions(catalogId: string, resourceId: string, options: ListUploadSessionsOptions = {}, signal?: AbortSignal): Promise<UploadSession[]> {
    const path = graphPath(this.version, 'uploadSessions', { catalogId, resourceId });
    const query = buildQuery({
      ...(options.filter === undefined ? {} : { filter: options.filter }),
      ...(options.orderBy === undefined ? {} : { orderBy: options.orderBy }),
      ...(options.expand === undefined ? {} : { expand: options.expand }),
      ...(options.pageSize === undefined ? {} : { top: options.pageSize }),
    });
    return this.listAll(path + query, UploadSessionsPageSchema, signal);
  }

  /** One session; with `expandFiles` its files too (all pages of them). */
  async getUploadSession(catalogId: string, resourceId: string, sessionId: string, options: GetUploadSessionOptions = {}, signal?: AbortSignal): Promise<UploadSession> {
    const path = graphPath(this.version, 'uploadSession', { catalogId, resourceId, sessionId });
    const expand = options.expandFiles === undefined || options.expandFiles === false ? undefined : { property: 'files', ...(options.expandFiles === true ? {} : options.expandFiles) };
    const session = (await this.transport.json({ method: 'GET', target: path + buildQuery(expand === undefined ? {} : { expand }), signal }, UploadSessionSchema)).data;
    return expand === undefined ? session : this.withAllFiles(session, signal);
  }

  async createUploadSession(catalogId: string, resourceId: string, input: CreateUploadSessionInput, signal?: AbortSignal): Promise<UploadSession> {
    const target = graphPath(this.version, 'uploadSessions', { catalogId, resourceId });
    const body = jsonBody({
      '@odata.type': SESSION_TYPE,
      data: { '@odata.type': CONTEXT_DATA_TYPE, reviewDefinitionId: input.reviewDefinitionId, reviewInstanceId: input.reviewInstanceId },
    });
    return (await this.transport.json({ method: 'POST', target, body, signal }, UploadSessionSchema)).data;
  }

  /**
   * Streams one file from disk as multipart/form-data. Checks first that the file on disk has the stated size, so a
   * changed file fails before any byte is sent.
   */
  async uploadFile(catalogId: string, resourceId: string, sessionId: string, file: UploadFileOptions, signal?: AbortSignal): Promise<UploadSession> {
    const onDisk = await stat(file.path);
    if (!onDisk.isFile() || onDisk.size !== file.size) {
      throw new Error(`${file.path} is ${onDisk.isFile() ? `${onDisk.size} bytes` : 'not a regular file'}, expected a file of ${file.size} bytes`);
    }
    const target = graphPath(this.version, 'uploadFile', { catalogId, resourceId, sessionId });
    const body = () => multipartFileBody({ path: file.path, name: file.name, size: file.size }, file.onProgress);
    return (await this.transport.json({ method: 'POST', target, body, signal }, UploadSessionSchema)).data;
  }

  /** PATCH `isUploadDone: true` (the only update Graph allows). */
  async completeUploadSession(catalogId: string, resourceId: string, sessionId: string, signal?: AbortSignal): Promise<UploadSession> {
    const target = graphPath(this.version, 'uploadSession', { catalogId, resourceId, sessionId });
    return (await this.transport.json({ method: 'PATCH', target, body: jsonBody({ isUploadDone: true }), signal }, UploadSessionSchema)).data;
  }

  async deleteUploadSession(catalogId: string, resourceId: string, sessionId: string, signal?: AbortSignal): Promise<void> {
    const target = graphPath(this.version, 'uploadSession', { catalogId, resourceId, sessionId });
    await this.transport.empty({ method: 'DELETE', target, signal });
  }

  /**
   * Object ids of users given by UPN or id, through `$batch` (20 per batch). Unknown users map to null.
   */
  async resolveUsers(upnsOrIds: readonly string[], signal?: AbortSignal): Promise<Map<string, string | null>> {
    return resolveUsersInBatches(this.transport, upnsOrIds, signal);
  }

  /** The items of every page from `first` on, following `@odata.nextLink` to the last page. */
  private async listAll<T>(first: string, pageSchema: z.ZodType<Page<T>>, signal: AbortSignal | undefined): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = first;
    const seen = new Set<string>();
    while (next !== undefined) {
      // A server that hands out the same link twice would keep us here forever.
      if (seen.has(next)) {
        throw ApplicationFailure.create({ message: `Graph returned the same @odata.nextLink twice for ${next.split('?')[0]}`, type: GraphFailureType.malformedResponse, nonRetryable: true });
      }
      seen.add(next);
      const page: Page<T> = (await this.transport.json({ method: 'GET', target: next, signal }, pageSchema)).data;
      items.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return items;
  }

  private async withAllFiles(session: UploadSession, signal: AbortSignal | undefined): Promise<UploadSession> {
    const next = session['files@odata.nextLink'];
    if (next === undefined) return session;
    const files: UploadSessionFile[] = [...(session.files ?? []), ...(await this.listAll(next, FilesPageSchema, signal))];
    return { ...session, files, 'files@odata.nextLink': undefined };
  }
}
