import type { EmulatorContext } from '../context.js';
import type { StoredObject } from '../state.js';
import { checkPostAuthV1 } from './auth.js';
import { customVariables, ImageInfoUnavailableError, substituteCallbackBody } from './callback-body.js';
import { type CallbackConfig, parseCallbackConfig } from './callback-config.js';
import { OssError } from './errors.js';
import {
  checkPolicyContentLength,
  checkPolicyExpiration,
  checkPolicyFields,
  decodePolicy,
  entityTooLarge,
  type PostPolicy,
  policyMaxSize,
} from './policy.js';
import type { FormFields, ReceivedFile } from './post-form.js';

/** The decisions taken when the `file` part starts, before any byte of it is kept. */
export interface UploadPlan {
  readonly key: string;
  readonly policy: PostPolicy;
  readonly callback: CallbackConfig | undefined;
  /** The largest file to keep: the bucket limit and every `content-length-range`. */
  readonly maxSize: number;
}

const KEY_MISSING =
  "The bucket POST must contain the specified 'key'. If it is specified, please check the order of the fields";

export function keyMissingError(): OssError {
  return new OssError('InvalidArgument', 400, KEY_MISSING, { ArgumentName: 'key', ArgumentValue: '' });
}

function checkKey(key: string): void {
  if (Buffer.byteLength(key) > 1023 || key.startsWith('/') || key.startsWith('\\') || /[\r\n]/.test(key)) {
    throw new OssError('InvalidObjectName', 400, 'The specified object is not valid.', {
      ArgumentName: 'key',
      ArgumentValue: key,
    });
  }
}

/** Parses the callback field and dry-runs its body, so a bad one is refused before storing. */
function checkCallback(fields: FormFields): CallbackConfig | undefined {
  const value = fields.get('callback');
  if (value === undefined) return undefined;
  const config = parseCallbackConfig(value);
  const sample = { bucket: '', object: '', etag: '', size: 0, mimeType: '' };
  try {
    substituteCallbackBody(config.body, config.bodyType, sample, customVariables(fields));
  } catch (error) {
    // Not an image: the callback itself fails later, after the object is stored.
    if (!(error instanceof ImageInfoUnavailableError)) throw error;
  }
  return config;
}

/**
 * Everything OSS checks before it keeps the file: `key`, V1 auth and signature, the policy
 * (expiration and every field condition) and the callback. Throws the OSS error.
 */
export function planUpload(ctx: EmulatorContext, fields: FormFields): UploadPlan {
  const key = fields.get('key');
  if (key === undefined || key === '') throw keyMissingError();
  const policyText = checkPostAuthV1(fields, ctx.bucket);
  const policy = decodePolicy(policyText);
  checkPolicyExpiration(policy, ctx.options.now());
  checkPolicyFields(policy, (field) => (field === 'bucket' ? ctx.bucket.name : (fields.get(field) ?? '')));
  checkKey(key);
  const callback = checkCallback(fields);
  return { key, policy, callback, maxSize: Math.min(ctx.options.maxObjectSize, policyMaxSize(policy)) };
}

/** Checks the received file's size, then stores it. Throws the OSS error. */
export function storeUpload(
  ctx: EmulatorContext,
  plan: UploadPlan,
  fields: FormFields,
  fieldNames: readonly string[],
  file: ReceivedFile,
): StoredObject {
  if (file.overLimit || file.size > ctx.options.maxObjectSize) throw entityTooLarge();
  checkPolicyContentLength(plan.policy, file.size);
  if (fields.get('x-oss-forbid-overwrite')?.toLowerCase() === 'true' && ctx.state.objects.has(plan.key)) {
    throw new OssError(
      'FileAlreadyExists',
      409,
      'The object you specified already exists and can not be overwritten.',
    );
  }
  const object: StoredObject = {
    key: plan.key,
    bytes: file.bytes,
    size: file.size,
    sha256: file.sha256,
    etag: file.md5,
    contentType: objectContentType(fields, file),
    fieldNames,
    storedAt: ctx.state.clock(),
  };
  ctx.state.objects.set(plan.key, object);
  return object;
}

/**
 * The object's Content-Type: the form's `Content-Type` field, else the file part's own type. A
 * part without a Content-Type header (esa-cli's shape) is reported by busboy as `text/plain`;
 * without a filename either, it is stored as `application/octet-stream`.
 */
function objectContentType(fields: FormFields, file: ReceivedFile): string {
  const field = fields.get('content-type');
  if (field !== undefined && field !== '') return field;
  if (file.filename === undefined && file.mimeType === 'text/plain') return 'application/octet-stream';
  return file.mimeType || 'application/octet-stream';
}
