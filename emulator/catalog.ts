import type { EmulatorContext } from './context';
import { graphError } from './errors';
import type { GraphHandler, GraphRequest, GraphRouteSpec } from './graph-types';
import { metadataContext } from './graph-types';
import { json } from './http';
import type { EntitySchema } from './odata';
import { EQ_ONLY, EQUALITY } from './odata';
import type { ApiVersion } from './query';
import { LIST_OPTIONS, collectionBody, pageCollection, readQueryOptions } from './query';
import type { Route } from './router';
import type { SeedCatalog, SeedResource } from './seed-schema';

/** Catalogs and their resources (graph-api.md §1.4), read-only, in the v1.0 and beta shapes. */

const catalogSchema: EntitySchema<SeedCatalog> = {
  name: 'accessPackageCatalog',
  properties: {
    id: { type: 'string', filter: EQ_ONLY, orderBy: false, get: (c) => c.id },
    displayName: { type: 'string', filter: EQUALITY, orderBy: true, get: (c) => c.displayName },
  },
};

const resourceSchema: EntitySchema<SeedResource> = {
  name: 'accessPackageResource',
  properties: {
    id: { type: 'string', filter: EQ_ONLY, orderBy: false, get: (r) => r.id },
    originSystem: { type: 'string', filter: EQ_ONLY, orderBy: false, get: (r) => r.originSystem },
    originId: { type: 'string', filter: EQ_ONLY, orderBy: false, get: (r) => r.originId },
    displayName: { type: 'string', filter: EQUALITY, orderBy: true, get: (r) => r.displayName },
  },
};

const EPOCH = '2026-01-01T00:00:00Z';

function renderCatalog(catalog: SeedCatalog): Record<string, unknown> {
  return {
    id: catalog.id,
    displayName: catalog.displayName,
    description: catalog.description,
    catalogType: 'userManaged',
    state: 'published',
    isExternallyVisible: false,
    createdDateTime: catalog.createdDateTime ?? EPOCH,
    modifiedDateTime: catalog.createdDateTime ?? EPOCH,
  };
}

function renderResource(resource: SeedResource, version: ApiVersion): Record<string, unknown> {
  const isCustom = resource.originSystem === 'CustomDataProvidedResource';
  const body: Record<string, unknown> = {};
  if (isCustom) body['@odata.type'] = '#microsoft.graph.customDataProvidedResource';
  Object.assign(body, {
    id: resource.id,
    displayName: resource.displayName,
    description: resource.description,
    originId: resource.originId,
    originSystem: resource.originSystem,
    createdDateTime: resource.createdDateTime ?? EPOCH,
    modifiedDateTime: resource.createdDateTime ?? EPOCH,
    attributes: [],
  });
  if (version === 'beta') Object.assign(body, { addedBy: 'emulator', addedOn: resource.createdDateTime ?? EPOCH, isPendingOnboarding: false, resourceType: isCustom ? 'CustomDataProvidedResource' : resource.originSystem, url: null });
  if (isCustom) body.notificationEndpointConfiguration = resource.notificationEndpointConfiguration ?? null;
  return body;
}

function findCatalog(request: GraphRequest, context: EmulatorContext): SeedCatalog {
  const catalog = context.store.catalog(request.params.c ?? '');
  if (catalog === undefined) throw graphError.notFound(`The catalog '${request.params.c ?? ''}' does not exist.`);
  return catalog;
}

function handlers(version: ApiVersion, catalogsPath: string, resourcesNav: string): Record<'listCatalogs' | 'getCatalog' | 'listResources' | 'getResource', GraphHandler> {
  return {
    async listCatalogs(request, context) {
      const options = readQueryOptions(request.url, LIST_OPTIONS, version);
      const page = pageCollection(context.store.seed.catalogs, options, catalogSchema, request.url, context.settings.pageSize);
      return json(200, collectionBody(metadataContext(context, version, catalogsPath), page, page.items.map(renderCatalog)));
    },
    async getCatalog(request, context) {
      readQueryOptions(request.url, [], version);
      const catalog = findCatalog(request, context);
      return json(200, { '@odata.context': metadataContext(context, version, `${catalogsPath}/$entity`), ...renderCatalog(catalog) });
    },
    async listResources(request, context) {
      const catalog = findCatalog(request, context);
      const options = readQueryOptions(request.url, LIST_OPTIONS, version);
      const page = pageCollection(catalog.resources, options, resourceSchema, request.url, context.settings.pageSize);
      const fragment = `${catalogsPath}('${catalog.id}')/${resourcesNav}`;
      return json(200, collectionBody(metadataContext(context, version, fragment), page, page.items.map((r) => renderResource(r, version))));
    },
    async getResource(request, context) {
      readQueryOptions(request.url, [], version);
      const catalog = findCatalog(request, context);
      const resource = catalog.resources.find((r) => r.id === request.params.r);
      if (resource === undefined) throw graphError.notFound(`The resource '${request.params.r ?? ''}' does not exist in catalog '${catalog.id}'.`);
      const fragment = `${catalogsPath}('${catalog.id}')/${resourcesNav}/$entity`;
      return json(200, { '@odata.context': metadataContext(context, version, fragment), ...renderResource(resource, version) });
    },
  };
}

export function catalogRoutes(): Route<GraphRouteSpec>[] {
  const variants: { version: ApiVersion; base: string; contextPath: string; nav: string }[] = [
    { version: 'v1.0', base: '/v1.0/identityGovernance/entitlementManagement/catalogs', contextPath: 'identityGovernance/entitlementManagement/catalogs', nav: 'resources' },
    { version: 'v1.0', base: '/v1.0/identityGovernance/catalogs', contextPath: 'identityGovernance/catalogs', nav: 'resources' },
    { version: 'beta', base: '/beta/identityGovernance/catalogs', contextPath: 'identityGovernance/catalogs', nav: 'accessPackageResources' },
  ];
  return variants.flatMap(({ version, base, contextPath, nav }) => {
    const h = handlers(version, contextPath, nav);
    const route = (pattern: string, handle: GraphHandler): Route<GraphRouteSpec> => ({ method: 'GET', pattern, handler: { access: 'entitlement.read', handle } });
    return [
      route(base, h.listCatalogs),
      route(`${base}/:c`, h.getCatalog),
      route(`${base}/:c/${nav}`, h.listResources),
      route(`${base}/:c/${nav}/:r`, h.getResource),
    ];
  });
}
