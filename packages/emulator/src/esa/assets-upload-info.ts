import type { OssBucket } from '../context.js';
import { signPolicyV1 } from '../oss/signature-v1.js';
import { objectPolicy } from './upload-info.js';

/** What an assets `OssPostConfig` is made of. */
export interface AssetsUploadInfoInput {
  readonly routine: string;
  readonly codeVersion: string;
  /** Epoch ms the policy is issued at. */
  readonly now: number;
  readonly policyTtlMs: number;
  readonly maxObjectSize: number;
  readonly bucket: OssBucket;
  /** The OSS server's base URL (`Url`). */
  readonly ossUrl: string;
}

/**
 * The `OssPostConfig` of `CreateRoutineWithAssetsCodeVersion`, with its exact keys: capitalised
 * `Key` and `Policy` (the legacy config's are lower-case), no callback, no `x:codeDescription`.
 * Clients send `Key` as the form field `key`, `Policy` as `policy` and `XOssSecurityToken` as
 * `x-oss-security-token`.
 */
export interface AssetsOssPostConfig {
  readonly Url: string;
  readonly Key: string;
  readonly Policy: string;
  readonly OSSAccessKeyId: string;
  readonly Signature: string;
  /** The STS token of the signing key; `''` because the emulated bucket's key is not STS. */
  readonly XOssSecurityToken: string;
}

/** The object key of an assets version's zip: `site_er_assets/<name>/<codeVersion>.zip`. */
export function assetsObjectKey(routine: string, codeVersion: string): string {
  return `site_er_assets/${routine}/${codeVersion}.zip`;
}

/**
 * Builds the signed PostObject form fields for one assets zip: the policy allows exactly its key
 * and 1 byte to `maxObjectSize`, and is signed like the staging upload info (OSS V1). Pure.
 */
export function buildAssetsOssPostConfig(input: AssetsUploadInfoInput): AssetsOssPostConfig {
  const key = assetsObjectKey(input.routine, input.codeVersion);
  const policy = objectPolicy(input, key);
  return {
    Url: input.ossUrl,
    Key: key,
    Policy: policy,
    OSSAccessKeyId: input.bucket.accessKeyId,
    Signature: signPolicyV1(policy, input.bucket.accessKeySecret),
    XOssSecurityToken: '',
  };
}
