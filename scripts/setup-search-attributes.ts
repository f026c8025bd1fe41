/**
 * Registers the project's search attributes on a self-hosted Temporal cluster (idempotent), using the standard
 * TEMPORAL_* connection settings. The dev server registers them itself; on Temporal Cloud create them in the Cloud UI
 * or with tcld (docs/operations.md).
 */
import { withTemporalClient } from '../workers/temporal-connection';
import { ensureSearchAttributes } from '../workers/search-attributes';

async function main(): Promise<void> {
  const added = await withTemporalClient(({ connection, namespace }) => ensureSearchAttributes(connection, namespace));
  process.stdout.write(added.length ? `added search attributes: ${added.join(', ')}\n` : 'search attributes already registered\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
