import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';

export interface DevCertificates {
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

interface CertificateFiles {
  ca: string;
  caKey: string;
  cert: string;
  key: string;
  lock: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const caCommonName = 'webpubsub-moderator local CA';
const dayMs = 24 * 60 * 60 * 1000;
const minRemainingValidityMs = 7 * dayMs;
/** A lock older than this belongs to a process that died while generating. */
const staleLockMs = 30_000;

/**
 * Returns a local CA and a localhost server certificate signed by it, reusing the PEM files in `dir` (relative to
 * the repository root) while they stay valid for at least 7 more days. Node processes trust the CA through
 * `NODE_EXTRA_CA_CERTS=<caPath>`. Safe to call from several processes at once.
 */
export async function ensureDevCertificates(dir = '.local/certs'): Promise<DevCertificates> {
  const directory = resolve(repoRoot, dir);
  const files: CertificateFiles = {
    ca: resolve(directory, 'ca.pem'),
    caKey: resolve(directory, 'ca-key.pem'),
    cert: resolve(directory, 'server.pem'),
    key: resolve(directory, 'server-key.pem'),
    lock: resolve(directory, '.lock'),
  };
  await mkdir(directory, { recursive: true });
  for (;;) {
    const existing = await readUsable(files);
    if (existing) return existing;
    if (await tryLock(files.lock)) {
      try {
        return (await readUsable(files)) ?? (await generateAndWrite(files));
      } finally {
        await rm(files.lock, { recursive: true, force: true });
      }
    }
    await sleep(50);
  }
}

async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > staleLockMs) await rm(lock, { recursive: true, force: true });
    return false;
  }
}

async function readUsable(files: CertificateFiles): Promise<DevCertificates | undefined> {
  const [caPem, certPem, keyPem] = await Promise.all([
    readOptional(files.ca),
    readOptional(files.cert),
    readOptional(files.key),
  ]);
  if (caPem === undefined || certPem === undefined || keyPem === undefined) return undefined;
  return isValidChain(caPem, certPem, keyPem) ? { caPath: files.ca, caPem, certPem, keyPem } : undefined;
}

async function readOptional(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

function isValidChain(caPem: string, certPem: string, keyPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    return (
      isValidLongEnough(ca) &&
      isValidLongEnough(cert) &&
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(keyPem))
    );
  } catch {
    return false;
  }
}

function isValidLongEnough(certificate: X509Certificate): boolean {
  return Date.parse(certificate.validTo) - Date.now() >= minRemainingValidityMs;
}

async function generateAndWrite(files: CertificateFiles): Promise<DevCertificates> {
  // Keep a still-valid CA so that anything already trusting it keeps working; only the server certificate is reissued.
  const [oldCaPem, oldCaKeyPem] = await Promise.all([readOptional(files.ca), readOptional(files.caKey)]);
  const reusableCa =
    oldCaPem !== undefined && oldCaKeyPem !== undefined && isReusableCa(oldCaPem, oldCaKeyPem)
      ? { certPem: oldCaPem, keyPem: oldCaKeyPem }
      : undefined;
  const ca = reusableCa ?? createCa();
  const server = createServerCertificate(ca);
  // Temp file + rename: readers that do not hold the lock never see a half-written file.
  await writeAtomically(files.caKey, ca.keyPem);
  await writeAtomically(files.key, server.keyPem);
  await writeAtomically(files.cert, server.certPem);
  await writeAtomically(files.ca, ca.certPem);
  return { caPath: files.ca, caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem };
}

function isReusableCa(caPem: string, caKeyPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    return ca.ca && isValidLongEnough(ca) && ca.checkPrivateKey(createPrivateKey(caKeyPem));
  } catch {
    return false;
  }
}

interface PemPair {
  certPem: string;
  keyPem: string;
}

function createCa(): PemPair {
  const keys = generateRsaKeyPair();
  const subject = [{ name: 'commonName', value: caCommonName }];
  const certificate = newCertificate(keys.publicKeyPem, 10 * 365);
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(certificate), keyPem: keys.privateKeyPem };
}

function createServerCertificate(ca: PemPair): PemPair {
  const keys = generateRsaKeyPair();
  const caCertificate = forge.pki.certificateFromPem(ca.certPem);
  const certificate = newCertificate(keys.publicKeyPem, 365);
  certificate.setSubject([{ name: 'commonName', value: 'localhost' }]);
  certificate.setIssuer(caCertificate.subject.attributes);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCertificate.generateSubjectKeyIdentifier().getBytes() },
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(certificate), keyPem: keys.privateKeyPem };
}

function newCertificate(publicKeyPem: string, validityDays: number): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // A positive serial: DER integers are signed, so clear the top bit.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  certificate.serialNumber = serial.toString('hex');
  // Backdate a little so a clock that is slightly behind still accepts the certificate.
  const now = Date.now();
  certificate.validity.notBefore = new Date(now - 60 * 60 * 1000);
  certificate.validity.notAfter = new Date(now + validityDays * dayMs);
  return certificate;
}

function generateRsaKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, path);
}
