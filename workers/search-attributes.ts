import type { Connection } from '@temporalio/client';
// Not re-exported from the package index in 1.24; the deep path is the SDK's own encoder.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/temporal';

/**
 * Registers the project's search attributes on a self-hosted cluster (idempotent: existing ones are skipped).
 * The dev server gets them from `--search-attribute` flags instead; Temporal Cloud needs them created in its UI or
 * with tcld (docs/operations.md).
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => {
          const indexedType = encodeSearchAttributeIndexedValueType(key.type);
          if (indexedType === undefined) throw new Error(`search attribute ${key.name} has no indexed type for ${key.type}`);
          return [key.name, indexedType];
        }),
      ),
    });
  }
  return missing.map((key) => key.name);
}
