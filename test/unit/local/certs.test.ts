import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevCertificates } from '../../../local/certs.js';

const run = promisify(execFile);

describe('ensureDevCertificates', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-certs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('issues a localhost server certificate signed by the local CA', async () => {
    const certificates = await ensureDevCertificates(dir);
    const ca = new X509Certificate(certificates.caPem);
    const server = new X509Certificate(certificates.certPem);

    expect(ca.subject).toBe('CN=webpubsub-moderator local CA');
    expect(ca.ca).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(Date.parse(ca.validTo) - Date.now()).toBeGreaterThan(9 * 365 * 24 * 3600 * 1000);
    expect(Date.parse(server.validTo) - Date.now()).toBeGreaterThan(360 * 24 * 3600 * 1000);
    expect(certificates.caPath).toBe(join(dir, 'ca.pem'));
  });

  it('reuses valid files, also when called concurrently', async () => {
    const first = await ensureDevCertificates(dir);
    const [second, third] = await Promise.all([ensureDevCertificates(dir), ensureDevCertificates(dir)]);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
  });

  it('agrees on one certificate set when several processes generate at once', async () => {
    const freshDir = join(dir, 'race');
    const script = `import { ensureDevCertificates } from ${JSON.stringify(new URL('../../../local/certs.ts', import.meta.url).href)};
      const c = await ensureDevCertificates(${JSON.stringify(freshDir)}); process.stdout.write(c.certPem);`;
    const runOne = () =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]).then((r) => r.stdout);
    const outputs = await Promise.all([runOne(), runOne(), runOne()]);
    expect(new Set(outputs).size).toBe(1);
    expect((await ensureDevCertificates(freshDir)).certPem).toBe(outputs[0]);
  });

  it('reissues a broken server certificate under the same CA', async () => {
    const before = await ensureDevCertificates(dir);
    await writeFile(join(dir, 'server.pem'), 'not a certificate');
    const after = await ensureDevCertificates(dir);
    expect(after.caPem).toBe(before.caPem);
    expect(after.certPem).not.toBe(before.certPem);
    expect(new X509Certificate(after.certPem).checkIssued(new X509Certificate(after.caPem))).toBe(true);
  });

  it('is trusted over TLS by a Node process started with NODE_EXTRA_CA_CERTS, and only then', async () => {
    const { caPath, certPem, keyPem } = await ensureDevCertificates(dir);
    const server = createServer({ cert: certPem, key: keyPem }, (_request, response) => response.end('trusted'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fetchScript = (host: string) =>
      `fetch('https://${host}:${port}/').then(async (r) => process.stdout.write(await r.text()), (e) => { process.stdout.write(String(e.cause?.code)); process.exitCode = 1; })`;
    const { NODE_EXTRA_CA_CERTS: _ignored, ...baseEnv } = process.env;
    try {
      const trusted = await run(process.execPath, ['-e', fetchScript('127.0.0.1')], {
        env: { ...baseEnv, NODE_EXTRA_CA_CERTS: caPath },
      });
      expect(trusted.stdout).toBe('trusted');
      const byName = await run(process.execPath, ['-e', fetchScript('localhost')], {
        env: { ...baseEnv, NODE_EXTRA_CA_CERTS: caPath },
      });
      expect(byName.stdout).toBe('trusted');
      const untrusted = await run(process.execPath, ['-e', fetchScript('127.0.0.1')], { env: baseEnv }).catch(
        (error: { stdout: string; code: number }) => error,
      );
      expect(untrusted).toMatchObject({ code: 1, stdout: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    } finally {
      server.close();
    }
  });
});
