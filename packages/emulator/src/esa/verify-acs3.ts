import type { IncomingHttpHeaders } from 'node:http';
import { computeAcs3Signature, parseAcs3Authorization, sha256Hex } from '@esa-stage/core/signing';
import { checkSecurityToken, equalText, type SigningCredential } from '../credentials.js';
import { badRequest, EsaApiError } from './errors.js';
import type { Params } from './parse-request.js';

/** What the verifier looks at: the request as received, the query decoded. */
export interface ReceivedRequest {
  readonly method: string;
  readonly query: Params;
  /** Node's `req.headers` (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface VerifyContext {
  /** The credential of an AccessKey ID: built-in, configured or issued by the STS server. */
  readonly findCredential: (accessKeyId: string) => SigningCredential | undefined;
  /** The emulator's clock, epoch ms. */
  readonly now: number;
  readonly maxClockSkewMs: number;
}

/** A request whose ACS3 signature checked out (the nonce is still to be checked). */
export interface VerifiedRequest {
  readonly credential: SigningCredential;
  readonly nonce: string;
}

/** Headers every ACS3 request must send and sign. */
export const REQUIRED_SIGNED_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
] as const;

const ACS_DATE_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const AUTHORIZATION_FORM =
  'ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2;...>,Signature=<64 lower-case hex>';

/** One header's value as text (Node gives arrays only for a few headers, never for these). */
export function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The epoch ms of a valid `x-acs-date`, or `undefined`. Rejects impossible dates like 02-30. */
export function parseAcsDate(value: string): number | undefined {
  if (!ACS_DATE_SHAPE.test(value)) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time) || `${new Date(time).toISOString().slice(0, 19)}Z` !== value) return undefined;
  return time;
}

function checkSignedHeaders(headers: IncomingHttpHeaders, signed: ReadonlySet<string>): void {
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (headerText(headers, name) === undefined) {
      throw badRequest('IncompleteSignature', `The request must carry the ${name} header.`);
    }
  }
  const mustSign = new Set<string>(REQUIRED_SIGNED_HEADERS);
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-acs-') || name === 'content-type') mustSign.add(name);
  }
  for (const name of [...mustSign].sort()) {
    if (!signed.has(name)) {
      throw badRequest(
        'IncompleteSignature',
        `The request signature does not conform to Aliyun standards: header ${name} is not in SignedHeaders.`,
      );
    }
  }
}

function findSigner(
  headers: IncomingHttpHeaders,
  accessKeyId: string,
  ctx: VerifyContext,
): SigningCredential {
  const credential = ctx.findCredential(accessKeyId);
  if (!credential) {
    throw new EsaApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  }
  // The SDK repeats the AccessKey ID in x-acs-accesskey-id with STS credentials. A different value
  // is refused; the real gateway's code for it is unknown, this one is a guess.
  const repeated = headerText(headers, 'x-acs-accesskey-id');
  if (repeated !== undefined && repeated !== accessKeyId) {
    throw badRequest(
      'InvalidAccessKeyId.Mismatch',
      'The x-acs-accesskey-id header does not name the AccessKey ID of the Authorization header.',
    );
  }
  checkSecurityToken(
    credential,
    headerText(headers, 'x-acs-security-token'),
    ctx.now,
    'the x-acs-security-token header',
  );
  return credential;
}

function checkDate(headers: IncomingHttpHeaders, ctx: VerifyContext): void {
  const value = headerText(headers, 'x-acs-date') ?? '';
  const time = parseAcsDate(value);
  if (time === undefined) {
    throw badRequest(
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value is not well formatted: x-acs-date must be YYYY-MM-DDTHH:mm:ssZ, got "${value.slice(0, 40)}".`,
    );
  }
  if (Math.abs(ctx.now - time) > ctx.maxClockSkewMs) {
    throw badRequest(
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired: x-acs-date ${value} is more than ${Math.round(ctx.maxClockSkewMs / 1000)}s away from the server time ${new Date(ctx.now).toISOString()}.`,
    );
  }
}

function checkPayloadHash(headers: IncomingHttpHeaders, body: Buffer): string {
  const claimed = headerText(headers, 'x-acs-content-sha256') ?? '';
  const actual = sha256Hex(body);
  // The real gateway's code for a wrong payload hash is unknown. It hashes the body it received into
  // the canonical request, so a wrong hash most likely surfaces as SignatureDoesNotMatch; we say why.
  if (claimed !== actual) {
    throw badRequest(
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation: x-acs-content-sha256 is not the lower-case hex sha256 of the ${body.length}-byte request body (server computed ${actual}).`,
    );
  }
  return claimed;
}

/**
 * Checks an ACS3-HMAC-SHA256 request in the gateway's order: Authorization shape, signed headers,
 * AccessKey and security token, date, payload hash, signature. Throws `EsaApiError`. Pure: the
 * nonce is returned for the caller to check once the signature holds.
 */
export function verifyAcs3(req: ReceivedRequest, ctx: VerifyContext): VerifiedRequest {
  const authorization = headerText(req.headers, 'authorization');
  if (authorization === undefined) {
    throw badRequest(
      'IncompleteSignature',
      'The request has no Authorization header; an ACS3-HMAC-SHA256 signature is required.',
    );
  }
  const auth = parseAcs3Authorization(authorization);
  if (!auth) {
    throw badRequest(
      'IncompleteSignature',
      `The request signature does not conform to Aliyun standards: the Authorization header must be "${AUTHORIZATION_FORM}".`,
    );
  }
  checkSignedHeaders(req.headers, new Set(auth.signedHeaders.map((n) => n.toLowerCase())));
  const credential = findSigner(req.headers, auth.accessKeyId, ctx);
  checkDate(req.headers, ctx);
  const payloadSha256 = checkPayloadHash(req.headers, req.body);
  const expected = computeAcs3Signature(
    {
      method: req.method,
      query: req.query,
      headers: req.headers,
      signedHeaders: auth.signedHeaders,
      payloadSha256,
    },
    credential.accessKeySecret,
  );
  if (!equalText(expected.signature, auth.signature)) {
    throw badRequest(
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation. server string to sign is:${expected.stringToSign}`,
    );
  }
  return { credential, nonce: headerText(req.headers, 'x-acs-signature-nonce') ?? '' };
}
