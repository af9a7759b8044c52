import { createHmac } from 'node:crypto';
import { canonicalQueryString, percentEncode } from '@esa-stage/core/signing';
import { checkSecurityToken, equalText, type SigningCredential } from '../credentials.js';
import { badRequest, EsaApiError } from '../esa/errors.js';
import type { Params } from '../esa/parse-request.js';
import { parseAcsDate } from '../esa/verify-acs3.js';

/** What the legacy RPC verifier needs besides the request. */
export interface RpcVerifyContext {
  /** The credential of an AccessKey ID: built-in, configured or issued by the STS server. */
  readonly findCredential: (accessKeyId: string) => SigningCredential | undefined;
  /** The emulator's clock, epoch ms. */
  readonly now: number;
  readonly maxClockSkewMs: number;
}

/** A request whose signature checked out (the nonce is still to be checked). */
export interface VerifiedRpcRequest {
  readonly credential: SigningCredential;
  readonly nonce: string;
}

/** The prefix of `SignatureDoesNotMatch` messages; `@alicloud/credentials` reads what follows it. */
export const SIGNATURE_MISMATCH_PREFIX =
  'Specified signature is not matched with our calculation. server string to sign is:';

/**
 * The legacy RPC (HMAC-SHA1, `SignatureVersion=1.0`) string to sign: `METHOD&%2F&` and the
 * percent-encoded canonical query of every parameter (query and form body) but `Signature`.
 */
export function rpcStringToSign(method: string, params: Params): string {
  const signed = Object.fromEntries(Object.entries(params).filter(([name]) => name !== 'Signature'));
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalQueryString(signed))}`;
}

/** `base64(HMAC-SHA1(secret + "&", stringToSign))`. */
export function rpcSignature(stringToSign: string, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** A common parameter that must be there, else the POP gateway's `Missing<Name>` (400). */
function common(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') {
    throw badRequest(`Missing${name}`, `${name} is mandatory for this action.`);
  }
  return value;
}

function checkMethod(params: Params): void {
  const method = common(params, 'SignatureMethod');
  if (method !== 'HMAC-SHA1') {
    throw badRequest(
      'InvalidSignatureMethod',
      `Specified signature method is not supported: SignatureMethod must be HMAC-SHA1, got "${method.slice(0, 40)}".`,
    );
  }
  const version = common(params, 'SignatureVersion');
  if (version !== '1.0') {
    throw badRequest(
      'InvalidSignatureVersion',
      `Specified signature version is not supported: SignatureVersion must be 1.0, got "${version.slice(0, 40)}".`,
    );
  }
}

/**
 * Checks `Timestamp` (`yyyy-MM-ddTHH:mm:ssZ`, UTC) against the emulator's clock:
 * `InvalidTimeStamp.Format` or `InvalidTimeStamp.Expired` (400).
 */
export function checkTimestamp(value: string, now: number, maxClockSkewMs: number): void {
  const time = parseAcsDate(value);
  if (time === undefined) {
    throw badRequest(
      'InvalidTimeStamp.Format',
      `Specified time stamp or date value is not well formatted: Timestamp must be yyyy-MM-ddTHH:mm:ssZ, got "${value.slice(0, 40)}".`,
    );
  }
  if (Math.abs(now - time) > maxClockSkewMs) {
    throw badRequest(
      'InvalidTimeStamp.Expired',
      `Specified time stamp or date value is expired: Timestamp ${value} is more than ${Math.round(maxClockSkewMs / 1000)}s away from the server time ${new Date(now).toISOString()}.`,
    );
  }
}

/**
 * Checks a legacy RPC signature (what STS `AssumeRole` is signed with) in the gateway's order:
 * signature method and version, AccessKey and security token, timestamp, nonce present, signature.
 * `params` are the query and form body parameters together, decoded. Throws `EsaApiError`. Pure:
 * the nonce is returned for the caller to check once the signature holds.
 */
export function verifyRpcSignature(
  method: string,
  params: Params,
  ctx: RpcVerifyContext,
): VerifiedRpcRequest {
  checkMethod(params);
  const accessKeyId = common(params, 'AccessKeyId');
  const credential = ctx.findCredential(accessKeyId);
  if (!credential) {
    throw new EsaApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  }
  checkSecurityToken(credential, params.SecurityToken, ctx.now, 'the SecurityToken parameter');
  checkTimestamp(common(params, 'Timestamp'), ctx.now, ctx.maxClockSkewMs);
  const nonce = common(params, 'SignatureNonce');
  const signature = common(params, 'Signature');
  const stringToSign = rpcStringToSign(method, params);
  if (!equalText(rpcSignature(stringToSign, credential.accessKeySecret), signature)) {
    throw badRequest('SignatureDoesNotMatch', `${SIGNATURE_MISMATCH_PREFIX}${stringToSign}`);
  }
  return { credential, nonce };
}
