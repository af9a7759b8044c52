// The local CA and the edges' certificate: the DER encoder, checked by node's X509Certificate, by
// OpenSSL's command line when installed, and by real TLS handshakes with the running edges.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_CERT_FILE, CA_KEY_FILE, caProblem, loadOrCreateCa } from '../src/edge/ca-store.js';
import { createCertificateAuthority, issueServerCertificate } from '../src/edge/certificates.js';
import { bitString, integer, namedBits, oid, sequence, time } from '../src/edge/der.js';
import { EDGE_CERTIFICATE_NAMES, type Emulator, routineHost, startEmulator } from '../src/index.js';

const DAY = 24 * 60 * 60 * 1000;
const hex = (bytes: Buffer) => bytes.toString('hex');

function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAS_OPENSSL = hasCommand('openssl');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-cert-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DER encoder', () => {
  it('writes known encodings', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(127))).toBe('02017f');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(Buffer.from([0, 0, 0x12])))).toBe('020112');
    expect(hex(integer(Buffer.from([0xff])))).toBe('020200ff');
    // keyCertSign (5) + cRLSign (6): one unused bit; digitalSignature (0): seven.
    expect(hex(namedBits([5, 6]))).toBe('03020106');
    expect(hex(namedBits([0]))).toBe('03020780');
    expect(hex(time(new Date('2030-01-02T03:04:05.678Z')))).toBe(
      hex(Buffer.from('\x17\x0d300102030405Z', 'latin1')),
    );
    expect(hex(time(new Date('2050-01-01T00:00:00Z')))).toBe(
      hex(Buffer.from('\x18\x0f20500101000000Z', 'latin1')),
    );
    // Long-form lengths from 128 bytes of contents on.
    expect(hex(sequence(Buffer.alloc(127)).subarray(0, 2))).toBe('307f');
    expect(hex(sequence(Buffer.alloc(128)).subarray(0, 3))).toBe('308180');
    expect(hex(sequence(Buffer.alloc(300)).subarray(0, 4))).toBe('3082012c');
    expect(hex(bitString(Buffer.from([0xab])))).toBe('030200ab');
  });
});

