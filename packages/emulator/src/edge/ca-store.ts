import { createPrivateKey, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CertificateWithKey, createCertificateAuthority } from './certificates.js';

/** The CA certificate's file name in its directory: what `NODE_EXTRA_CA_CERTS` names. */
export const CA_CERT_FILE = 'ca.pem';
/** The CA private key's file name (mode 0600). */
export const CA_KEY_FILE = 'ca-key.pem';
/**
 * How long a stored CA must stay valid to be used again rather than replaced: 30 days, so the
 * edges' certificate it signs (which ends when it does) outlives any emulator run.
 */
export const CA_MIN_REMAINING_MS = 30 * 24 * 60 * 60 * 1000;

const LOCK_DIR = '.lock';
/** A lock older than this was left by a process that died: it is taken over. */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

/** A CA read from (or written to) a directory. */
export interface StoredCa {
  readonly ca: CertificateWithKey;
  /** `<dir>/ca.pem`. */
  readonly certPath: string;
  /** `<dir>/ca-key.pem`. */
  readonly keyPath: string;
  /** Whether it was made now (false: the files were valid and kept). */
  readonly created: boolean;
}

function isEcP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/**
 * Why `ca` cannot sign the edges' certificate at `now`, or undefined when it can: a self-signed CA
 * certificate (basicConstraints CA:TRUE) with its EC P-256 key, valid now and for at least
 * {@link CA_MIN_REMAINING_MS} more.
 */
export function caProblem(ca: CertificateWithKey, now: Date): string | undefined {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(ca.certPem);
  } catch {
    return `${CA_CERT_FILE} is not a PEM certificate`;
  }
  try {
    key = createPrivateKey(ca.keyPem);
  } catch {
    return `${CA_KEY_FILE} is not a PEM private key`;
  }
  if (!cert.ca) return `${CA_CERT_FILE} is not a CA certificate`;
  if (!isEcP256(key)) return `${CA_KEY_FILE} is not an EC P-256 key`;
  if (!cert.checkPrivateKey(key)) return `${CA_KEY_FILE} is not the key of ${CA_CERT_FILE}`;
  if (!cert.verify(cert.publicKey)) return `${CA_CERT_FILE} is not self-signed`;
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (notBefore.getTime() > now.getTime()) return `${CA_CERT_FILE} is not valid yet`;
  if (notAfter.getTime() - now.getTime() < CA_MIN_REMAINING_MS) {
    return `${CA_CERT_FILE} expires within 30 days (${notAfter.toISOString()})`;
  }
  return undefined;
}

/**
 * Creates `dir` (mode 0700) when missing, and refuses one that another user owns or anyone may
 * write to: a CA planted there would be trusted by whoever sets `NODE_EXTRA_CA_CERTS` to it.
 */
async function requirePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if (!info.isDirectory()) throw new Error(`esa-stage emulator: CA directory ${dir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && (info.uid !== uid || (info.mode & 0o022) !== 0)) {
    throw new Error(
      `esa-stage emulator: CA directory ${dir} ${info.uid !== uid ? 'belongs to another user' : 'is writable by others'}; remove it or choose another directory (caDir / --ca-dir)`,
    );
  }
}

/** Takes the directory's lock (a `.lock` directory), waiting for another process holding it. */
async function lock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_DIR);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(path);
      return () => rm(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await stat(path).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) {
      await rm(path, { recursive: true, force: true });
    } else if (Date.now() > deadline) {
      throw new Error(`esa-stage emulator: CA directory ${dir} stays locked (${path}); remove the lock`);
    } else {
      await sleep(20);
    }
  }
}

/** Writes a file whole under a temporary name, then renames it into place (never half-written). */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

/**
 * The CA of `dir`: `ca.pem` + `ca-key.pem` when both are there and {@link caProblem} finds
 * nothing wrong, else a new CA written there (key mode 0600). Processes sharing the directory take
 * turns (a lock directory), so they end up with the same pair.
 */
export async function loadOrCreateCa(dir: string, now: Date = new Date()): Promise<StoredCa> {
  await requirePrivateDir(dir);
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const release = await lock(dir);
  try {
    const [certPem, keyPem] = await Promise.all([
      readFile(certPath, 'utf8').catch(() => ''),
      readFile(keyPath, 'utf8').catch(() => ''),
    ]);
    if (certPem !== '' && keyPem !== '' && caProblem({ certPem, keyPem }, now) === undefined) {
      await Promise.all([chmod(keyPath, 0o600), chmod(certPath, 0o644)]);
      return { ca: { certPem, keyPem }, certPath, keyPath, created: false };
    }
    const ca = createCertificateAuthority(now);
    await writeAtomically(keyPath, ca.keyPem, 0o600);
    await writeAtomically(certPath, ca.certPem, 0o644);
    return { ca, certPath, keyPath, created: true };
  } finally {
    await release();
  }
}
