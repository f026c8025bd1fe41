import type { AdminSession } from './admin-client';
import { randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import type { EmulatorContext } from './context';
import { graphError } from './errors';
import { faultRuleSchema, faultSettingsSchema } from './fault-schema';
import type { FaultSettings } from './fault-schema';
import type { HandlerResult } from './http';
import { json, noContent, readJson } from './http';
import type { InstanceRecord, SessionRecord } from './model';
import type { AdminHandler } from './server';
import type { Seed } from './seed-schema';
import { instanceStatusSchema, seedSchema } from './seed-schema';
import { settingsChange, settingsPatchSchema } from './settings';
import { refreshLifecycle, tenantIssuer } from './context';
import { describeIssues } from './seed-schema';
import { GRAPH_AUDIENCE } from './tokens';

/**
 * The admin API under /_emulator (outside Graph's paths; no auth: a local development tool). It seeds and resets
 * the tenant, shows sessions with what processing found, serves uploaded contents, the request log, faults,
 * settings, the clock, and starts or moves review instances so tests get fresh ones.
 */

export interface AdminDeps {
  context: EmulatorContext;
  info(): Record<string, unknown>;
  loadSeed(seed: Seed): Promise<void>;
  reset(): Promise<void>;
  initialFaults: FaultSettings;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw graphError.badRequest(`Invalid ${what}:\n${describeIssues('body', parsed.error)}`);
  return parsed.data;
}

export function adminSession(session: SessionRecord): AdminSession {
  return { ...session, files: session.files.map(({ contentFile: _contentFile, ...file }) => file) };
}

const startInstanceSchema = z
  .object({ id: z.string().min(1).optional(), durationDays: z.number().positive().default(14) })
  .strict();
const instancePatchSchema = z
  .object({ status: instanceStatusSchema.optional(), initializingDateTime: z.string().nullable().optional() })
  .strict();
const calloutTokenSchema = z
  .object({
    audience: z.string().min(1).optional(),
    issuer: z.string().min(1).optional(),
    lifetimeSeconds: z.number().int().optional(),
    callerAppId: z.string().min(1).optional(),
  })
  .strict();
const clockSchema = z.object({ advanceSeconds: z.number().optional(), offsetSeconds: z.number().optional() }).strict();
const mintSchema = z
  .object({
    clientId: z.string().min(1),
    lifetimeSeconds: z.number().int().optional(),
    audience: z.string().optional(),
    issuer: z.string().optional(),
    roles: z.array(z.string()).optional(),
  })
  .strict();

export function createAdminHandler(deps: AdminDeps): AdminHandler {
  const { context } = deps;
  const body = (req: IncomingMessage): Promise<unknown> => readJson(req, Math.max(context.settings.maxJsonBytes, 16 * 1024 * 1024));
  const session = (id: string): SessionRecord => {
    const found = context.store.sessions.get(id);
    if (found === undefined) throw graphError.notFound(`No upload session '${id}'.`);
    return found;
  };
  const instance = (id: string): InstanceRecord => {
    const found = context.store.instances.get(id);
    if (found === undefined) throw graphError.notFound(`No review instance '${id}'.`);
    return found;
  };

  return async (req, url, segments): Promise<HandlerResult> => {
    const method = req.method ?? 'GET';
    const route = `${method} /${segments.slice(1).map((s, i) => (i > 0 && /^(sessions|files|instances|definitions)$/.test(segments[i] ?? '') ? ':id' : s)).join('/')}`;
    const [, first, second, third, fourth, fifth] = segments;
    switch (route) {
      case 'GET /info':
        return json(200, deps.info());
      case 'POST /reset':
        await deps.reset();
        return json(200, deps.info());
      case 'GET /seed':
        return json(200, context.store.seed);
      case 'PUT /seed':
        await deps.loadSeed(parseBody(seedSchema, await body(req), 'seed'));
        return json(200, deps.info());
      case 'GET /sessions':
        return json(200, { value: [...context.store.sessions.values()].map(adminSession) });
      case 'GET /sessions/:id': {
        const id = second ?? '';
        session(id);
        if (url.searchParams.get('waitForProcessing') === 'true') await context.processing.settled(id);
        return json(200, adminSession(session(id)));
      }
      case 'GET /sessions/:id/files/:id/content': {
        const file = session(second ?? '').files.find((f) => f.id === fourth);
        if (file === undefined || fifth !== 'content') throw graphError.notFound(`No file '${fourth ?? ''}' in session '${second ?? ''}'.`);
        const full = path.join(context.dataDir, file.contentFile);
        await fs.access(full).catch(() => {
          throw graphError.notFound(`The content of file '${file.id}' is no longer stored.`);
        });
        return { status: 200, headers: { 'Content-Type': 'text/csv', 'Content-Length': String(file.size) }, stream: createReadStream(full) };
      }
      case 'GET /requests':
        return json(200, { value: context.requestLog.list(Number(url.searchParams.get('since') ?? 0)) });
      case 'DELETE /requests':
        context.requestLog.clear();
        return noContent();
      case 'GET /faults':
        return json(200, context.faults.settings());
      case 'PUT /faults':
        context.faults.replace(parseBody(faultSettingsSchema, await body(req), 'fault settings'));
        return json(200, context.faults.settings());
      case 'POST /faults/rules':
        context.faults.add(parseBody(faultRuleSchema, await body(req), 'fault rule'));
        return json(200, context.faults.settings());
      case 'DELETE /faults':
        context.faults.replace({ seed: context.faults.settings().seed, rules: [] });
        return json(200, context.faults.settings());
      case 'GET /settings':
        return json(200, context.settings);
      case 'PATCH /settings': {
        const raw = await body(req);
        Object.assign(context.settings, settingsChange(raw, parseBody(settingsPatchSchema, raw, 'settings')));
        return json(200, context.settings);
      }
      case 'GET /callouts':
        if (url.searchParams.get('waitForDelivery') === 'true') await context.callouts.settled();
        return json(200, { value: context.callouts.list() });
      case 'DELETE /callouts':
        context.callouts.clear();
        return noContent();
      case 'POST /callouts/tokens': {
        const request = parseBody(calloutTokenSchema, await body(req), 'callout token request');
        const lifetime = request.lifetimeSeconds ?? context.settings.calloutTokenLifetimeSeconds;
        return json(200, { token_type: 'Bearer', expires_in: lifetime, access_token: await context.callouts.mintToken(request) });
      }
      case 'POST /reviews/instances/:id/callouts':
        return json(202, { value: context.callouts.send(instance(third ?? ''), 'resend') });
      case 'GET /clock':
        return json(200, { now: new Date(context.clock.nowMs()).toISOString(), offsetMs: context.clock.offsetMs() });
      case 'POST /clock': {
        const change = parseBody(clockSchema, await body(req), 'clock change');
        if (change.offsetSeconds !== undefined) context.clock.setOffsetMs(change.offsetSeconds * 1000);
        if (change.advanceSeconds !== undefined) context.clock.advance(change.advanceSeconds * 1000);
        refreshLifecycle(context);
        context.persist();
        return json(200, { now: new Date(context.clock.nowMs()).toISOString(), offsetMs: context.clock.offsetMs() });
      }
      case 'POST /reviews/definitions/:id/instances': {
        const definition = context.store.definition(third ?? '');
        if (definition === undefined || fourth !== 'instances') throw graphError.notFound(`No access review definition '${third ?? ''}'.`);
        const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
        const options = parseBody(startInstanceSchema, hasBody ? await body(req) : {}, 'instance');
        const id = options.id ?? randomUUID();
        if (context.store.instances.has(id)) throw graphError.conflict(`Review instance '${id}' already exists.`);
        const now = context.clock.nowMs();
        const record: InstanceRecord = {
          id,
          definitionId: definition.id,
          status: 'Initializing',
          startDateTime: new Date(now).toISOString(),
          endDateTime: new Date(now + options.durationDays * 86_400_000).toISOString(),
          initializingDateTime: context.clock.graphTimestamp(),
        };
        context.store.instances.set(id, record);
        context.persist();
        // Entra calls the resources' endpoints when an instance enters Initializing; never waited for here.
        context.callouts.send(record, 'instanceStarted');
        return json(201, record);
      }
      case 'GET /reviews/instances/:id':
        return json(200, instance(third ?? ''));
      case 'PATCH /reviews/instances/:id': {
        const target = instance(third ?? '');
        const change = parseBody(instancePatchSchema, await body(req), 'instance change');
        const entersInitializing = change.status === 'Initializing' && target.status !== 'Initializing';
        if (change.status !== undefined) target.status = change.status;
        if (change.initializingDateTime !== undefined) target.initializingDateTime = change.initializingDateTime;
        else if (change.status === 'Initializing') target.initializingDateTime = context.clock.graphTimestamp();
        refreshLifecycle(context);
        context.persist();
        if (entersInitializing && target.status === 'Initializing') context.callouts.send(target, 'instanceInitializing');
        return json(200, target);
      }
      case 'POST /tokens': {
        const request = parseBody(mintSchema, await body(req), 'token request');
        const app = context.apps.get(request.clientId.toLowerCase());
        if (app === undefined) throw graphError.notFound(`No app '${request.clientId}'.`);
        const lifetime = request.lifetimeSeconds ?? context.settings.tokenLifetimeSeconds;
        const token = await context.tokens.mint({
          clientId: app.clientId,
          servicePrincipalId: app.servicePrincipalId,
          roles: request.roles ?? app.roles,
          tenantId: context.store.seed.tenantId,
          issuer: request.issuer ?? tenantIssuer(context),
          nowMs: context.clock.nowMs(),
          lifetimeSeconds: lifetime,
          audience: request.audience ?? GRAPH_AUDIENCE,
          authMethod: '1',
        });
        return json(200, { token_type: 'Bearer', expires_in: lifetime, access_token: token });
      }
      default:
        throw graphError.notFound(`No admin endpoint '${method} ${url.pathname}'. See docs/emulator.md for the admin API (${first ?? ''}).`);
    }
  };
}
