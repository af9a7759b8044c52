/** The index after the run of ASCII digits that starts at `from`. */
function skipDigits(json: string, from: number): number {
  let end = from;
  while (end < json.length) {
    const d = json.charCodeAt(end);
    if (d < 0x30 || d > 0x39) break;
    end++;
  }
  return end;
}

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
    // A whole JSON number: -?int(.frac)?([eE][+-]?exp)?. Only a bare integer is quoted; the digits
    // of a fraction or an exponent belong to their number, never to a token of their own.
    let end = skipDigits(json, i + 1);
    const intEnd = end;
    if (json.charCodeAt(end) === 0x2e) end = skipDigits(json, end + 1);
    const e = json.charCodeAt(end);
    if (e === 0x65 || e === 0x45) {
      const sign = json.charCodeAt(end + 1);
      end = skipDigits(json, sign === 0x2b || sign === 0x2d ? end + 2 : end + 1);
    }
    const digits = intEnd - i - (c === 0x2d ? 1 : 0);
    if (digits >= UNSAFE_DIGITS && end === intEnd) {
      out += `${json.slice(last, i)}"${json.slice(i, end)}"`;
      last = end;
    }
    i = end - 1;
  }
  return out + json.slice(last);
}

/** A JSON object, as ESA answers. */
export type JsonObject = { readonly [key: string]: unknown };

/**
 * A bare JSON number stands after `:`, `[` or `,` (and whitespace). When no run of 16 digits does,
 * there is nothing to quote and the scan is skipped: a routine's code in a `GetRoutineCodeVersion`
 * answer is megabytes of string the scan would walk a character at a time.
 */
const MAYBE_LARGE_INTEGER = /[:[,]\s*-?\d{16}/;

/** Parses an ESA JSON body keeping long integers exact; undefined when it is not a JSON object. */
export function parseEsaJson(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(MAYBE_LARGE_INTEGER.test(text) ? quoteLargeIntegers(text) : text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}
