/**
 * The domain of every routine's default host, `<name>.emulator.er.aliyun-esa.net` (its
 * `DefaultRelatedRecord`). The edges' certificate names it and `*.` it.
 */
export const ROUTINE_DOMAIN = 'emulator.er.aliyun-esa.net';

/**
 * The DNS names of the edges' server certificate. A routine name is one DNS label (`CreateRoutine`
 * takes lower-case letters, digits and hyphens, never a dot), so `*.` covers every routine's host.
 */
export const EDGE_CERTIFICATE_NAMES: readonly string[] = [`*.${ROUTINE_DOMAIN}`, ROUTINE_DOMAIN];

/** The host of routine `name`: `<name>.emulator.er.aliyun-esa.net`. */
export function routineHost(name: string): string {
  return `${name}.${ROUTINE_DOMAIN}`;
}

/**
 * A host name for comparison: lower-case, without the port of a `Host` header and without a
 * trailing dot. Undefined for a missing or empty one. An IPv6 literal (`[::1]:443`) keeps its
 * brackets (no routine is reached by address).
 */
export function normalizeHost(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let host = value.trim().toLowerCase();
  if (!host.startsWith('[')) host = host.replace(/:\d*$/, '');
  else host = host.replace(/(\])(?::\d*)?$/, '$1');
  host = host.replace(/\.$/, '');
  return host === '' ? undefined : host;
}
