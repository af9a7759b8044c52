import type { JsonObject } from '../esa/big-json.js';

/** How to send a request to the staging environment: its edge IPs and the routine's host. */
export interface StagingAccess {
  readonly host: string;
  readonly ips: readonly string[];
  /** A ready command: `curl --resolve <host>:443:<ip> https://<host>/`. */
  readonly curl: string;
}

/** The IPv4 addresses a `GetRoutineStagingEnvIp` answer lists. Pure. */
export function readStagingIps(body: JsonObject): string[] {
  const ips = Array.isArray(body.IPV4) ? body.IPV4 : [];
  return ips.filter((ip): ip is string => typeof ip === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(ip));
}

/** How to reach staging, when both the host and an IP are known. Pure. */
export function stagingAccess(host: string | undefined, ips: readonly string[]): StagingAccess | undefined {
  const [ip] = ips;
  if (!host || !ip) return undefined;
  return { host, ips, curl: `curl --resolve ${host}:443:${ip} https://${host}/` };
}
