import type { IncomingMessage } from 'node:http';
import type { EmulatorContext } from './context';
import type { HandlerResult } from './http';
import type { ApiVersion } from './query';

/** Types shared by the Graph handlers. */

export type Access = 'entitlement.read' | 'entitlement.write' | 'reviews.read' | 'users.read' | 'none';

export interface AuthenticatedApp {
  clientId: string;
  roles: string[];
}

export interface GraphRequest {
  method: string;
  url: URL;
  version: ApiVersion;
  params: Record<string, string>;
  /** The body stream; absent for $batch sub-requests. */
  req?: IncomingMessage;
  app: AuthenticatedApp;
  requestId: string;
  clientRequestId: string;
}

/** A Graph request before routing (what the server and $batch hand to the executor). */
export type GraphCall = Omit<GraphRequest, 'params' | 'version'>;

/**
 * Routes and runs a Graph call: what the server and $batch sub-requests use. `segments` is the call's path already
 * split by pathSegments (the server has it); without it the executor splits the path itself.
 */
export type GraphExecutor = (call: GraphCall, context: EmulatorContext, segments?: readonly string[]) => Promise<HandlerResult>;

export type GraphHandler = (request: GraphRequest, context: EmulatorContext) => Promise<HandlerResult>;

export interface GraphRouteSpec {
  access: Access;
  handle: GraphHandler;
}

/** `{baseUrl}/{version}/$metadata#{path}`: Graph's @odata.context, on the emulator's own host. */
export function metadataContext(context: EmulatorContext, version: ApiVersion, fragment: string): string {
  return `${context.baseUrl}/${version}/$metadata#${fragment}`;
}
