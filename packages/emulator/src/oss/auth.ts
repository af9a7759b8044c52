import type { OssBucket } from '../context.js';
import { OssError } from './errors.js';
import type { FormFields } from './post-form.js';
import { policySignatureMatches } from './signature-v1.js';

const V1_FIELDS = ['ossaccesskeyid', 'policy', 'signature'] as const;

/**
 * Checks a PostObject form's V1 authentication: `OSSAccessKeyId`, `policy` and `Signature` all
 * three (field names in any case), the bucket's AccessKey, and the signature over the exact policy
 * string. Returns the policy string; throws the OSS error otherwise.
 */
export function checkPostAuthV1(fields: FormFields, bucket: OssBucket): string {
  const [accessKeyId, policy, signature] = V1_FIELDS.map((name) => fields.get(name));
  const present = [accessKeyId, policy, signature].filter((v) => v !== undefined).length;
  if (present === 0) {
    if (fields.has('x-oss-signature') || fields.has('x-oss-signature-version')) {
      throw new OssError(
        'NotImplemented',
        501,
        'The esa-stage emulator does not implement V4 POST signatures; send OSSAccessKeyId, policy and Signature.',
      );
    }
    throw new OssError('AccessDenied', 403, 'You have no right to access this object because of bucket acl.');
  }
  if (accessKeyId === undefined || policy === undefined || signature === undefined) {
    const missing = V1_FIELDS.find((name) => !fields.has(name)) ?? 'policy';
    const argumentName = { ossaccesskeyid: 'OSSAccessKeyId', policy: 'policy', signature: 'Signature' }[
      missing
    ];
    throw new OssError(
      'InvalidArgument',
      400,
      'Bucket POST must contain all the fields OSSAccessKeyId, policy and Signature, or none of them.',
      { ArgumentName: argumentName, ArgumentValue: '' },
    );
  }
  if (accessKeyId !== bucket.accessKeyId) {
    throw new OssError(
      'InvalidAccessKeyId',
      403,
      'The OSS Access Key Id you provided does not exist in our records.',
      { OSSAccessKeyId: accessKeyId },
    );
  }
  if (!policySignatureMatches(policy, signature, bucket.accessKeySecret)) {
    throw new OssError(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      {
        OSSAccessKeyId: accessKeyId,
        StringToSign: policy,
        StringToSignBytes: [...Buffer.from(policy, 'utf8')]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join(' '),
      },
    );
  }
  return policy;
}
