import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

/**
 * Connection settings come from Temporal's standard environment configuration: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE (a TOML file of
 * profiles, by default ~/.config/temporalio/temporal.toml). Nothing set means the local dev server.
 * So the same code runs against the dev server, a self-hosted cluster, or Temporal Cloud.
 */
export interface TemporalTarget {
  address: string;
  namespace: string;
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

export function loadTemporalTarget(): TemporalTarget {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const address = connectionOptions.address ?? 'localhost:7233';
  return { address, namespace: namespace ?? 'default', connectionOptions: { ...connectionOptions, address } };
}

export async function connectNative(target = loadTemporalTarget()): Promise<NativeConnection> {
  return NativeConnection.connect(target.connectionOptions);
}

export async function connectClient(target = loadTemporalTarget()): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect(target.connectionOptions);
  return { client: new Client({ connection, namespace: target.namespace }), connection };
}

/** Runs `fn` with a client of the target's namespace, and closes the connection afterwards, whatever happens. */
export async function withTemporalClient<T>(
  fn: (ctx: { client: Client; connection: Connection; namespace: string }) => Promise<T>,
  target = loadTemporalTarget(),
): Promise<T> {
  const { client, connection } = await connectClient(target);
  try {
    return await fn({ client, connection, namespace: target.namespace });
  } finally {
    await connection.close();
  }
}

/** Link to a run in the Web UI. TEMPORAL_UI_URL overrides the dev server's default (port 8233). */
export function webUiLink(namespace: string, workflowId: string, runId?: string, uiUrl = process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233'): string {
  const base = uiUrl.replace(/\/$/, '');
  const run = runId ? `/${encodeURIComponent(runId)}` : '';
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}${run}/history`;
}
