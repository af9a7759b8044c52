import { EsaStageError } from '../errors.js';
import { isLoopbackHostname } from '../http/loopback.js';

/** OSS form fields whose values are secrets: never logged, never in an error. */
const SECRET_FIELDS = new Set(['Signature', 'policy', 'callback', 'x-oss-security-token']);

/** Adds the secret values of an upload's form fields (signature, policy, callback, token) to `secrets`. */
export function rememberSecretFields(target: PostTarget, secrets: { add(value: string): void }): void {
  for (const field of target.fields) if (SECRET_FIELDS.has(field.name)) secrets.add(field.value);
}

/** One form field of a PostObject upload, in the order it is sent. */
export interface FormField {
  readonly name: string;
  readonly value: string;
}

/** The upload target and the form fields to send before the file. */
export interface PostTarget {
  readonly url: string;
  readonly fields: readonly FormField[];
  readonly objectKey: string;
}

/** Field names OSS knows, by lower-cased name as ESA APIs spell them (`key`/`Key`, `XOssSecurityToken`). */
const CANONICAL_FIELD: Readonly<Record<string, string>> = {
  key: 'key',
  policy: 'policy',
  ossaccesskeyid: 'OSSAccessKeyId',
  signature: 'Signature',
  callback: 'callback',
  xosssecuritytoken: 'x-oss-security-token',
  'x-oss-security-token': 'x-oss-security-token',
};

const REQUIRED = ['key', 'policy', 'OSSAccessKeyId', 'Signature'] as const;

function invalid(message: string): EsaStageError {
  return new EsaStageError(`ESA returned unusable upload info: ${message}`, {
    code: 'InvalidUploadInfo',
    hint: 'this is unexpected from ESA; publish again, and report it if it persists',
  });
}

/**
 * Reads an `OssPostConfig` as ESA returns it (key case varies between APIs) into the target URL and
 * the ordered form fields: every entry but `Url`, in the order given, known names in OSS's spelling,
 * empty values (e.g. no security token) left out. Pure.
 */
export function readPostConfig(config: unknown): PostTarget {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw invalid('OssPostConfig is missing');
  let url: string | undefined;
  const fields: FormField[] = [];
  for (const [rawName, rawValue] of Object.entries(config)) {
    if (rawValue === null || rawValue === undefined || rawValue === '') continue;
    if (typeof rawValue !== 'string') throw invalid(`OssPostConfig.${rawName} is not a string`);
    if (rawName.toLowerCase() === 'url') {
      url = rawValue;
      continue;
    }
    fields.push({ name: CANONICAL_FIELD[rawName.toLowerCase()] ?? rawName, value: rawValue });
  }
  if (!url) throw invalid('OssPostConfig.Url is missing');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('OssPostConfig.Url is not a URL');
  }
  // The upload carries a signed policy: only over https, or plain http to this machine (an emulator).
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopbackHostname(parsed.hostname))) {
    throw invalid(
      `OssPostConfig.Url must be https (plain http only to a loopback host), got a ${parsed.protocol} URL to ${parsed.hostname}`,
    );
  }
  for (const name of REQUIRED) {
    if (!fields.some((f) => f.name === name)) throw invalid(`OssPostConfig.${name} is missing`);
  }
  const objectKey = fields.find((f) => f.name === 'key')?.value ?? '';
  return { url, fields, objectKey };
}
