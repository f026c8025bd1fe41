import type { AppRegistration } from './apps';
import type { CalloutRecord, CalloutTrigger, InstanceRecord } from './model';
import type { FaultEngine } from './faults';
import type { RequestLog } from './request-log';
import type { Settings } from './settings';
import type { EmulatorStore } from './store';
import type { Clock } from './time';
import type { TokenService } from './tokens';

/** The dependencies every handler receives: one object, built once by startEmulator. */
export interface EmulatorContext {
  store: EmulatorStore;
  clock: Clock;
  settings: Settings;
  tokens: TokenService;
  apps: Map<string, AppRegistration>;
  faults: FaultEngine;
  requestLog: RequestLog;
  /** Set once the server listens (the port may be chosen by the OS). */
  baseUrl: string;
  /** Where uploaded file contents live. */
  dataDir: string;
  /** Writes the state file (if any) after a change. */
  persist(): void;
  /** CSV processing of completed sessions. */
  processing: {
    start(sessionId: string): void;
    /** Resolves when the session's processing (if any) has finished. */
    settled(sessionId: string): Promise<void>;
  };
  /** Callouts to the resources' notification endpoints when a review instance enters Initializing. */
  callouts: {
    /** Starts the callouts of an instance (fire and forget) and returns their records, pending. */
    send(instance: InstanceRecord, trigger: CalloutTrigger): CalloutRecord[];
    list(): CalloutRecord[];
    /** Resolves when every callout started so far is delivered or has failed for good. */
    settled(): Promise<void>;
    clear(): void;
    /** A token exactly as a callout carries it (for receiver tests: wrong audience, expired, ...). */
    mintToken(options: { audience?: string; issuer?: string; lifetimeSeconds?: number; callerAppId?: string }): Promise<string>;
  };
  log(message: string, fields?: Record<string, unknown>): void;
  /** Aborted by stop(): fault delays end at once, so a stopped emulator holds no timers (a test process can exit). */
  stopping: AbortSignal;
}

/**
 * Applies the upload window at the emulator clock's now (expires active sessions, moves instances on). Returns
 * whether anything changed; the caller persists.
 */
export function refreshLifecycle(context: Pick<EmulatorContext, 'store' | 'clock' | 'settings'>): boolean {
  return context.store.refreshLifecycle(context.clock.nowMs(), context.settings.uploadWindowSeconds * 1000);
}

export function tenantIssuer(context: Pick<EmulatorContext, 'baseUrl' | 'store'>): string {
  return `${context.baseUrl}/${context.store.seed.tenantId}/v2.0`;
}
