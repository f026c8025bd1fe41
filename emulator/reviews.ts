import type { EmulatorContext } from './context';
import { graphError } from './errors';
import type { GraphHandler, GraphRequest, GraphRouteSpec } from './graph-types';
import { metadataContext } from './graph-types';
import { json } from './http';
import type { InstanceRecord } from './model';
import type { EntitySchema } from './odata';
import { ALL_COMPARISONS, EQ_ONLY } from './odata';
import type { ApiVersion } from './query';
import { LIST_OPTIONS, collectionBody, pageCollection, readQueryOptions } from './query';
import type { Route } from './router';
import type { SeedDefinition } from './seed-schema';

/**
 * Access review definitions and instances (read-only over Graph; the admin API starts instances and moves their
 * status). The scope shape is the emulator's choice: an accessReviewQueryScope naming the catalog or resource.
 */

const instanceSchema: EntitySchema<InstanceRecord> = {
  name: 'accessReviewInstance',
  properties: {
    status: { type: 'string', filter: EQ_ONLY, orderBy: false, get: (i) => i.status },
    startDateTime: { type: 'datetime', filter: ALL_COMPARISONS, orderBy: true, get: (i) => i.startDateTime },
  },
};
const definitionSchema: EntitySchema<SeedDefinition> = {
  name: 'accessReviewScheduleDefinition',
  properties: { displayName: { type: 'string', filter: EQ_ONLY, orderBy: true, get: (d) => d.displayName } },
};

function scopeOf(definition: SeedDefinition, context: EmulatorContext): Record<string, unknown> {
  const resources = context.store.coveredResources(definition);
  const base = `/identityGovernance/entitlementManagement/catalogs/${definition.catalogId}`;
  return {
    '@odata.type': '#microsoft.graph.accessReviewQueryScope',
    query: resources.length === 1 ? `${base}/resources/${resources[0] ?? ''}` : base,
    queryType: 'MicrosoftGraph',
    queryRoot: null,
  };
}

const REVIEWERS = [{ query: './manager', queryType: 'MicrosoftGraph', queryRoot: 'decisions' }];

function renderDefinition(definition: SeedDefinition, context: EmulatorContext): Record<string, unknown> {
  return {
    id: definition.id,
    displayName: definition.displayName,
    status: 'InProgress',
    descriptionForAdmins: definition.displayName,
    descriptionForReviewers: definition.displayName,
    scope: scopeOf(definition, context),
    reviewers: REVIEWERS,
    fallbackReviewers: [],
  };
}

function renderInstance(instance: InstanceRecord, context: EmulatorContext): Record<string, unknown> {
  const definition = context.store.definition(instance.definitionId);
  return {
    id: instance.id,
    startDateTime: instance.startDateTime,
    endDateTime: instance.endDateTime,
    status: instance.status,
    scope: definition === undefined ? null : scopeOf(definition, context),
    reviewers: REVIEWERS,
    fallbackReviewers: [],
  };
}

function findDefinition(request: GraphRequest, context: EmulatorContext): SeedDefinition {
  const definition = context.store.definition(request.params.d ?? '');
  if (definition === undefined) throw graphError.notFound(`The access review definition '${request.params.d ?? ''}' does not exist.`);
  return definition;
}

const DEFINITIONS = 'identityGovernance/accessReviews/definitions';

function handlers(version: ApiVersion): Record<'listDefinitions' | 'getDefinition' | 'listInstances' | 'getInstance', GraphHandler> {
  return {
    async listDefinitions(request, context) {
      const options = readQueryOptions(request.url, LIST_OPTIONS, version);
      const page = pageCollection(context.store.seed.accessReviewDefinitions, options, definitionSchema, request.url, context.settings.pageSize);
      return json(200, collectionBody(metadataContext(context, version, DEFINITIONS), page, page.items.map((d) => renderDefinition(d, context))));
    },
    async getDefinition(request, context) {
      readQueryOptions(request.url, [], version);
      const definition = findDefinition(request, context);
      return json(200, { '@odata.context': metadataContext(context, version, `${DEFINITIONS}/$entity`), ...renderDefinition(definition, context) });
    },
    async listInstances(request, context) {
      const definition = findDefinition(request, context);
      const options = readQueryOptions(request.url, LIST_OPTIONS, version);
      const page = pageCollection(context.store.instancesOf(definition.id), options, instanceSchema, request.url, context.settings.pageSize);
      const fragment = `${DEFINITIONS}('${definition.id}')/instances`;
      return json(200, collectionBody(metadataContext(context, version, fragment), page, page.items.map((i) => renderInstance(i, context))));
    },
    async getInstance(request, context) {
      readQueryOptions(request.url, [], version);
      const definition = findDefinition(request, context);
      const instance = context.store.instances.get(request.params.i ?? '');
      if (instance?.definitionId !== definition.id) {
        throw graphError.notFound(`The access review instance '${request.params.i ?? ''}' does not exist in definition '${definition.id}'.`);
      }
      const fragment = `${DEFINITIONS}('${definition.id}')/instances/$entity`;
      return json(200, { '@odata.context': metadataContext(context, version, fragment), ...renderInstance(instance, context) });
    },
  };
}

export function reviewRoutes(): Route<GraphRouteSpec>[] {
  return (['v1.0', 'beta'] as const).flatMap((version) => {
    const h = handlers(version);
    const base = `/${version}/identityGovernance/accessReviews/definitions`;
    const route = (pattern: string, handle: GraphHandler): Route<GraphRouteSpec> => ({ method: 'GET', pattern, handler: { access: 'reviews.read', handle } });
    return [
      route(base, h.listDefinitions),
      route(`${base}/:d`, h.getDefinition),
      route(`${base}/:d/instances`, h.listInstances),
      route(`${base}/:d/instances/:i`, h.getInstance),
    ];
  });
}
