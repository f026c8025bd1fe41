import { Agent } from 'undici';
import type { GraphSettings } from './settings';

/**
 * The one undici dispatcher of a worker process: keep-alive connections to Graph (and nothing else), reused by every
 * activity. Close it on worker shutdown (`await agent.close()`).
 */
export function createGraphDispatcher(settings: GraphSettings): Agent {
  const { connections, connectTimeoutMs, headersTimeoutMs, bodyTimeoutMs } = settings.http;
  return new Agent({
    connections,
    // No pipelining: an upload body and a retry after a reset must not share a socket with other requests.
    pipelining: 1,
    connect: { timeout: connectTimeoutMs },
    headersTimeout: headersTimeoutMs,
    bodyTimeout: bodyTimeoutMs,
    // undici's 4 s default would reconnect (TLS handshake) between the steps of an upload; a server's own
    // keep-alive hint still wins when it is shorter.
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
  });
}
