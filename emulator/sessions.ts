import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { EmulatorContext } from './context';
import { refreshLifecycle } from './context';
import { graphError } from './errors';
import type { GraphHandler, GraphRequest, GraphRouteSpec } from './graph-types';
import { metadataContext } from './graph-types';
import type { HandlerResult } from './http';
import { json, noContent, readJson } from './http';
import type { FileRecord, SessionRecord } from './model';
import { CDPR_ORIGIN_SYSTEM } from './model';
import { receiveSingleFile } from './multipart';
import type { NestedOptions } from './query';
import { applyNested, collectionBody, pageCollection, parseExpand, readQueryOptions } from './query';
import type { Route } from './router';
import type { SessionPathVariant } from './session-shapes';
import {
  CURRENT_CREATE_BODY,
  LEGACY_BETA_COLLECTION,
  SESSION_PATHS,
  createSessionBodySchema,
  fileQuerySchema,
  patchSessionBodySchema,
  renderSession,
  sessionQuerySchema,
} from './session-shapes';

/** Upload session operations (graph-api.md §1.1, §1.2) and the rules Entra enforces on them (§1.1, §8). */

function resolveResource(request: GraphRequest, context: EmulatorContext): { catalogId: string; resourceId: string } {
  const catalogId = request.params.c ?? '';
  const resourceId = request.params.r ?? '';
  if (context.store.catalog(catalogId) === undefined) throw graphError.notFound(`The catalog '${catalogId}' does not exist.`);
  if (context.store.resource(catalogId, resourceId) === undefined) {
    throw graphError.notFound(`The resource '${resourceId}' does not exist in catalog '${catalogId}'.`);
  }
  return { catalogId, resourceId };
}

function resolveSession(request: GraphRequest, context: EmulatorContext): SessionRecord {
  const { catalogId, resourceId } = resolveResource(request, context);
  const session = context.store.sessions.get(request.params.s ?? '');
  if (session === undefined || session.catalogId !== catalogId || session.resourceId !== resourceId) {
    throw graphError.notFound(`The upload session '${request.params.s ?? ''}' does not exist for resource '${resourceId}' in catalog '${catalogId}'.`);
  }
  return session;
}

function zodMessage(error: z.ZodError, what: string): string {
  const details = error.issues.map((issue) => {
    const where = issue.path.join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (k === 'referenceId' ? `'referenceId' (read-only: the server sets it from data.reviewInstanceId)` : `'${k}'`));
      return `${where}: property ${keys.join(', ')} is not allowed`;
    }
    return `${where}: ${issue.message}`;
  });
  return `Invalid ${what}: ${details.join('; ')}.`;
}

function expandFor(options: Map<string, string>): NestedOptions<FileRecord> | undefined {
  const text = options.get('$expand');
  if (text === undefined) return undefined;
  const expand = parseExpand(text, { files: fileQuerySchema });
  return expand.get('files');
}

function entityResult(context: EmulatorContext, variant: SessionPathVariant, request: GraphRequest, body: Record<string, unknown>, status = 200, fragment?: string): HandlerResult {
  const contextUrl = metadataContext(context, variant.version, fragment ?? `${variant.contextPath(request.params.c ?? '', request.params.r ?? '')}/$entity`);
  return json(status, { '@odata.context': contextUrl, ...body });
}

