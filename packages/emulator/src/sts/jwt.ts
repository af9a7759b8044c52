import { EsaApiError } from '../esa/errors.js';

/** The claims of an OIDC token the STS server looks at. */
export interface OidcClaims {
  readonly iss: string;
  readonly sub: string;
  /** `aud` as a list (a string `aud` is a list of one). */
  readonly aud: readonly string[];
  /** Expiry, epoch seconds. */
  readonly exp: number;
  /** Issue time, epoch seconds, when present. */
  readonly iat: number | undefined;
}

/** `AuthenticationFail.OIDCToken.Invalid` (401), with one of STS's documented messages. */
export function invalidToken(message: string): EsaApiError {
  return new EsaApiError(401, 'AuthenticationFail.OIDCToken.Invalid', message);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UNRECOGNISED = 'The Jwt content is invalid that cannot be recognized.';

function decodeJsonPart(part: string, what: string): Record<string, unknown> {
  if (!BASE64URL.test(part)) {
    throw invalidToken(
      `Cannot decode base64 encoded response(format invalided): the ${what} is not base64url.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken(`${UNRECOGNISED} The ${what} is not JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidToken(`${UNRECOGNISED} The ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function stringClaim(payload: Record<string, unknown>, name: string): string {
  const value = payload[name];
  if (typeof value !== 'string' || value === '') {
    throw invalidToken(`${UNRECOGNISED} The payload has no "${name}" string.`);
  }
  return value;
}

function audience(payload: Record<string, unknown>): string[] {
  const value = payload.aud;
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((a) => typeof a !== 'string' || a === '')) {
    throw invalidToken(`${UNRECOGNISED} The payload's "aud" must be a string or an array of strings.`);
  }
  return list as string[];
}

/** A number of seconds since the epoch that a `Date` can hold. */
function isEpochSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(new Date(value * 1000).getTime());
}

/**
 * Decodes a JWT's header and payload, as STS does before it checks them. Its signature is NOT
 * verified (the emulator has no provider keys): only its shape, three base64url parts, the last
 * of which may be empty. The payload must carry `iss`, `sub`, `aud` and a numeric `exp`.
 * Throws `AuthenticationFail.OIDCToken.Invalid` (401).
 */
export function decodeOidcToken(token: string): OidcClaims {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw invalidToken("The number of Jwt field should be divided into 3 parts with '.' .");
  }
  const [header = '', payloadPart = '', signature = ''] = parts;
  if (signature !== '' && !BASE64URL.test(signature)) {
    throw invalidToken(
      'Cannot decode base64 encoded response(format invalided): the signature is not base64url.',
    );
  }
  const alg = decodeJsonPart(header, 'header').alg;
  if (typeof alg !== 'string' || alg === '') {
    throw invalidToken(`${UNRECOGNISED} The header has no "alg".`);
  }
  const payload = decodeJsonPart(payloadPart, 'payload');
  const exp = payload.exp;
  if (!isEpochSeconds(exp)) {
    throw invalidToken(`${UNRECOGNISED} The payload has no "exp" date in epoch seconds.`);
  }
  const iat = payload.iat;
  return {
    iss: stringClaim(payload, 'iss'),
    sub: stringClaim(payload, 'sub'),
    aud: audience(payload),
    exp,
    iat: isEpochSeconds(iat) ? iat : undefined,
  };
}
