import { createHash } from 'node:crypto';
import type { InstanceRecord, PersistedState, SessionRecord } from './model';
import type { Seed, SeedCatalog, SeedDefinition, SeedResource } from './seed-schema';
import { timestampMs } from './time';

/**
 * The emulated tenant in memory: the seed's directory objects (catalogs, resources, review definitions, users,
 * apps) plus what changes (review instances and upload sessions). Handlers read and mutate it; `onChange` persists.
 */
export interface EmulatorStore {
  seed: Seed;
  instances: Map<string, InstanceRecord>;
  sessions: Map<string, SessionRecord>;
  catalog(id: string): SeedCatalog | undefined;
  resource(catalogId: string, resourceId: string): SeedResource | undefined;
  definition(id: string): SeedDefinition | undefined;
  /** Resource ids a definition's review covers. */
  coveredResources(definition: SeedDefinition): string[];
  instancesOf(definitionId: string): InstanceRecord[];
  load(seed: Seed, nowIso: string): void;
  restore(state: PersistedState): void;
  snapshot(clockOffsetMs: number): PersistedState;
  /** Applies the upload window: expires active sessions and moves instances on. Returns whether anything changed. */
  refreshLifecycle(nowMs: number, windowMs: number): boolean;
  /** Moves an Initializing instance to InProgress once every covered resource has a complete session. */
  settleInstance(instanceId: string): boolean;
}

/** A stable GUID-shaped id derived from text (service principal ids of seeded apps). */
export function derivedGuid(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function createStore(initialSeed: Seed, nowIso: string): EmulatorStore {
  const store: EmulatorStore = {
    seed: initialSeed,
    instances: new Map(),
    sessions: new Map(),
    catalog: (id) => store.seed.catalogs.find((c) => c.id === id),
    resource: (catalogId, resourceId) => store.catalog(catalogId)?.resources.find((r) => r.id === resourceId),
    definition: (id) => store.seed.accessReviewDefinitions.find((d) => d.id === id),
    coveredResources(definition) {
      if (definition.resourceIds !== undefined) return definition.resourceIds;
      return (store.catalog(definition.catalogId)?.resources ?? [])
        .filter((r) => r.originSystem === 'CustomDataProvidedResource')
        .map((r) => r.id);
    },
    instancesOf: (definitionId) => [...store.instances.values()].filter((i) => i.definitionId === definitionId),
    load(seed, now) {
      store.seed = seed;
      store.sessions.clear();
      store.instances.clear();
      const nowMs = timestampMs(now);
      for (const definition of seed.accessReviewDefinitions) {
        for (const instance of definition.instances) {
          const initializing = instance.status === 'Initializing' ? (instance.initializingDateTime ?? now) : (instance.initializingDateTime ?? null);
          store.instances.set(instance.id, {
            id: instance.id,
            definitionId: definition.id,
            status: instance.status,
            startDateTime: instance.startDateTime ?? now,
            endDateTime: instance.endDateTime ?? new Date(nowMs + 14 * 86_400_000).toISOString(),
            initializingDateTime: initializing,
          });
        }
      }
    },
    restore(state) {
      store.seed = state.seed;
      store.instances = new Map(state.instances.map((i) => [i.id, i]));
      store.sessions = new Map(state.sessions.map((s) => [s.id, s]));
    },
    snapshot: (clockOffsetMs) => ({
      version: 1,
      seed: store.seed,
      instances: [...store.instances.values()],
      sessions: [...store.sessions.values()],
      clockOffsetMs,
    }),
    refreshLifecycle(nowMs, windowMs) {
      let changed = false;
      for (const instance of store.instances.values()) {
        if (instance.status !== 'Initializing' || instance.initializingDateTime === null) continue;
        if (nowMs < timestampMs(instance.initializingDateTime) + windowMs) continue;
        for (const session of store.sessions.values()) {
          if (session.referenceId === instance.id && session.status === 'active') session.status = 'expired';
        }
        instance.status = 'InProgress';
        changed = true;
      }
      return changed;
    },
    settleInstance(instanceId) {
      const instance = store.instances.get(instanceId);
      if (instance?.status !== 'Initializing') return false;
      const definition = store.definition(instance.definitionId);
      if (definition === undefined) return false;
      const done = store.coveredResources(definition).every((resourceId) =>
        [...store.sessions.values()].some((s) => s.referenceId === instanceId && s.resourceId === resourceId && s.status === 'complete'),
      );
      if (done) instance.status = 'InProgress';
      return done;
    },
  };
  store.load(initialSeed, nowIso);
  return store;
}
