import path from 'node:path';
import type { EmulatorContext } from './context';
import { processCsvFile } from './processing';

/** Runs CSV processing for completed sessions in the background; stop() aborts what is still running. */
export interface ProcessingRunner {
  start(sessionId: string): void;
  settled(sessionId: string): Promise<void>;
  stop(): Promise<void>;
}

export function createProcessingRunner(getContext: () => EmulatorContext): ProcessingRunner {
  const running = new Map<string, Promise<void>>();
  const abort = new AbortController();
  const run = async (sessionId: string): Promise<void> => {
    const context = getContext();
    const session = context.store.sessions.get(sessionId);
    if (session === undefined) return;
    const userIds = new Set(context.store.seed.users.map((u) => u.id.toLowerCase()));
    for (const file of session.files) {
      if (file.processing?.state === 'done' || file.processing?.state === 'failed') continue;
      const result = await processCsvFile(path.join(context.dataDir, file.contentFile), {
        isKnownUser: (id) => userIds.has(id.toLowerCase()),
        errorLimit: context.settings.rowErrorLimit,
        signal: abort.signal,
      });
      // Stopped mid-file: leave it pending, so a restart with the state file processes it again.
      if (abort.signal.aborted) return;
      file.processing = result;
      context.persist();
    }
  };
  return {
    start(sessionId) {
      const session = getContext().store.sessions.get(sessionId);
      for (const file of session?.files ?? []) file.processing ??= { state: 'pending', rowCount: 0, errorCount: 0, errors: [] };
      const promise = run(sessionId).catch((error: unknown) => {
        getContext().log('processing failed', { sessionId, error: error instanceof Error ? error.message : String(error) });
      });
      running.set(sessionId, promise);
      void promise.finally(() => {
        if (running.get(sessionId) === promise) running.delete(sessionId);
      });
    },
    settled: async (sessionId) => {
      await running.get(sessionId);
    },
    async stop() {
      abort.abort();
      await Promise.all(running.values());
    },
  };
}
