import { createHash, createHmac } from 'node:crypto';
import { canonicalQueryString } from './percent-encode.js';

/** The algorithm name that starts both the string to sign and the Authorization header. */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** The hex sha256 of an empty payload. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** What ACS3 signs: everything about a request except the secret. Header names in any case. */
export interface Acs3Input {
  /** HTTP method, any case. */
  readonly method: string;
  /** Decoded query parameters (RPC style: the canonical URI is always `/`). */
  readonly query: Readonly<Record<string, string>>;
  /** Request headers; the ones named in `signedHeaders` must be present. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Lower-case names of the headers to sign. */
  readonly signedHeaders: readonly string[];
  /** Lower-case hex sha256 of the exact body bytes (`x-acs-content-sha256`). */
  readonly payloadSha256: string;
}

/** Every intermediate of an ACS3 signature, so a verifier can explain a mismatch. */
export interface Acs3Signature {
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  /** Lower-case header names, sorted, joined with `;`. */
  readonly signedHeaders: string;
  /** Lower-case hex HMAC-SHA256. */
  readonly signature: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `x-acs-date` format: `YYYY-MM-DDTHH:mm:ssZ` in UTC, without milliseconds. */
export function formatAcsDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The names ACS3 requires a client to sign among `headers`: `host`, `content-type` and every
 * `x-acs-*` header, lower-cased and sorted.
 */
export function headersToSign(headers: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort();
}

function headerValue(
  headers: Acs3Input['headers'],
  lowerName: string,
): string | readonly string[] | undefined {
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === lowerName) return headers[name];
  }
  return undefined;
}

/** `name:value\n` for each signed header; several values of one header are sorted and joined with `,`. */
function canonicalHeaderBlock(headers: Acs3Input['headers'], names: readonly string[]): string {
  return names
    .map((name) => {
      const raw = headerValue(headers, name);
      const values = typeof raw === 'string' ? [raw] : [...(raw ?? [])].sort();
      return `${name}:${values.map((v) => v.trim()).join(',')}\n`;
    })
    .join('');
}

/** Computes an ACS3-HMAC-SHA256 signature. Pure: the same input and secret give the same output. */
export function computeAcs3Signature(input: Acs3Input, accessKeySecret: string): Acs3Signature {
  const names = [...new Set(input.signedHeaders.map((n) => n.toLowerCase()))].sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    '/',
    canonicalQueryString(input.query),
    canonicalHeaderBlock(input.headers, names),
    signedHeaders,
    input.payloadSha256,
  ].join('\n');
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', accessKeySecret).update(stringToSign).digest('hex');
  return { canonicalRequest, stringToSign, signedHeaders, signature };
}

/** The `Authorization` header value: no spaces after the commas, the bare AccessKey ID as credential. */
export function formatAcs3Authorization(accessKeyId: string, sig: Acs3Signature): string {
  return `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${sig.signedHeaders},Signature=${sig.signature}`;
}

/** The three parts of an ACS3 `Authorization` header, or `undefined` when it is not of that shape. */
export interface Acs3Authorization {
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTHORIZATION_SHAPE =
  /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([^,\s]+),Signature=([0-9a-f]{64})$/;

export function parseAcs3Authorization(value: string): Acs3Authorization | undefined {
  const match = AUTHORIZATION_SHAPE.exec(value);
  if (!match) return undefined;
  const [, accessKeyId = '', signed = '', signature = ''] = match;
  return { accessKeyId, signedHeaders: signed.split(';'), signature };
}
