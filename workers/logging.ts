import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import pino from 'pino';

/**
 * Structured (JSON) logs for the worker and the scripts: one line per event, ready for any log pipeline.
 * LOG_LEVEL sets the level (trace, debug, info, warn, error); LOG_PRETTY is not offered on purpose: pipe into
 * `npx pino-pretty` when reading by eye.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): pino.Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** Adapts pino to Temporal's Logger so the SDK's own logs (worker, workflow and activity loggers) share the format. */
export function temporalLoggerFrom(logger: pino.Logger): Logger {
  const emit = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const pinoLevel = level === 'WARN' ? 'warn' : (level.toLowerCase() as 'trace' | 'debug' | 'info' | 'error');
    logger[pinoLevel](meta ?? {}, message);
  };
  return {
    log: emit,
    trace: (m, meta) => emit('TRACE', m, meta),
    debug: (m, meta) => emit('DEBUG', m, meta),
    info: (m, meta) => emit('INFO', m, meta),
    warn: (m, meta) => emit('WARN', m, meta),
    error: (m, meta) => emit('ERROR', m, meta),
  };
}
