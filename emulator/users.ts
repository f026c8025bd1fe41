import type { EmulatorContext } from './context';
import { GraphError, graphError } from './errors';
import type { GraphHandler, GraphRouteSpec } from './graph-types';
import { metadataContext } from './graph-types';
import { json } from './http';
import type { EntitySchema } from './odata';
import { EQ_ONLY, EQUALITY } from './odata';
import type { ApiVersion } from './query';
import { collectionBody, pageCollection, readQueryOptions } from './query';
import type { Route } from './router';
import type { SeedUser } from './seed-schema';

/** The users directory, so principals (object ids, UPNs) can be resolved: GET /users, /users/{id | UPN}, $select. */

const userSchema: EntitySchema<SeedUser> = {
  name: 'user',
  properties: {
    id: { type: 'string', filter: EQ_ONLY, orderBy: false, get: (u) => u.id },
    userPrincipalName: { type: 'string', filter: EQUALITY, orderBy: true, get: (u) => u.userPrincipalName },
    mail: { type: 'string', filter: EQUALITY, orderBy: true, get: (u) => u.mail ?? null },
    displayName: { type: 'string', filter: EQUALITY, orderBy: true, get: (u) => u.displayName },
    accountEnabled: { type: 'boolean', filter: EQUALITY, orderBy: false, get: (u) => u.accountEnabled },
  },
};

const DEFAULT_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];
const ALL_PROPERTIES = [...DEFAULT_PROPERTIES, 'accountEnabled'];

function fullUser(user: SeedUser): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName ?? null,
    jobTitle: user.jobTitle ?? null,
    mail: user.mail ?? null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname ?? null,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    accountEnabled: user.accountEnabled,
  };
}

function selection(text: string | undefined): string[] {
  if (text === undefined) return DEFAULT_PROPERTIES;
  return text.split(',').map((raw) => {
    const name = ALL_PROPERTIES.find((p) => p.toLowerCase() === raw.trim().toLowerCase());
    if (name === undefined) throw graphError.badRequest(`$select: property '${raw.trim()}' does not exist on user (known: ${ALL_PROPERTIES.join(', ')}).`);
    return name;
  });
}

function project(user: SeedUser, properties: readonly string[]): Record<string, unknown> {
  const full = fullUser(user);
  return Object.fromEntries(properties.map((p) => [p, full[p]]));
}

export function findUser(context: EmulatorContext, idOrUpn: string): SeedUser | undefined {
  const key = idOrUpn.toLowerCase();
  return context.store.seed.users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
}

function handlers(version: ApiVersion): Record<'list' | 'get', GraphHandler> {
  return {
    async list(request, context) {
      const options = readQueryOptions(request.url, ['$filter', '$select', '$orderby', '$top', '$count', '$skiptoken'], version);
      const properties = selection(options.get('$select'));
      const page = pageCollection(context.store.seed.users, options, userSchema, request.url, context.settings.pageSize);
      const fragment = options.has('$select') ? `users(${properties.join(',')})` : 'users';
      return json(200, collectionBody(metadataContext(context, version, fragment), page, page.items.map((u) => project(u, properties))));
    },
    async get(request, context) {
      const options = readQueryOptions(request.url, ['$select'], version);
      const properties = selection(options.get('$select'));
      const user = findUser(context, request.params.id ?? '');
      if (user === undefined) {
        throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${request.params.id ?? ''}' does not exist or one of its queried reference-property objects are not present.`);
      }
      const fragment = options.has('$select') ? `users(${properties.join(',')})/$entity` : 'users/$entity';
      return json(200, { '@odata.context': metadataContext(context, version, fragment), ...project(user, properties) });
    },
  };
}

export function userRoutes(): Route<GraphRouteSpec>[] {
  return (['v1.0', 'beta'] as const).flatMap((version) => {
    const h = handlers(version);
    return [
      { method: 'GET', pattern: `/${version}/users`, handler: { access: 'users.read' as const, handle: h.list } },
      { method: 'GET', pattern: `/${version}/users/:id`, handler: { access: 'users.read' as const, handle: h.get } },
    ];
  });
}