describe('createCertificateAuthority / issueServerCertificate', () => {
  const now = new Date();
  const ca = createCertificateAuthority(now);
  const caCert = new X509Certificate(ca.certPem);
  const leaf = issueServerCertificate(ca, EDGE_CERTIFICATE_NAMES, now);
  const leafCert = new X509Certificate(leaf.certPem);

  it('makes a self-signed EC P-256 CA certificate, valid from before now for a year', () => {
    expect(caCert.ca).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.issuer).toBe(caCert.subject);
    expect(caCert.subject).toMatch(/^O=esa-stage emulator\nCN=esa-stage emulator local CA [0-9a-f]{8}$/);
    expect(caCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(Date.parse(caCert.validFrom)).toBeLessThanOrEqual(now.getTime());
    expect(Date.parse(caCert.validTo)).toBe(Math.floor((now.getTime() + 365 * DAY) / 1000) * 1000);
    expect(caProblem(ca, now)).toBeUndefined();
  });

  it('signs a server certificate for every routine host with the CA key (ecdsa-with-SHA256)', () => {
    expect(leafCert.ca).toBe(false);
    expect(leafCert.verify(caCert.publicKey)).toBe(true);
    expect(leafCert.verify(leafCert.publicKey)).toBe(false);
    expect(leafCert.verify(new X509Certificate(createCertificateAuthority(now).certPem).publicKey)).toBe(
      false,
    );
    expect(leafCert.checkIssued(caCert)).toBe(true);
    expect(leafCert.issuer).toBe(caCert.subject);
    expect(leafCert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
    expect(leafCert.subjectAltName).toBe('DNS:*.emulator.er.aliyun-esa.net, DNS:emulator.er.aliyun-esa.net');
    expect(leafCert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(leafCert.checkHost(routineHost('my-routine'))).toBe('*.emulator.er.aliyun-esa.net');
    expect(leafCert.checkHost('emulator.er.aliyun-esa.net')).toBe('emulator.er.aliyun-esa.net');
    expect(leafCert.checkHost('a.b.emulator.er.aliyun-esa.net')).toBeUndefined();
    expect(leafCert.checkHost('example.com')).toBeUndefined();
    // The signature algorithm's OID (1.2.840.10045.4.3.2) is in the TBS and in the certificate.
    expect(leafCert.raw.toString('hex').split('06082a8648ce3d040302')).toHaveLength(3);
  });

  it('never lets the server certificate outlive its CA', () => {
    const shortCa = createCertificateAuthority(now, 3);
    const shortLeaf = new X509Certificate(issueServerCertificate(shortCa, ['x.test'], now).certPem);
    expect(shortLeaf.validTo).toBe(new X509Certificate(shortCa.certPem).validTo);
    expect(Date.parse(leafCert.validTo)).toBe(Math.floor((now.getTime() + 90 * DAY) / 1000) * 1000);
  });

  it.skipIf(!HAS_OPENSSL)(
    'passes openssl verify as an sslserver for a routine host, with critical CA extensions',
    async () => {
      const caFile = join(dir, 'oracle-ca.pem');
      const leafFile = join(dir, 'oracle-leaf.pem');
      await writeFile(caFile, ca.certPem);
      await writeFile(leafFile, leaf.certPem);
      const verify = (host: string) =>
        execFileSync(
          'openssl',
          ['verify', '-CAfile', caFile, '-purpose', 'sslserver', '-verify_hostname', host, leafFile],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
      expect(verify(routineHost('my-routine'))).toContain(': OK');
      expect(() => verify('example.com')).toThrow(/hostname mismatch/);
      const caText = execFileSync('openssl', ['x509', '-in', caFile, '-noout', '-text'], {
        encoding: 'utf8',
      });
      expect(caText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(caText).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(caText).toContain('Signature Algorithm: ecdsa-with-SHA256');
      const leafText = execFileSync('openssl', ['x509', '-in', leafFile, '-noout', '-text'], {
        encoding: 'utf8',
      });
      expect(leafText).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
      expect(leafText).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
      expect(leafText).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
      expect(leafText).toContain('Version: 3 (0x2)');
    },
  );
});

describe('the CA directory', () => {
  it('creates ca.pem and ca-key.pem (0600), then reuses them while valid for more than a day', async () => {
    const caDir = join(dir, 'reuse');
    const first = await loadOrCreateCa(caDir);
    expect(first.created).toBe(true);
    expect(first.certPath).toBe(join(caDir, CA_CERT_FILE));
    expect((await stat(first.keyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(caDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(first.certPath, 'utf8')).toBe(first.ca.certPem);
    const again = await loadOrCreateCa(caDir);
    expect(again).toMatchObject({ created: false, ca: first.ca });
    // 23 hours before its end it is replaced.
    const late = new Date(Date.parse(new X509Certificate(first.ca.certPem).validTo) - 23 * 60 * 60 * 1000);
    const renewed = await loadOrCreateCa(caDir, late);
    expect(renewed.created).toBe(true);
    expect(renewed.ca.certPem).not.toBe(first.ca.certPem);
  });

  it('replaces a pair that is broken, mismatched or not a CA', async () => {
    const caDir = join(dir, 'broken');
    const { ca, certPath, keyPath } = await loadOrCreateCa(caDir);
    await writeFile(certPath, 'garbage');
    expect((await loadOrCreateCa(caDir)).created).toBe(true);
    await writeFile(keyPath, createCertificateAuthority().keyPem);
    expect((await loadOrCreateCa(caDir)).created).toBe(true);
    const leaf = issueServerCertificate(ca, ['x.test']);
    expect(caProblem({ certPem: leaf.certPem, keyPem: leaf.keyPem }, new Date())).toBe(
      'ca.pem is not a CA certificate',
    );
    expect(caProblem({ certPem: ca.certPem, keyPem: createCertificateAuthority().keyPem }, new Date())).toBe(
      `${CA_KEY_FILE} is not the key of ${CA_CERT_FILE}`,
    );
  });

  it('gives processes sharing a directory the same CA (one creates, the others wait and read it)', async () => {
    const caDir = join(dir, 'shared');
    const all = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateCa(caDir)));
    expect(new Set(all.map((s) => s.ca.certPem)).size).toBe(1);
    expect(all.filter((s) => s.created)).toHaveLength(1);
  });

  it.skipIf(process.getuid === undefined)('refuses a directory others may write to', async () => {
    const caDir = join(dir, 'open');
    await loadOrCreateCa(caDir);
    await chmod(caDir, 0o777);
    await expect(loadOrCreateCa(caDir)).rejects.toThrow(/is writable by others/);
    // A group that may write could swap the CA just the same.
    await chmod(caDir, 0o770);
    await expect(loadOrCreateCa(caDir)).rejects.toThrow(/is writable by others/);
  });
});

/** A TLS handshake with an edge; answers the peer certificate or the handshake error. */
function handshake(
  port: number,
  options: { servername: string; ca?: string },
): Promise<{ cert: PeerCertificate } | { error: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...options }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve({ cert });
    });
    socket.on('error', (error) => resolve({ error }));
  });
}

