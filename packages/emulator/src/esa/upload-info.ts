import { signPolicyV1 } from '../oss/signature-v1.js';

/** What an `OssPostConfig` is made of. */
export interface UploadInfoInput {
  readonly routine: string;
  readonly codeVersion: string;
  readonly description: string;
  /** Epoch ms the policy is issued at. */
  readonly now: number;
  readonly policyTtlMs: number;
  readonly maxObjectSize: number;
  readonly bucket: { readonly name: string; readonly accessKeyId: string; readonly accessKeySecret: string };
  /** The OSS server's base URL (`Url`). */
  readonly ossUrl: string;
  /** Where OSS posts the upload callback. */
  readonly callbackUrl: string;
}

/** The map ESA answers, with its exact mixed-case keys. */
export interface OssPostConfig {
  readonly Url: string;
  readonly OSSAccessKeyId: string;
  readonly Signature: string;
  readonly policy: string;
  readonly key: string;
  readonly callback: string;
  readonly 'x:codeDescription': string;
}

/**
 * The callback body template. OSS replaces each `${var}` by a JSON string literal in JSON mode,
 * except `${size}`, a bare number.
 */
export const CALLBACK_BODY =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: OSS callback variables, not a JS template.
  '{"object":${object},"size":${size},"etag":${etag},"mimeType":${mimeType},"codeDescription":${x:codeDescription}}';

/** A value as base64 of its JSON text (policies, callbacks). */
export function base64Json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

/** What a PostObject policy is issued from: its time, its lifetime, the size bound and the bucket. */
export interface PolicyInput {
  readonly now: number;
  readonly policyTtlMs: number;
  readonly maxObjectSize: number;
  readonly bucket: { readonly name: string };
}

/**
 * A PostObject policy (base64 JSON) allowing exactly `key`, 1 byte to `maxObjectSize`, and the
 * `extra` conditions. Pure.
 */
export function objectPolicy(input: PolicyInput, key: string, extra: readonly unknown[] = []): string {
  return base64Json({
    expiration: new Date(input.now + input.policyTtlMs).toISOString(),
    conditions: [
      { bucket: input.bucket.name },
      ['eq', '$key', key],
      ['content-length-range', 1, input.maxObjectSize],
      ...extra,
    ],
  });
}

/** The object key ESA signs a policy for: `site_er_js/<name>.<codeVersion>.unstable.js`. */
export function stagingObjectKey(routine: string, codeVersion: string): string {
  return `site_er_js/${routine}.${codeVersion}.unstable.js`;
}

/** Builds the signed PostObject form fields for one staging upload. Pure. */
export function buildOssPostConfig(input: UploadInfoInput): OssPostConfig {
  const key = stagingObjectKey(input.routine, input.codeVersion);
  const codeDescription = Buffer.from(input.description, 'utf8').toString('base64');
  const callback = base64Json({
    callbackUrl: input.callbackUrl,
    callbackBody: CALLBACK_BODY,
    callbackBodyType: 'application/json',
  });
  const policy = objectPolicy(input, key, [{ callback }, ['eq', '$x:codeDescription', codeDescription]]);
  return {
    Url: input.ossUrl,
    OSSAccessKeyId: input.bucket.accessKeyId,
    Signature: signPolicyV1(policy, input.bucket.accessKeySecret),
    policy,
    key,
    callback,
    'x:codeDescription': codeDescription,
  };
}
