/**
 * RFC 3986 percent-encoding as Alibaba Cloud's signers use it: UTF-8, upper-case hex, only
 * `A-Z a-z 0-9 - _ . ~` left as they are (so a space is `%20`, never `+`, and `*` is `%2A`).
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Parameters as `name=value` pairs, percent-encoded and sorted by name, joined with `&`.
 * This is both the canonical query string of ACS3 and a valid wire encoding of a query or
 * `application/x-www-form-urlencoded` body, so what is sent and what is signed are the same bytes.
 */
export function canonicalQueryString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .map((name) => [percentEncode(name), percentEncode(params[name] ?? '')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}