describe('the edges’ TLS', () => {
  let emulator: Emulator;
  let caPem: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    caPem = await readFile(emulator.caPath, 'utf8');
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('completes a handshake for a routine host from a client that trusts only the emulator CA', async () => {
    for (const port of [emulator.stagingEdge.port, emulator.productionEdge.port]) {
      const result = await handshake(port, { servername: routineHost('my-routine'), ca: caPem });
      expect(result).toHaveProperty('cert');
      if (!('cert' in result)) return;
      expect(result.cert.subjectaltname).toBe(
        'DNS:*.emulator.er.aliyun-esa.net, DNS:emulator.er.aliyun-esa.net',
      );
      expect(new X509Certificate(result.cert.raw).verify(new X509Certificate(caPem).publicKey)).toBe(true);
    }
  });

  it('fails the handshake for a client that does not trust the CA, or asks for another host', async () => {
    const system = await handshake(emulator.stagingEdge.port, { servername: routineHost('my-routine') });
    expect(system).toMatchObject({ error: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
    const otherCa = await handshake(emulator.stagingEdge.port, {
      servername: routineHost('my-routine'),
      ca: createCertificateAuthority().certPem,
    });
    expect(otherCa).toMatchObject({ error: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
    const wrongHost = await handshake(emulator.stagingEdge.port, { servername: 'example.com', ca: caPem });
    expect(wrongHost).toMatchObject({ error: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } });
  });

  it('covers the host of any name CreateRoutine accepts (one label of a-z, 0-9 and -)', async () => {
    const result = await handshake(emulator.stagingEdge.port, { servername: routineHost('ab'), ca: caPem });
    if (!('cert' in result)) throw result.error;
    const leaf = new X509Certificate(result.cert.raw);
    for (const name of [
      'ab',
      'a-b',
      '-leading',
      'trailing-',
      'xn--p1ai',
      '0123',
      'a'.repeat(63),
      'b'.repeat(100),
    ]) {
      expect(checkServerIdentity(routineHost(name), result.cert), name).toBeUndefined();
      expect(leaf.checkHost(routineHost(name)), name).toBe('*.emulator.er.aliyun-esa.net');
    }
  });

  it('writes its CA to a fresh temporary directory removed by close(), or to caDir, kept and reused', async () => {
    const temporary = await startEmulator();
    expect(temporary.caPath).toMatch(/esa-stage-emulator-ca-[^/]+\/ca\.pem$/);
    expect((await stat(temporary.caPath)).isFile()).toBe(true);
    await temporary.close();
    await expect(stat(temporary.caPath)).rejects.toThrow(/ENOENT/);

    const caDir = join(dir, 'emulators');
    const first = await startEmulator({ caDir });
    const pem = await readFile(first.caPath, 'utf8');
    await first.close();
    const second = await startEmulator({ caDir });
    try {
      expect(second.caPath).toBe(join(caDir, 'ca.pem'));
      expect(await readFile(second.caPath, 'utf8')).toBe(pem);
      const result = await handshake(second.stagingEdge.port, { servername: routineHost('ab'), ca: pem });
      expect(result).toHaveProperty('cert');
    } finally {
      await second.close();
    }
  });
});
