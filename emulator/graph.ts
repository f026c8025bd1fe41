import { authorize } from './auth';
import { batchRoutes } from './batch';
import { catalogRoutes } from './catalog';
import { graphError } from './errors';
import type { GraphExecutor, GraphRouteSpec } from './graph-types';
import { reviewRoutes } from './reviews';
import type { Router } from './router';
import { createRouter, pathSegments } from './router';
import { sessionRoutes } from './sessions';
import { userRoutes } from './users';

/** The Graph surface: one route table, and the dispatch shared by the server and $batch sub-requests. */

export function createGraphExecutor(): GraphExecutor {
  // The router is built lazily so batch.ts can take the executor without an import cycle.
  let router: Router<GraphRouteSpec> | undefined;
  const execute: GraphExecutor = async (call, context, split) => {
    router ??= createRouter([...sessionRoutes(), ...catalogRoutes(), ...reviewRoutes(), ...userRoutes(), ...batchRoutes(execute)]);
    const segments = split ?? pathSegments(call.url.pathname);
    const version = segments[0]?.toLowerCase() === 'beta' ? 'beta' : 'v1.0';
    const match = router.match(call.method, segments);
    if (match.kind === 'none') {
      throw graphError.notFound(`Resource not found for the segment '${segments.slice(1).join('/') || call.url.pathname}': no such Graph path in the emulator.`);
    }
    if (match.kind === 'wrongMethod') throw graphError.methodNotAllowed(call.method, match.allowed);
    authorize(match.handler.access, version, call.app);
    return match.handler.handle({ ...call, version, params: match.params }, context);
  };
  return execute;
}