function createHandlers(variant: SessionPathVariant): Record<'list' | 'create' | 'get' | 'patch' | 'remove' | 'upload', GraphHandler> {
  return {
    async list(request, context) {
      const { catalogId, resourceId } = resolveResource(request, context);
      const options = readQueryOptions(request.url, ['$filter', '$orderby', '$expand', '$top', '$skip', '$count', '$skiptoken'], variant.version);
      const files = expandFor(options);
      const sessions = [...context.store.sessions.values()].filter((s) => s.catalogId === catalogId && s.resourceId === resourceId);
      const page = pageCollection(sessions, options, sessionQuerySchema, request.url, context.settings.pageSize);
      const contextPath = `${variant.contextPath(catalogId, resourceId)}${files !== undefined ? '(files())' : ''}`;
      const value = page.items.map((s) => renderSession(s, files === undefined ? undefined : applyNested(s.files, files)));
      return json(200, collectionBody(metadataContext(context, variant.version, contextPath), page, value));
    },

    async get(request, context) {
      const session = resolveSession(request, context);
      const files = expandFor(readQueryOptions(request.url, ['$expand'], variant.version));
      const fragment = `${variant.contextPath(session.catalogId, session.resourceId)}${files !== undefined ? '(files())' : ''}/$entity`;
      return entityResult(context, variant, request, renderSession(session, files === undefined ? undefined : applyNested(session.files, files)), 200, fragment);
    },

    async create(request, context) {
      const { catalogId, resourceId } = resolveResource(request, context);
      readQueryOptions(request.url, [], variant.version);
      const body = await readJson(request.req, context.settings.maxJsonBytes);
      const raw = body as { source?: unknown; type?: unknown; data?: { accessReviewId?: unknown } } | null;
      if (raw !== null && typeof raw === 'object' && ('source' in raw || 'type' in raw || (typeof raw.data === 'object' && raw.data !== null && 'accessReviewId' in raw.data))) {
        throw graphError.badRequest(`The legacy beta body (source, type, data.accessReviewId/accessReviewInstanceId) is not supported. Send: ${CURRENT_CREATE_BODY}`);
      }
      const parsed = createSessionBodySchema.safeParse(body);
      if (!parsed.success) throw graphError.badRequest(`${zodMessage(parsed.error, 'upload session')} Expected: ${CURRENT_CREATE_BODY}`);
      const { reviewDefinitionId, reviewInstanceId } = parsed.data.data;
      const resource = context.store.resource(catalogId, resourceId);
      if (resource?.originSystem !== CDPR_ORIGIN_SYSTEM) {
        throw graphError.badRequest(`Resource '${resourceId}' has originSystem '${resource?.originSystem ?? ''}'; upload sessions exist only for ${CDPR_ORIGIN_SYSTEM} resources.`);
      }
      const definition = context.store.definition(reviewDefinitionId);
      if (definition === undefined) throw graphError.badRequest(`data.reviewDefinitionId: access review definition '${reviewDefinitionId}' does not exist.`);
      const instance = context.store.instances.get(reviewInstanceId);
      if (instance?.definitionId !== definition.id) {
        throw graphError.badRequest(`data.reviewInstanceId: instance '${reviewInstanceId}' does not exist in access review definition '${reviewDefinitionId}'.`);
      }
      if (definition.catalogId !== catalogId || !context.store.coveredResources(definition).includes(resourceId)) {
        throw graphError.badRequest(`Access review definition '${reviewDefinitionId}' does not review resource '${resourceId}' of catalog '${catalogId}'.`);
      }
      const existing = [...context.store.sessions.values()].filter((s) => s.referenceId === reviewInstanceId && s.resourceId === resourceId && s.catalogId === catalogId);
      const active = existing.find((s) => s.status === 'active');
      if (active !== undefined) {
        throw graphError.conflict(`One upload session per review instance and resource: session '${active.id}' is already active for instance '${reviewInstanceId}' and resource '${resourceId}'. Upload to it, or delete it to start over.`);
      }
      const complete = existing.find((s) => s.status === 'complete');
      if (complete !== undefined) {
        throw graphError.conflict(`No new upload session after a completed one: session '${complete.id}' for instance '${reviewInstanceId}' and resource '${resourceId}' is complete and its data is processed.`);
      }
      if (instance.status !== 'Initializing') {
        throw graphError.conflict(`Review instance '${reviewInstanceId}' is ${instance.status}; upload sessions can be created only while it is Initializing (within ${context.settings.uploadWindowSeconds} s of entering it).`);
      }
      const session: SessionRecord = {
        id: randomUUID(),
        catalogId,
        resourceId,
        referenceId: reviewInstanceId,
        status: 'active',
        isUploadDone: false,
        createdDateTime: context.clock.graphTimestamp(),
        data: { reviewDefinitionId, reviewInstanceId },
        files: [],
      };
      context.store.sessions.set(session.id, session);
      context.persist();
      return entityResult(context, variant, request, renderSession(session, session.files), 201);
    },

    async upload(request, context) {
      const session = resolveSession(request, context);
      readQueryOptions(request.url, [], variant.version);
      const assertActive = (): void => {
        if (session.status !== 'active') {
          throw graphError.conflict(`Upload session '${session.id}' is ${session.status}; files can be uploaded only to an active session.`);
        }
      };
      assertActive();
      if (request.req === undefined) throw graphError.badRequest('uploadFile needs a multipart/form-data body.');
      const received = await receiveSingleFile(request.req, { dataDir: context.dataDir, maxBytes: context.settings.maxUploadBytes });
      // The window may have closed, or the session been completed, while the bytes were arriving.
      if (refreshLifecycle(context)) context.persist();
      if (session.status !== 'active' || !context.store.sessions.has(session.id)) {
        await fs.rm(received.contentPath, { force: true });
        assertActive();
        throw graphError.notFound(`The upload session '${session.id}' was deleted during the upload.`);
      }
      session.files.push({
        id: randomUUID(),
        name: received.name,
        size: received.size,
        uploadedDateTime: context.clock.graphTimestamp(),
        sha256: received.sha256,
        contentFile: path.basename(received.contentPath),
      });
      context.persist();
      return entityResult(context, variant, request, renderSession(session, session.files), 200, 'microsoft.graph.customDataProvidedResourceAccessReviewUploadSession');
    },

    async patch(request, context) {
      const session = resolveSession(request, context);
      readQueryOptions(request.url, [], variant.version);
      const parsed = patchSessionBodySchema.safeParse(await readJson(request.req, context.settings.maxJsonBytes));
      if (!parsed.success) throw graphError.badRequest(`${zodMessage(parsed.error, 'update')} The only allowed update is {"isUploadDone": true}.`);
      if (session.status !== 'active') {
        throw graphError.conflict(`Upload session '${session.id}' is ${session.status}; only an active session can be completed.`);
      }
      session.status = 'complete';
      session.isUploadDone = true;
      context.store.settleInstance(session.referenceId);
      context.persist();
      context.processing.start(session.id);
      return entityResult(context, variant, request, renderSession(session, session.files));
    },

    async remove(request, context) {
      const session = resolveSession(request, context);
      readQueryOptions(request.url, [], variant.version);
      if (session.status !== 'active') {
        throw graphError.conflict(`Upload session '${session.id}' is ${session.status}; only an active session can be deleted.`);
      }
      context.store.sessions.delete(session.id);
      context.persist();
      await Promise.all(session.files.map((f) => fs.rm(path.join(context.dataDir, f.contentFile), { force: true })));
      return noContent();
    },
  };
}

