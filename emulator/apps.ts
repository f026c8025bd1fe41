import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensureDir, publishExclusive, readIfExists } from './files';
import type { Seed } from './seed-schema';
import { derivedGuid } from './store';
import type { CertificateAuthority } from './tls';
import { describeCertificatePem, issueClientCertificate } from './tls';

/** App registrations of the emulated tenant, with the certificate material client assertions are checked against. */

export interface AppCertificate {
  /** PEM with certificate and private key (usable by ClientCertificateCredential); for a seed-provided path, as given. */
  path: string;
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  publicKey: KeyObject;
}

export interface AppRegistration {
  clientId: string;
  displayName: string;
  servicePrincipalId: string;
  clientSecret?: string;
  certificate?: AppCertificate;
  roles: string[];
}

/** What startEmulator reports for each seeded app. */
export interface SeededApp {
  clientId: string;
  displayName: string;
  clientSecret?: string;
  certificatePath?: string;
  roles: string[];
}

async function appCertificate(ca: CertificateAuthority, tlsDir: string, clientId: string, displayName: string, given?: string): Promise<AppCertificate> {
  let file: string;
  let pem: string | undefined;
  if (given !== undefined) {
    file = path.resolve(given);
    pem = await readIfExists(file);
    if (pem === undefined) throw new Error(`Seed app ${clientId}: certificate.path ${file} does not exist.`);
  } else {
    const dir = path.join(tlsDir, 'apps');
    await ensureDir(dir, 0o700);
    file = path.join(dir, `${clientId}.pem`);
    pem = await readIfExists(file);
    if (pem === undefined) {
      const issued = await issueClientCertificate(ca, displayName);
      await publishExclusive(file, `${issued.certPem.trim()}\n${issued.keyPem.trim()}\n`, 0o600);
      pem = await fs.readFile(file, 'utf8');
    }
  }
  let described;
  try {
    described = describeCertificatePem(pem);
  } catch {
    throw new Error(`Seed app ${clientId}: ${file} holds no PEM CERTIFICATE block.`);
  }
  return {
    path: file,
    sha1Thumbprint: described.sha1Thumbprint,
    sha256Thumbprint: described.sha256Thumbprint,
    publicKey: createPublicKey(described.certPem),
  };
}

export async function buildAppRegistry(seed: Seed, ca: CertificateAuthority, tlsDir: string): Promise<Map<string, AppRegistration>> {
  const apps = new Map<string, AppRegistration>();
  for (const app of seed.apps) {
    const registration: AppRegistration = {
      clientId: app.clientId,
      displayName: app.displayName,
      servicePrincipalId: app.servicePrincipalId ?? derivedGuid(`sp:${app.clientId}`),
      roles: app.roles,
    };
    if (app.clientSecret !== undefined) registration.clientSecret = app.clientSecret;
    if (app.certificate !== undefined) {
      const given = app.certificate === 'generate' ? undefined : app.certificate.path;
      registration.certificate = await appCertificate(ca, tlsDir, app.clientId, app.displayName, given);
    }
    apps.set(app.clientId.toLowerCase(), registration);
  }
  return apps;
}

export function describeApps(apps: Map<string, AppRegistration>): SeededApp[] {
  return [...apps.values()].map((app) => {
    const seeded: SeededApp = { clientId: app.clientId, displayName: app.displayName, roles: [...app.roles] };
    if (app.clientSecret !== undefined) seeded.clientSecret = app.clientSecret;
    if (app.certificate !== undefined) seeded.certificatePath = app.certificate.path;
    return seeded;
  });
}
