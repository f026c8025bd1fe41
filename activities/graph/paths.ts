/**
 * Path templates of every Graph call we make, one table per API version (shared/graph-api.md §1). Ids are
 * percent-encoded as path segments when filled in.
 */
import { encodeQueryValue } from './odata';
import type { GraphSettings } from './settings';

export type GraphApiVersion = GraphSettings['apiVersion'];

export type GraphPathName =
  | 'catalogResources'
  | 'catalogResource'
  | 'uploadSessions'
  | 'uploadSession'
  | 'uploadFile'
  | 'reviewInstances'
  | 'reviewInstance'
  | 'batch';

export const GRAPH_PATHS: Record<GraphApiVersion, Record<GraphPathName, string>> = {
  'v1.0': {
    catalogResources: '/identityGovernance/entitlementManagement/catalogs/{catalogId}/resources',
    catalogResource: '/identityGovernance/entitlementManagement/catalogs/{catalogId}/resources/{resourceId}',
    uploadSessions: '/identityGovernance/entitlementManagement/catalogs/{catalogId}/resources/{resourceId}/uploadSessions',
    uploadSession: '/identityGovernance/entitlementManagement/catalogs/{catalogId}/resources/{resourceId}/uploadSessions/{sessionId}',
    uploadFile: '/identityGovernance/entitlementManagement/catalogs/{catalogId}/resources/{resourceId}/uploadSessions/{sessionId}/uploadFile',
    reviewInstances: '/identityGovernance/accessReviews/definitions/{definitionId}/instances',
    reviewInstance: '/identityGovernance/accessReviews/definitions/{definitionId}/instances/{instanceId}',
    batch: '/$batch',
  },
  beta: {
    catalogResources: '/identityGovernance/catalogs/{catalogId}/accessPackageResources',
    catalogResource: '/identityGovernance/catalogs/{catalogId}/accessPackageResources/{resourceId}',
    uploadSessions: '/identityGovernance/catalogs/{catalogId}/accessPackageResources/{resourceId}/uploadSessions',
    uploadSession: '/identityGovernance/catalogs/{catalogId}/accessPackageResources/{resourceId}/uploadSessions/{sessionId}',
    uploadFile: '/identityGovernance/catalogs/{catalogId}/accessPackageResources/{resourceId}/uploadSessions/{sessionId}/uploadFile',
    reviewInstances: '/identityGovernance/accessReviews/definitions/{definitionId}/instances',
    reviewInstance: '/identityGovernance/accessReviews/definitions/{definitionId}/instances/{instanceId}',
    batch: '/$batch',
  },
};

export type PathParams = Partial<Record<'catalogId' | 'resourceId' | 'sessionId' | 'definitionId' | 'instanceId', string>>;

/** `/v1.0/identityGovernance/...` with every `{param}` replaced by its percent-encoded value. */
export function graphPath(version: GraphApiVersion, name: GraphPathName, params: PathParams = {}): string {
  const template = GRAPH_PATHS[version][name];
  const filled = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key as keyof PathParams];
    if (value === undefined || value === '') throw new Error(`Graph path ${name} needs a non-empty ${key}`);
    // Encoded like a query value (' ( ) * ! too): a quote or parenthesis in a key would read as OData key syntax.
    return encodeQueryValue(value);
  });
  return `/${version}${filled}`;
}
