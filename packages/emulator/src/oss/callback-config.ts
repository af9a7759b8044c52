import { OssError } from './errors.js';

/** Largest `callback` field OSS accepts (5 KB). */
export const MAX_CALLBACK_PARAM_BYTES = 5 * 1024;
/** Most URLs one `callbackUrl` may list, separated by `;`. */
export const MAX_CALLBACK_URLS = 5;

export type CallbackBodyType = 'application/x-www-form-urlencoded' | 'application/json';

/** A decoded, validated `callback` form field. */
export interface CallbackConfig {
  /** Tried in order until one succeeds. */
  readonly urls: readonly URL[];
  readonly host: string | undefined;
  readonly body: string;
  readonly bodyType: CallbackBodyType;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BODY_TYPES: readonly string[] = ['application/x-www-form-urlencoded', 'application/json'];

/** InvalidArgument (400) naming the `callback` argument. */
export function callbackArgumentError(message: string, value: string): OssError {
  return new OssError('InvalidArgument', 400, message, { ArgumentName: 'callback', ArgumentValue: value });
}

function notJson(value: string): OssError {
  return callbackArgumentError('The callback configuration is not json format.', value);
}

function decodeJsonObject(value: string): Record<string, unknown> {
  if (Buffer.byteLength(value) > MAX_CALLBACK_PARAM_BYTES || !BASE64.test(value) || value === '') {
    throw notJson(value);
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'base64'));
    const json = JSON.parse(text) as unknown;
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      return json as Record<string, unknown>;
    }
  } catch {
    // Reported below.
  }
  throw notJson(value);
}

function parseUrls(raw: unknown, value: string): URL[] {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw callbackArgumentError('The callbackUrl is missing in the callback configuration.', value);
  }
  const parts = raw
    .split(';')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (parts.length > MAX_CALLBACK_URLS) {
    throw callbackArgumentError(`The callbackUrl can contain at most ${MAX_CALLBACK_URLS} URLs.`, value);
  }
  return parts.map((text) => {
    let url: URL;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
    } catch {
      throw callbackArgumentError(`The callbackUrl "${text}" is not a valid URL.`, value);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw callbackArgumentError(`The callbackUrl "${text}" is not an http or https URL.`, value);
    }
    return url;
  });
}

/**
 * Decodes the `callback` form field (base64 of a JSON object, at most 5 KB) and validates it.
 * Throws `InvalidArgument` (400) with `ArgumentName` `callback`.
 */
export function parseCallbackConfig(value: string): CallbackConfig {
  const json = decodeJsonObject(value);
  const urls = parseUrls(json.callbackUrl, value);
  const { callbackHost, callbackBody, callbackBodyType } = json;
  if (callbackHost !== undefined && typeof callbackHost !== 'string') throw notJson(value);
  if (typeof callbackBody !== 'string' || callbackBody === '') {
    throw callbackArgumentError('The callbackBody is missing in the callback configuration.', value);
  }
  const bodyType = callbackBodyType ?? 'application/x-www-form-urlencoded';
  if (typeof bodyType !== 'string' || !BODY_TYPES.includes(bodyType.toLowerCase())) {
    throw callbackArgumentError(
      'The callbackBodyType must be application/x-www-form-urlencoded or application/json.',
      value,
    );
  }
  return {
    urls,
    host: callbackHost === '' ? undefined : callbackHost,
    body: callbackBody,
    bodyType: bodyType.toLowerCase() as CallbackBodyType,
  };
}
