import { badRequest } from './errors.js';

/** Parameters of one request by name, decoded. */
export type Params = Readonly<Record<string, string>>;

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw badRequest('InvalidParameter', `malformed percent-encoding in "${text.slice(0, 64)}"`);
  }
}

/**
 * Decodes `a=1&b=2` (a query string without `?`, or an `application/x-www-form-urlencoded` body).
 * A name given twice is refused: ESA's clients never do it, and the signature could not say which
 * value was meant.
 */
export function decodeUrlEncoded(text: string, where: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    if (Object.hasOwn(params, name)) {
      throw badRequest('InvalidParameter', `parameter ${name} appears more than once in the ${where}`);
    }
    params[name] = value;
  }
  return params;
}

/** A JSON body's top-level members as parameters: scalars as text, objects and arrays as JSON. */
function decodeJsonBody(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('InvalidParameter', 'the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('InvalidParameter', 'a JSON request body must be an object');
  }
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (value === null || value === undefined) continue;
    params[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return params;
}

/** The parameters carried by a body, by its content type; other bodies carry none. */
export function decodeBodyParams(contentType: string | undefined, body: Buffer): Record<string, string> {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) return {};
  if (type === 'application/x-www-form-urlencoded') return decodeUrlEncoded(body.toString('utf8'), 'body');
  if (type === 'application/json') return decodeJsonBody(body.toString('utf8'));
  return {};
}

/** Query and body parameters together; a name in both is refused like a repeated name. */
export function mergeParams(query: Params, body: Params): Params {
  for (const name of Object.keys(body)) {
    if (Object.hasOwn(query, name)) {
      throw badRequest('InvalidParameter', `parameter ${name} is given in both the query and the body`);
    }
  }
  return { ...query, ...body };
}

/** The query part of a request target (`/?a=1` → `a=1`), without decoding it. */
export function rawQuery(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? '' : target.slice(q + 1);
}

/** The path part of a request target, without the query. */
export function requestPath(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}
