import type { FaultRule, FaultSettings } from './fault-schema';

/** Evaluates fault rules for one request. Pure apart from the counters, buckets and PRNG it owns. */

export interface FaultRequest {
  method: string;
  path: string;
  clientId?: string;
  area: 'graph' | 'token' | 'entra';
  nowMs: number;
}

export type TerminalFault =
  | { kind: 'fail'; status: number; retryAfterSeconds?: number; label: string }
  | { kind: 'reset'; afterBytes: number; label: string }
  | { kind: 'tokenOutage'; status: number; retryAfterSeconds?: number; label: string };

export interface FaultDecision {
  delayMs: number;
  slowBody?: { chunkBytes: number; delayMs: number };
  terminal?: TerminalFault;
  labels: string[];
}

export interface FaultEngine {
  settings(): FaultSettings & { remaining: (number | null)[] };
  replace(settings: FaultSettings): void;
  add(rule: FaultRule): void;
  decide(request: FaultRequest): FaultDecision;
}

/** mulberry32: small, fast, good enough for deciding faults reproducibly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RuleState {
  rule: FaultRule;
  pattern?: RegExp;
  remaining: number | null;
  random: () => number;
  buckets: Map<string, { tokens: number; updatedMs: number }>;
}

function inDefaultScope(rule: FaultRule, request: FaultRequest): boolean {
  switch (rule.kind) {
    case 'tokenOutage':
      return request.area === 'token';
    case 'resetUpload':
      return request.area === 'graph' && request.method === 'POST' && /\/uploadFile$/i.test(request.path);
    default:
      return request.area === 'graph';
  }
}

export function createFaultEngine(initial: FaultSettings): FaultEngine {
  let current = initial;
  let states: RuleState[] = [];
  const stateFor = (rule: FaultRule, index: number): RuleState => {
    const state: RuleState = { rule, remaining: rule.count ?? null, random: prng(current.seed + index * 7919), buckets: new Map() };
    if (rule.pathPattern !== undefined) state.pattern = new RegExp(rule.pathPattern, 'i');
    return state;
  };
  const reset = (settings: FaultSettings): void => {
    current = settings;
    states = settings.rules.map(stateFor);
  };
  reset(initial);

  const applies = (state: RuleState, request: FaultRequest): boolean => {
    const { rule } = state;
    const inScope = state.pattern !== undefined ? state.pattern.test(request.path) : inDefaultScope(rule, request);
    if (!inScope) return false;
    if (rule.method !== undefined && rule.method !== request.method) return false;
    if (rule.clientId !== undefined && rule.clientId.toLowerCase() !== request.clientId?.toLowerCase()) return false;
    if (state.remaining === 0) return false;
    if (rule.probability !== undefined && state.random() >= rule.probability) return false;
    return true;
  };

  return {
    settings: () => ({ ...current, remaining: states.map((s) => s.remaining) }),
    replace: reset,
    add(rule) {
      current = { ...current, rules: [...current.rules, rule] };
      states.push(stateFor(rule, states.length));
    },
    decide(request) {
      const decision: FaultDecision = { delayMs: 0, labels: [] };
      for (const state of states) {
        if (decision.terminal !== undefined && state.rule.kind !== 'latency') continue;
        if (!applies(state, request)) continue;
        const { rule } = state;
        let fired = true;
        switch (rule.kind) {
          case 'latency':
            decision.delayMs += rule.delayMs;
            break;
          case 'slowBody':
            decision.slowBody ??= { chunkBytes: rule.chunkBytes, delayMs: rule.delayMs };
            break;
          case 'fail':
            decision.terminal = { kind: 'fail', status: rule.status, retryAfterSeconds: rule.retryAfterSeconds, label: `fail:${rule.status}` };
            break;
          case 'resetUpload':
            decision.terminal = { kind: 'reset', afterBytes: rule.afterBytes, label: 'resetUpload' };
            break;
          case 'tokenOutage':
            decision.terminal = { kind: 'tokenOutage', status: rule.status, retryAfterSeconds: rule.retryAfterSeconds, label: `tokenOutage:${rule.status}` };
            break;
          case 'rateLimit': {
            const key = request.clientId?.toLowerCase() ?? '(anonymous)';
            const bucket = state.buckets.get(key) ?? { tokens: rule.capacity, updatedMs: request.nowMs };
            bucket.tokens = Math.min(rule.capacity, bucket.tokens + ((request.nowMs - bucket.updatedMs) / 1000) * rule.refillPerSecond);
            bucket.updatedMs = request.nowMs;
            state.buckets.set(key, bucket);
            if (bucket.tokens >= 1) {
              bucket.tokens -= 1;
              fired = false;
            } else {
              const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rule.refillPerSecond));
              decision.terminal = { kind: 'fail', status: 429, retryAfterSeconds, label: 'rateLimit' };
            }
            break;
          }
        }
        if (fired) {
          decision.labels.push(rule.id ?? rule.kind);
          if (state.remaining !== null) state.remaining -= 1;
        }
      }
      return decision;
    },
  };
}
