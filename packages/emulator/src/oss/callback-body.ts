import type { CallbackBodyType } from './callback-config.js';
import { OssError } from './errors.js';

/** The system variables of a callback body. */
export interface CallbackVariables {
  readonly bucket: string;
  readonly object: string;
  readonly etag: string;
  readonly size: number;
  readonly mimeType: string;
}

/** Custom variables: the `x:<name>` form fields, keyed by lower-case field name. */
export type CustomVariables = ReadonlyMap<string, string>;

/** A body that names `${imageInfo.*}`: the object is not an image, so the callback fails. */
export class ImageInfoUnavailableError extends Error {
  constructor() {
    super('Get image info failed.');
    this.name = 'ImageInfoUnavailableError';
  }
}

const SYSTEM = new Set(['bucket', 'object', 'etag', 'size', 'mimeType']);
const IMAGE_INFO = new Set(['imageInfo.height', 'imageInfo.width', 'imageInfo.format']);

function invalidVariable(message: string): OssError {
  return new OssError('InvalidArgument', 400, message, { ArgumentName: 'callbackBody' });
}

function encode(value: string | number, bodyType: CallbackBodyType): string {
  if (bodyType === 'application/json')
    return typeof value === 'number' ? String(value) : JSON.stringify(value);
  return encodeURIComponent(String(value));
}

/**
 * Replaces `${bucket}`, `${object}`, `${etag}`, `${size}`, `${mimeType}` and `${x:var}` in a
 * callback body: percent-encoded for the form type, JSON literals for the JSON type (`${size}` a bare
 * number). Other text, such as `$(filename)`, passes through. An unknown or unclosed `${…}` throws
 * `InvalidArgument`; `${imageInfo.*}` throws {@link ImageInfoUnavailableError}.
 */
export function substituteCallbackBody(
  template: string,
  bodyType: CallbackBodyType,
  variables: CallbackVariables,
  custom: CustomVariables,
): string {
  let out = '';
  let at = 0;
  for (;;) {
    const start = template.indexOf('${', at);
    if (start === -1) return out + template.slice(at);
    const end = template.indexOf('}', start + 2);
    if (end === -1)
      throw invalidVariable(`The callbackBody has an unclosed variable: ${template.slice(start)}`);
    const name = template.slice(start + 2, end);
    out += template.slice(at, start);
    if (SYSTEM.has(name)) {
      out += encode(variables[name as keyof CallbackVariables], bodyType);
    } else if (/^x:[^\s{}$]+$/i.test(name)) {
      out += encode(custom.get(name.toLowerCase()) ?? '', bodyType);
    } else if (IMAGE_INFO.has(name)) {
      throw new ImageInfoUnavailableError();
    } else {
      throw invalidVariable(`The callbackBody uses an unknown variable: \${${name}}`);
    }
    at = end + 1;
  }
}

/** The custom callback variables of a form: every `x:` field, keyed by lower-case name. */
export function customVariables(fields: ReadonlyMap<string, string>): CustomVariables {
  return new Map([...fields].filter(([name]) => name.startsWith('x:')));
}
