// A local certificate authority and the edges' server certificate, written as X.509 v3 DER with
// node:crypto's EC P-256 keys and ECDSA signatures: no dependency, no I/O.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import {
  bitString,
  boolean,
  children,
  type DerElement,
  explicit,
  implicitPrimitive,
  integer,
  namedBits,
  octetString,
  oid,
  readElement,
  sequence,
  setOf,
  time,
  utf8String,
} from './der.js';

/** A certificate and its private key, both PEM (the key PKCS#8). */
export interface CertificateWithKey {
  readonly certPem: string;
  readonly keyPem: string;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** KeyUsage bits (RFC 5280 4.2.1.3). */
const DIGITAL_SIGNATURE = 0;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far `notBefore` is set back, for clocks a little behind. */
const BACKDATE_MS = 60 * 60 * 1000;
/** The organization of every name the emulator writes. */
const ORGANIZATION = 'esa-stage emulator';

/** `AlgorithmIdentifier` of ecdsa-with-SHA256: no parameters (RFC 5758). */
const ECDSA_WITH_SHA256 = sequence(oid(OID.ecdsaWithSha256));

/** `Name`: O=esa-stage emulator, CN=`commonName`. */
function distinguishedName(commonName: string): Buffer {
  return sequence(
    setOf(sequence(oid(OID.organization), utf8String(ORGANIZATION))),
    setOf(sequence(oid(OID.commonName), utf8String(commonName))),
  );
}

/** One `Extension`: its id, `critical` when true, and its value's DER in an OCTET STRING. */
function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** A random positive 128-bit serial number (RFC 5280: at most 20 octets, positive). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes;
}

/** The key identifier of a public key: SHA-1 of its `subjectPublicKey` bits (RFC 5280 method 1). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const [, key] = children(spki, readElement(spki, 0));
  if (!key) throw new Error('SubjectPublicKeyInfo without a key');
  // The BIT STRING's first contents octet counts its unused bits (0): the key follows it.
  return createHash('sha1')
    .update(spki.subarray(key.contentStart + 1, key.end))
    .digest();
}

function newKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** What goes into a `TBSCertificate`. */
interface TbsFields {
  readonly issuer: Buffer;
  readonly subject: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  readonly extensions: readonly Buffer[];
}

/** A v3 certificate, DER: the `TBSCertificate` signed with ECDSA P-256 + SHA-256 by `signer`. */
function signedCertificate(fields: TbsFields, signer: KeyObject): Buffer {
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serialNumber()),
    ECDSA_WITH_SHA256,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...fields.extensions)),
  );
  // node:crypto's ECDSA signature is DER `ECDSA-Sig-Value`, what X.509 carries in its BIT STRING.
  return sequence(tbs, ECDSA_WITH_SHA256, bitString(sign('sha256', tbs, signer)));
}

/** The fields of a certificate's `TBSCertificate`, in order (version first). */
function tbsFields(der: Buffer): DerElement[] {
  const [tbs] = children(der, readElement(der, 0));
  if (!tbs) throw new Error('certificate without a TBSCertificate');
  return children(der, tbs);
}

/**
 * A certificate's subject as DER (what a certificate it signs names as its issuer: node:crypto
 * gives the subject only as text).
 */
export function subjectDer(der: Buffer): Buffer {
  // version [0], serialNumber, signature, issuer, validity, subject, ...
  const subject = tbsFields(der)[5];
  if (!subject) throw new Error('certificate without a subject');
  return der.subarray(subject.start, subject.end);
}

/** PEM of a certificate's DER, through node:crypto (which checks what was written). */
function certificatePem(der: Buffer): string {
  return new X509Certificate(der).toString();
}

/**
 * A new certificate authority: an EC P-256 key and a self-signed v3 certificate, CN `esa-stage
 * emulator local CA <random>`, valid from an hour before `now` for `validityDays`, with
 * basicConstraints CA:TRUE, pathLen 0 (critical), keyUsage keyCertSign + cRLSign (critical) and a
 * subjectKeyIdentifier.
 */
export function createCertificateAuthority(now: Date = new Date(), validityDays = 365): CertificateWithKey {
  const { publicKey, privateKey } = newKeyPair();
  const name = distinguishedName(`esa-stage emulator local CA ${randomBytes(4).toString('hex')}`);
  const der = signedCertificate(
    {
      issuer: name,
      subject: name,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + validityDays * DAY_MS),
      publicKey,
      extensions: [
        extension(OID.basicConstraints, true, sequence(boolean(true), integer(0))),
        extension(OID.keyUsage, true, namedBits([KEY_CERT_SIGN, CRL_SIGN])),
        extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
      ],
    },
    privateKey,
  );
  return {
    certPem: certificatePem(der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * A TLS server certificate signed by `ca`: a new EC P-256 key, CN the first of `dnsNames`, every
 * one of them a subjectAltName DNS name, basicConstraints CA:FALSE (critical), keyUsage
 * digitalSignature (critical), extendedKeyUsage serverAuth and the CA's authorityKeyIdentifier.
 * Valid from an hour before `now` for `validityDays`, but never past the CA's own end.
 */
export function issueServerCertificate(
  ca: CertificateWithKey,
  dnsNames: readonly string[],
  now: Date = new Date(),
  validityDays = 90,
): CertificateWithKey {
  const [commonName] = dnsNames;
  if (commonName === undefined) throw new RangeError('a server certificate needs at least one DNS name');
  const caKey = createPrivateKey(ca.keyPem);
  const issuer = new X509Certificate(ca.certPem);
  const { publicKey, privateKey } = newKeyPair();
  const notAfter = Math.min(now.getTime() + validityDays * DAY_MS, new Date(issuer.validTo).getTime());
  const der = signedCertificate(
    {
      issuer: subjectDer(issuer.raw),
      subject: distinguishedName(commonName),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(notAfter),
      publicKey,
      extensions: [
        extension(OID.basicConstraints, true, sequence()),
        extension(OID.keyUsage, true, namedBits([DIGITAL_SIGNATURE])),
        extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
        extension(
          OID.subjectAltName,
          false,
          sequence(...dnsNames.map((dns) => implicitPrimitive(2, Buffer.from(dns, 'ascii')))),
        ),
        extension(
          OID.authorityKeyIdentifier,
          false,
          sequence(implicitPrimitive(0, keyIdentifier(createPublicKey(caKey)))),
        ),
      ],
    },
    caKey,
  );
  return {
    certPem: certificatePem(der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
