/* eslint-disable @typescript-eslint/no-unsafe-assignment --
   Graph answers are untyped JSON (the boundary); each test checks their shape with expect(). */
import { execFile, spawn } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { ensureCertificateAuthority } from '../../emulator/index';
import { startTestEmulator } from './helpers';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(ROOT, 'emulator', 'cli.ts');

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'emulator-tls-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('local certificate authority', () => {
  it('is created once, safely when two processes start at once, and reused', async () => {
    const tlsDir = path.join(dir, 'race');
    const [a, b] = await Promise.all([run(TSX, [CLI, 'ca', '--tls-dir', tlsDir]), run(TSX, [CLI, 'ca', '--tls-dir', tlsDir])]);
    expect(a.stdout.trim()).toBe(path.join(tlsDir, 'ca.pem'));
    expect(b.stdout.trim()).toBe(a.stdout.trim());
    const pem = readFileSync(path.join(tlsDir, 'ca.pem'), 'utf8');
    const ca = new X509Certificate(pem);
    expect(ca.ca).toBe(true);
    // The key on disk belongs to the certificate on disk (whichever process won).
    expect(ca.checkPrivateKey(createPrivateKey(readFileSync(path.join(tlsDir, 'ca-key.pem'))))).toBe(true);
    expect(statSync(path.join(tlsDir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    const again = await ensureCertificateAuthority(tlsDir);
    expect(again.certPem).toBe(pem);
  });

  it('gives every concurrent caller the same CA (the race is settled by the key file)', async () => {
    const tlsDir = path.join(dir, 'concurrent');
    const results = await Promise.all([1, 2, 3, 4].map(() => ensureCertificateAuthority(tlsDir)));
    expect(new Set(results.map((r) => r.certPem)).size).toBe(1);
    expect(results[0]!.certPem).toBe(readFileSync(path.join(tlsDir, 'ca.pem'), 'utf8'));
  });

  it('signs a server certificate for localhost, 127.0.0.1 and ::1', async () => {
    const tlsDir = path.join(dir, 'server');
    const t = await startTestEmulator({ tlsDir });
    try {
      const port = Number(new URL(t.emulator.baseUrl).port);
      const caPem = readFileSync(t.emulator.caCertPath, 'utf8');
      const peer = await new Promise<X509Certificate>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem }, () => {
          const cert = socket.getPeerX509Certificate();
          socket.end();
          if (cert === undefined) reject(new Error('no peer certificate'));
          else resolve(cert);
        });
        socket.on('error', reject);
      });
      expect(peer.subjectAltName).toContain('DNS:localhost');
      expect(peer.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(peer.subjectAltName).toMatch(/IP Address:(::1|0:0:0:0:0:0:0:1)/);
      expect(peer.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    } finally {
      await t.stop();
    }
  });
});

describe('command line', () => {
  it('starts, prints URLs, tenant and app credentials, and stops cleanly on SIGTERM', async () => {
    const child = spawn(TSX, [CLI, '--port', '0', '--tls-dir', path.join(dir, 'cli'), '--fault-fail', '503:count=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (output.includes('Press Ctrl+C')) {
          clearInterval(check);
          resolve();
        }
        if (child.exitCode !== null) {
          clearInterval(check);
          reject(new Error(`the CLI exited early:\n${output}`));
        }
      }, 20);
    });
    expect(output).toMatch(/Graph base URL: +https:\/\/localhost:\d+\/v1\.0/);
    expect(output).toContain('Tenant id:        8f1c2a52-3b7e-4c1d-9a3e-5d2f6b7c8e90');
    expect(output).toContain('client id:    11111111-1111-4111-8111-111111111111');
    expect(output).toContain('secret:       emulator-writer-secret');
    expect(output).toMatch(/certificate: +.*11111111-1111-4111-8111-111111111111\.pem/);
    const exitCode = await new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
    expect(exitCode).toBe(0);
  });

  it('refuses a bad flag with a message naming it', async () => {
    await expect(run(TSX, [CLI, '--port', 'eighty'])).rejects.toMatchObject({ stderr: expect.stringContaining('--port') });
    await expect(run(TSX, [CLI, '--port', '0', '--fault-fail', '418', '--tls-dir', path.join(dir, 'cli')])).rejects.toMatchObject({ stderr: expect.stringContaining('--fault-fail') });
  });
});
