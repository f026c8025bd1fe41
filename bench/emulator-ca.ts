import { spawn } from 'node:child_process';
import { DEFAULT_TLS_DIR, ensureCertificateAuthority } from '../emulator';

/**
 * Node reads NODE_EXTRA_CA_CERTS only at start: create the emulator's CA if needed, then run this script again in a
 * child that trusts it. Returns true in the parent (which should then just return; its exit code is the child's).
 */
export async function reexecTrustingEmulatorCa(): Promise<boolean> {
  const ca = await ensureCertificateAuthority(DEFAULT_TLS_DIR);
  if (process.env.NODE_EXTRA_CA_CERTS === ca.certPath) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.certPath }, stdio: 'inherit' });
  process.exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return true;
}
