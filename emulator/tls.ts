// @peculiar/x509 (through tsyringe) needs the Reflect metadata API loaded before it.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { ensureDir, publishExclusive, readIfExists, waitForFile } from './files';

/**
 * The local certificate authority and the certificates it signs. The CA is created once per tlsDir and reused, so
 * `NODE_EXTRA_CA_CERTS=<tlsDir>/ca.pem` stays valid across restarts; server certificates are made fresh on each start.
 */

// Node's WebCrypto is complete for x509's needs; the cast bridges Node's and the DOM's type names.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY_MS = 86_400_000;

export interface CertificateAuthority {
  certPath: string;
  keyPath: string;
  certPem: string;
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  /** DER thumbprints, hex: what client assertions carry (base64url) as `x5t` / `x5t#S256`. */
  sha1Thumbprint: string;
  sha256Thumbprint: string;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify']);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (der === undefined) throw new Error('no PEM block in private key');
  return webcrypto.subtle.importKey('pkcs8', der, rsa, false, ['sign']);
}

function serialNumber(): string {
  return createHash('sha256').update(webcrypto.getRandomValues(new Uint8Array(16))).digest('hex').slice(0, 30);
}

/** Creates the CA in tlsDir if missing (safe when several processes start at once) and loads it. */
export async function ensureCertificateAuthority(tlsDir: string): Promise<CertificateAuthority> {
  const dir = path.resolve(tlsDir);
  await ensureDir(dir, 0o700);
  const certPath = path.join(dir, 'ca.pem');
  const keyPath = path.join(dir, 'ca-key.pem');
  let certPem = await readIfExists(certPath);
  let keyPem = await readIfExists(keyPath);
  if (certPem === undefined && keyPem === undefined) {
    const keys = await generateKeys();
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: 'CN=Entra Review Uploader Emulator Local CA, O=entra-review-uploader (local development only)',
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 3650 * DAY_MS),
      keys,
      signingAlgorithm: rsa,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const ourKey = await privateKeyPem(keys.privateKey);
    // The key is published first and exclusively: whoever links it owns the CA and then publishes ca.pem.
    if (await publishExclusive(keyPath, ourKey, 0o600)) {
      await publishExclusive(certPath, cert.toString('pem'), 0o644);
    }
  }
  certPem ??= await waitForFile(certPath, 20_000);
  keyPem ??= await waitForFile(keyPath, 20_000);
  if (certPem === undefined || keyPem === undefined) {
    throw new Error(
      `The emulator CA in ${dir} is incomplete (one of ca.pem / ca-key.pem is missing). Delete that directory and start again.`,
    );
  }
  return { certPath, keyPath, certPem, cert: new x509.X509Certificate(certPem), privateKey: await importPrivateKey(keyPem) };
}

function thumbprints(cert: x509.X509Certificate): { sha1Thumbprint: string; sha256Thumbprint: string } {
  const der = Buffer.from(cert.rawData);
  return {
    sha1Thumbprint: createHash('sha1').update(der).digest('hex'),
    sha256Thumbprint: createHash('sha256').update(der).digest('hex'),
  };
}

async function issue(
  ca: CertificateAuthority,
  subject: string,
  extensions: x509.Extension[],
  validityDays: number,
): Promise<IssuedCertificate> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: ca.cert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + validityDays * DAY_MS),
    signingKey: ca.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: rsa,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      ...extensions,
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), ...thumbprints(cert) };
}

/** A TLS server certificate for localhost, 127.0.0.1, ::1 and any extra host name. */
export async function issueServerCertificate(ca: CertificateAuthority, extraHosts: readonly string[] = []): Promise<IssuedCertificate> {
  const names = new Set(['localhost', ...extraHosts.filter((h) => h !== '' && !/^[\d.:]+$/.test(h))]);
  const ips = new Set(['127.0.0.1', '::1', ...extraHosts.filter((h) => /^[\d.:]+$/.test(h) && h !== '0.0.0.0' && h !== '::')]);
  return issue(
    ca,
    'CN=localhost',
    [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...[...names].map((value) => ({ type: 'dns' as const, value })),
        ...[...ips].map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
    365,
  );
}

/** A client certificate for an app registration (client assertion signing). */
export async function issueClientCertificate(ca: CertificateAuthority, commonName: string): Promise<IssuedCertificate> {
  return issue(
    ca,
    `CN=${commonName.replace(/[,=+<>#;"\\]/g, ' ')}`,
    [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
    3650,
  );
}

/** Thumbprints and PEM of the first certificate in a PEM file (cert + key, as ClientCertificateCredential reads). */
export function describeCertificatePem(pem: string): { certPem: string; sha1Thumbprint: string; sha256Thumbprint: string } {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (match === null) throw new Error('no CERTIFICATE block');
  const cert = new x509.X509Certificate(match[0]);
  return { certPem: match[0], ...thumbprints(cert) };
}