const legacyPath: GraphHandler = async () => {
  throw graphError.badRequest(
    'The legacy beta path .../entitlementManagement/accessPackageCatalogs/{c}/accessPackageResources/{r}/uploadSessions is not supported. ' +
      `Use /v1.0/identityGovernance/entitlementManagement/catalogs/{c}/resources/{r}/uploadSessions (or beta /identityGovernance/catalogs/{c}/accessPackageResources/{r}/uploadSessions) with body ${CURRENT_CREATE_BODY}`,
  );
};

export function sessionRoutes(): Route<GraphRouteSpec>[] {
  const routes: Route<GraphRouteSpec>[] = [];
  for (const variant of SESSION_PATHS) {
    const h = createHandlers(variant);
    const one = `${variant.collection}/:s`;
    routes.push(
      { method: 'GET', pattern: variant.collection, handler: { access: 'entitlement.read', handle: h.list } },
      { method: 'POST', pattern: variant.collection, handler: { access: 'entitlement.write', handle: h.create } },
      { method: 'GET', pattern: one, handler: { access: 'entitlement.read', handle: h.get } },
      { method: 'PATCH', pattern: one, handler: { access: 'entitlement.write', handle: h.patch } },
      { method: 'DELETE', pattern: one, handler: { access: 'entitlement.write', handle: h.remove } },
      { method: 'POST', pattern: `${one}/uploadFile`, handler: { access: 'entitlement.write', handle: h.upload } },
      { method: 'POST', pattern: `${one}/microsoft.graph.uploadFile`, handler: { access: 'entitlement.write', handle: h.upload } },
    );
  }
  for (const method of ['GET', 'POST']) {
    routes.push({ method, pattern: LEGACY_BETA_COLLECTION, handler: { access: 'none', handle: legacyPath } });
  }
  return routes;
}
