import type { Deployment, EmulatorState, Routine } from '../state.js';
import { normalizeHost, ROUTINE_DOMAIN } from './hosts.js';

/** The routine a request is for, or the status and reason the edge refuses it with. */
export type EdgeRoute =
  | { readonly ok: true; readonly routine: Routine }
  | { readonly ok: false; readonly status: 400 | 404 | 421; readonly message: string };

/**
 * The routine whose host (`defaultRelatedRecord`) both the TLS SNI servername and the `Host`
 * header name (compared without case, the Host's port and a trailing dot). No SNI, or SNI and
 * Host naming different hosts: 421 Misdirected Request. No Host: 400. A host of no routine: 404.
 */
export function routeEdgeRequest(
  state: EmulatorState,
  sni: string | undefined,
  hostHeader: string | undefined,
): EdgeRoute {
  const sniHost = normalizeHost(sni);
  const host = normalizeHost(hostHeader);
  if (sniHost === undefined) {
    return {
      ok: false,
      status: 421,
      message: `the TLS handshake named no server (no SNI); connect with the routine's host as servername, e.g. curl --resolve <name>.${ROUTINE_DOMAIN}:<port>:127.0.0.1 https://<name>.${ROUTINE_DOMAIN}:<port>/`,
    };
  }
  if (host === undefined) return { ok: false, status: 400, message: 'the request has no Host header' };
  if (host !== sniHost) {
    return {
      ok: false,
      status: 421,
      message: `the TLS SNI servername "${sniHost}" and the Host header "${host}" name different hosts`,
    };
  }
  const suffix = `.${ROUTINE_DOMAIN}`;
  const routine = host.endsWith(suffix) ? state.routines.get(host.slice(0, -suffix.length)) : undefined;
  if (!routine || routine.defaultRelatedRecord !== host) {
    return {
      ok: false,
      status: 404,
      message: `no routine has the host "${host}" (a routine's host is <name>.${ROUTINE_DOMAIN})`,
    };
  }
  return { ok: true, routine };
}

/**
 * The code version of `deployment` that takes a request: the first whose cumulated percentage is
 * above `random() * 100` (`random` in [0, 1), as `Math.random`). One version at 100% always wins.
 */
export function pickCodeVersion(deployment: Deployment, random: () => number): string {
  const point = Math.min(Math.max(random(), 0), 1) * 100;
  let cumulated = 0;
  for (const { codeVersion, percentage } of deployment.codeVersions) {
    cumulated += percentage;
    if (point < cumulated) return codeVersion;
  }
  const last = deployment.codeVersions.at(-1);
  if (!last) throw new Error('a deployment without code versions');
  return last.codeVersion;
}
