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

/** DER as PEM with `label`, base64 in lines of 64. */
export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER of the first PEM block labelled `CERTIFICATE`. Throws when there is none. */
export function pemToDer(pem: string): Buffer {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (!match?.[1]) throw new Error('no PEM CERTIFICATE block');
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

/** The fields of a certificate's `TBSCertificate`, in order (version first). */
function tbsFields(der: Buffer): DerElement[] {
  const [tbs] = children(der, readElement(der, 0));
  if (!tbs) throw new Error('certificate without a TBSCertificate');
  return children(der, tbs);
}

/** Reads a `UTCTime` or `GeneralizedTime` (`...Z`, whole seconds) as a date. */
function readTime(der: Buffer, element: DerElement): Date {
  const text = der.subarray(element.contentStart, element.end).toString('latin1');
  const full = element.tag === 0x17 ? `${Number(text.slice(0, 2)) < 50 ? '20' : '19'}${text}` : text;
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(full);
  if (!m) throw new Error(`unsupported certificate time "${text}"`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** Where a certificate's subject and validity are (its DER). */
export function certificateSubjectAndValidity(der: Buffer): {
  readonly subject: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
} {
  // version [0], serialNumber, signature, issuer, validity, subject, ...
  const [, , , , validity, subject] = tbsFields(der);
  if (!validity || !subject) throw new Error('certificate without validity or subject');
  const [notBefore, notAfter] = children(der, validity);
  if (!notBefore || !notAfter) throw new Error('certificate validity without two times');
  return {
    subject: der.subarray(subject.start, subject.end),
    notBefore: readTime(der, notBefore),
    notAfter: readTime(der, notAfter),
  };
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
  return { certPem: toPem(der), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
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
  const caDer = pemToDer(ca.certPem);
  const issuer = certificateSubjectAndValidity(caDer);
  const { publicKey, privateKey } = newKeyPair();
  const notAfter = Math.min(now.getTime() + validityDays * DAY_MS, issuer.notAfter.getTime());
  const der = signedCertificate(
    {
      issuer: issuer.subject,
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
  return { certPem: toPem(der), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
