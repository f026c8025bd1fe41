import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';

export interface TestTemporal {
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  namespace: string;
  address: string;
  /** The project's workflow bundle, built once per run by the global setup. */
  workflowBundle: { codePath: string };
  close(): Promise<void>;
}

let runtimeInstalled = false;

/** Connects a test file to the run's dev server (started by test/harness/global-setup.ts). */
export async function connectTestTemporal(): Promise<TestTemporal> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  const namespace = process.env.TEMPORAL_TEST_NAMESPACE ?? 'default';
  const codePath = process.env.TEMPORAL_TEST_BUNDLE;
  if (!address || !codePath) {
    throw new Error('The Temporal test server is not running: run tests through `npm test` (jest.config.js globalSetup starts it).');
  }
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      Runtime.install({ logger: new DefaultLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN') });
    } catch {
      // Already installed by an earlier test file in this jest worker process.
    }
  }
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  return {
    client: new Client({ connection, namespace }),
    connection,
    nativeConnection,
    namespace,
    address,
    workflowBundle: { codePath },
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}
