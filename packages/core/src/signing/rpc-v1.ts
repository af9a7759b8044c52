import { createHmac } from 'node:crypto';
import { canonicalQueryString, percentEncode } from './percent-encode.js';

/**
 * The legacy RPC signature (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`) that STS
 * `AssumeRole` still takes: HMAC-SHA1 keyed with `secret + "&"` over
 * `METHOD & enc("/") & enc(canonical query)`, where the canonical query holds every query and form
 * parameter except `Signature`. Base64. Pure.
 */
export function computeRpcV1Signature(
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
): string {
  const { Signature: _ignored, ...signed } = params;
  const stringToSign = `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQueryString(signed))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** `yyyy-MM-ddTHH:mm:ssZ`, the RPC `Timestamp` format. Pure. */
export function formatRpcTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
