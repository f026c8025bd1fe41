/**
 * Shared by the upload benchmarks: the seeded review they upload for, and generated CSV files (realistic rows, written
 * in large blocks, never held whole in memory).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** The seeded review the upload benchmarks upload for: definition "Quarterly review: Ledger" (examples/emulator-seed.json). */
export const LEDGER = {
  catalogId: 'c0ffee00-0000-4000-8000-00000000ca01',
  resourceId: 'd00d0000-0000-4000-8000-00000000b001',
  reviewDefinitionId: 'e1e1e1e1-0000-4000-8000-0000000000d1',
} as const;

const HEADER = 'PrincipalId,PrincipalType,PermissionId,PermissionName,PermissionDescription,PermissionType,ScopeId,ScopeDisplayName,EntitlementOwners_Users,EntitlementOwners_Groups,CustomData\n';

function row(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex},EntraIdUser,perm-${i % 97},Read,Read access to module ${i % 97},Role,app-1,Bench App,,,"cost centre ${i % 1000}; generated row ${i}"\n`;
}

/** Writes a CSV of at least `bytes` bytes (whole rows) to `path`; returns its exact size. */
export async function writeSyntheticCsv(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 4 * 1024 * 1024 });
  let written = 0;
  let i = 0;
  const write = async (text: string): Promise<void> => {
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(HEADER);
  while (written < bytes) {
    const rows: string[] = [];
    for (let k = 0; k < 20_000 && written < bytes; k++) {
      const r = row(i++);
      rows.push(r);
      written += r.length;
    }
    const block = rows.join('');
    written -= block.length;
    await write(block);
  }
  out.end();
  await once(out, 'finish');
  return written;
}
