import { z } from 'zod';
import { GraphError, graphError, graphErrorBody } from './errors';
import type { GraphExecutor, GraphRouteSpec } from './graph-types';
import { json, readJson } from './http';
import type { Route } from './router';

/** JSON batching (POST /$batch): up to 20 GET sub-requests, each answered with its own status and body. */

const MAX_REQUESTS = 20;

const batchBodySchema = z
  .object({
    requests: z.array(
      z
        .object({
          id: z.string().min(1),
          method: z.string().min(1),
          url: z.string().min(1),
          headers: z.record(z.string(), z.string()).optional(),
          body: z.unknown().optional(),
          dependsOn: z.array(z.string()).optional(),
        })
        .strict(),
    ),
  })
  .strict();

export function batchRoutes(execute: GraphExecutor): Route<GraphRouteSpec>[] {
  return ['v1.0', 'beta'].map((version) => ({
    method: 'POST',
    pattern: `/${version}/$batch`,
    handler: {
      access: 'none',
      async handle(request, context) {
        const parsed = batchBodySchema.safeParse(await readJson(request.req, context.settings.maxJsonBytes));
        if (!parsed.success) {
          const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
          throw graphError.badRequest(`Invalid batch request: ${detail}. Expected {"requests":[{"id","method","url"}]}.`);
        }
        const { requests } = parsed.data;
        if (requests.length === 0) throw graphError.badRequest('Invalid batch request: requests is empty.');
        if (requests.length > MAX_REQUESTS) throw graphError.badRequest(`Number of requests exceeds the limit of ${MAX_REQUESTS}.`);
        const ids = new Set<string>();
        for (const item of requests) {
          if (ids.has(item.id)) throw graphError.badRequest(`Invalid batch request: id '${item.id}' is used more than once.`);
          ids.add(item.id);
        }
        const date = new Date(context.clock.nowMs()).toUTCString();
        const responses = [];
        for (const item of requests) {
          try {
            if (item.method.toUpperCase() !== 'GET') {
              throw graphError.badRequest(`The emulator's $batch runs GET sub-requests only; '${item.method}' was given.`);
            }
            if (/^[a-z]+:/i.test(item.url)) throw graphError.badRequest('A batch sub-request url must be relative to the version, e.g. /users/{id}.');
            const url = new URL(`${context.baseUrl}/${request.version}/${item.url.replace(/^\/+/, '')}`);
            const result = await execute({ ...request, method: 'GET', url, req: undefined }, context);
            responses.push({ id: item.id, status: result.status, headers: { 'Content-Type': 'application/json' }, body: result.json });
          } catch (error) {
            const graphFailure = error instanceof GraphError ? error : graphError.internal('The sub-request failed.');
            responses.push({
              id: item.id,
              status: graphFailure.status,
              headers: { 'Content-Type': 'application/json' },
              body: graphErrorBody(graphFailure, { requestId: request.requestId, clientRequestId: request.clientRequestId, date }),
            });
          }
        }
        return json(200, { responses });
      },
    },
  }));
}
