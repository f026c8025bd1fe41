import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorContext } from './context';
import { tenantIssuer } from './context';
import { graphError } from './errors';
import type { Access, AuthenticatedApp } from './graph-types';
import type { ApiVersion } from './query';

/** Bearer token checks on every Graph request, and the application permissions each operation needs. */

export async function authenticate(headers: IncomingHttpHeaders, context: EmulatorContext): Promise<AuthenticatedApp> {
  const header = headers.authorization;
  if (header === undefined || header.trim() === '') throw graphError.unauthorized('Access token is empty.');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) throw graphError.unauthorized("Access token validation failure: the Authorization header must be 'Bearer <token>'.");
  const claims = await context.tokens.verify(match[1] ?? '', { issuer: tenantIssuer(context), nowMs: context.clock.nowMs() });
  if (claims.tid !== context.store.seed.tenantId) {
    throw graphError.unauthorized(`Access token is for tenant '${claims.tid}', not this tenant (${context.store.seed.tenantId}).`);
  }
  if (!context.apps.has(claims.appid.toLowerCase())) {
    throw graphError.unauthorized(`The application '${claims.appid}' of this token is not registered in the tenant.`);
  }
  return { clientId: claims.appid, roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [] };
}

const READ_REVIEWS = ['AccessReview.Read.All', 'AccessReview.ReadWrite.All', 'AccessReview.ReadWrite.Membership'];
const READ_USERS = ['User.Read.All', 'User.ReadBasic.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

/** Application permissions that allow an access, least privileged first (graph-api.md §5). */
export function permissionsFor(access: Access, version: ApiVersion): string[] {
  switch (access) {
    case 'entitlement.read':
      // v1.0 documents Read.All for List/Get; the current beta pages list only ReadWrite.All.
      return version === 'v1.0'
        ? ['EntitlementManagement.Read.All', 'EntitlementManagement.ReadWrite.All']
        : ['EntitlementManagement.ReadWrite.All'];
    case 'entitlement.write':
      return ['EntitlementManagement.ReadWrite.All'];
    case 'reviews.read':
      return READ_REVIEWS;
    case 'users.read':
      return READ_USERS;
    case 'none':
      return [];
  }
}

export function authorize(access: Access, version: ApiVersion, app: AuthenticatedApp): void {
  const allowed = permissionsFor(access, version);
  if (allowed.length === 0 || allowed.some((p) => app.roles.includes(p))) return;
  const [least = '', ...others] = allowed;
  throw graphError.forbidden(
    `Insufficient privileges to complete the operation. It requires the application permission ${least}` +
      `${others.length > 0 ? ` (or ${others.join(', ')})` : ''}; the token's roles are: ${app.roles.join(', ') || '(none)'}.`,
  );
}
