/** Integers with this many digits or more lose precision as JS numbers (2^53 has 16 digits). */
const UNSAFE_DIGITS = 16;

/**
 * Wraps every integer literal of 16 or more digits outside strings in quotes, so `JSON.parse`
 * keeps its exact digits as a string. ESA's `CodeVersion` is a 19-digit id; the API sends it as a
 * string, but its docs show it as a number, and a client must not round it either way.
 */
export function quoteLargeIntegers(json: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    const isDigit = c >= 0x30 && c <= 0x39;
    if (!isDigit && c !== 0x2d) continue;
    let end = i + 1;
    while (end < json.length && /[0-9]/.test(json.charAt(end))) end++;
    const token = json.slice(i, end);
    const digits = token.startsWith('-') ? token.length - 1 : token.length;
    const isInteger = !/[.eE]/.test(json.charAt(end));
    if (digits >= UNSAFE_DIGITS && isInteger) {
      out += `${json.slice(last, i)}"${token}"`;
      last = end;
    }
    i = end - 1;
  }
  return out + json.slice(last);
}

/** A JSON object, as ESA answers. */
export type JsonObject = { readonly [key: string]: unknown };

/** Parses an ESA JSON body keeping long integers exact; undefined when it is not a JSON object. */
export function parseEsaJson(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(quoteLargeIntegers(text));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}
