import type { JsonObject } from '../esa/big-json.js';

/** How to send a request to the staging environment: its edge IPs and the routine's host. */
export interface StagingAccess {
  readonly host: string;
  readonly ips: readonly string[];
  /**
   * A ready command: `curl --resolve <host>:443:<ip> https://<host>/` (for an emulator: the port of
   * `ESA_STAGE_STAGING_PORT`, and `--cacert` with its CA from `NODE_EXTRA_CA_CERTS`).
   */
  readonly curl: string;
}

/** The IPv4 addresses a `GetRoutineStagingEnvIp` answer lists. Pure. */
export function readStagingIps(body: JsonObject): string[] {
  const ips = Array.isArray(body.IPV4) ? body.IPV4 : [];
  return ips.filter((ip): ip is string => typeof ip === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(ip));
}

/** How to reach staging, when both the host and an IP are known. Pure. */
export function stagingAccess(
  host: string | undefined,
  ips: readonly string[],
  reach: { readonly port: number; readonly caFile: string | undefined } = { port: 443, caFile: undefined },
): StagingAccess | undefined {
  const [ip] = ips;
  if (!host || !ip) return undefined;
  const { port, caFile } = reach;
  const cacert = caFile ? `--cacert ${/^[\w./-]+$/.test(caFile) ? caFile : JSON.stringify(caFile)} ` : '';
  const origin = port === 443 ? host : `${host}:${port}`;
  return { host, ips, curl: `curl ${cacert}--resolve ${host}:${port}:${ip} https://${origin}/` };
}
