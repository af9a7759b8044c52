import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * OSS PostObject V1 signature: base64(HMAC-SHA1(AccessKeySecret, policy)), where `policy` is the
 * exact base64 string sent in the form's `policy` field.
 */
export function signPolicyV1(policyBase64: string, accessKeySecret: string): string {
  return createHmac('sha1', accessKeySecret).update(policyBase64, 'utf8').digest('base64');
}

/** Constant-time comparison of a received V1 signature with the expected one. */
export function policySignatureMatches(
  policyBase64: string,
  signature: string,
  accessKeySecret: string,
): boolean {
  const expected = Buffer.from(signPolicyV1(policyBase64, accessKeySecret));
  const received = Buffer.from(signature);
  return expected.length === received.length && timingSafeEqual(expected, received);
}
