import { isIPv4 } from 'node:net';
import { resolve } from 'node:path';
import { isLoopbackHostname } from '@esa-stage/core';
import type { EmulatorCredential } from './credentials.js';
import { type OidcTrust, type ResolvedOidcTrust, resolveOidcTrusts, resolveRamRoles } from './sts/trust.js';

/** Options of {@link startEmulator}. Every field is optional. */
export interface EmulatorOptions {
  /**
   * Interface the servers listen on. Only loopback addresses are accepted: the emulator is a test
   * double and must never be reachable from another machine.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port of the ESA OpenAPI server; `0` picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * Port of the OSS PostObject server; `0` picks a free one.
   * @default 0
   */
  ossPort?: number;
  /**
   * Port of the STS server (`AssumeRole`, `AssumeRoleWithOIDC`); `0` picks a free one.
   * @default 0
   */
  stsPort?: number;
  /**
   * Port of the staging edge: HTTPS serving each routine's `staging` deployment (what
   * `GetRoutineStagingEnvIp`'s addresses point at); `0` picks a free one.
   * @default 0
   */
  stagingEdgePort?: number;
  /**
   * Port of the production edge: HTTPS serving each routine's `production` deployment; `0` picks
   * a free one.
   * @default 0
   */
  productionEdgePort?: number;
  /**
   * Directory of the local certificate authority that signs the edges' certificate: `ca.pem` (what
   * `NODE_EXTRA_CA_CERTS` should name) and `ca-key.pem` (mode 0600), kept when valid for at least
   * another day, else made anew. It must not be another user's nor writable by anyone.
   * @default a fresh temporary directory, removed by `close()`
   */
  caDir?: string;
  /**
   * Time limit of one edge request run by a routine, in ms (module loading included): past it
   * the request answers 504 and the routine's worker is replaced.
   * @default 10000
   */
  edgeRequestTimeoutMs?: number;
  /**
   * Heap limit of each routine's worker thread, in MB (`resourceLimits.maxOldGenerationSizeMb`):
   * a routine above it is stopped and its pending requests answer 500.
   * @default 128
   */
  edgeMemoryLimitMb?: number;
  /**
   * Random source the edges split a canary deployment's traffic with, as `Math.random` (a number
   * from 0 to 1, excluded): a request goes to the first version whose cumulated percentage is
   * above `edgeRandom() * 100`. Tests pass a fixed sequence.
   * @default Math.random
   */
  edgeRandom?: () => number;
  /**
   * Extra credentials the ESA server (and STS `AssumeRole`) accepts, besides the built-in test
   * AccessKey and STS triple. An AccessKey ID starting with `STS.` must come with its `securityToken`.
   * @default []
   */
  credentials?: readonly EmulatorCredential[];
  /**
   * The RAM roles that trust an OIDC identity provider: what STS `AssumeRoleWithOIDC` accepts. The
   * token's signature is never verified; its `exp`, and its `aud` / `iss` when the trust sets
   * `audience` / `issuer`, are.
   * @default [EMULATOR_OIDC_TRUST]
   */
  oidc?: readonly OidcTrust[];
  /**
   * The RAM role ARNs STS `AssumeRole` lets any accepted AccessKey assume. A role known only from
   * `oidc` exists but answers `NoPermission` to `AssumeRole`; any other answers `EntityNotExist.Role`.
   * @default [EMULATOR_ROLE_ARN]
   */
  ramRoles?: readonly string[];
  /**
   * Routines that exist from the start, as if created with `CreateRoutine`.
   * @default []
   */
  routines?: readonly string[];
  /**
   * Code versions one routine may keep (whatever their status) before `CommitRoutineStagingCode`,
   * `GetRoutineStagingCodeUploadInfo` and `CreateRoutineWithAssetsCodeVersion` answer
   * `CodeVersionNumberExceedQuotaLimit`.
   * @default 10
   */
  versionQuota?: number;
  /**
   * IPv4 addresses of the staging environment, as `GetRoutineStagingEnvIp` answers them in `IPV4`
   * (point a hosts file or a resolver at them to reach staging). Each must be a dotted IPv4 address.
   * The staging edge itself listens on `host`, port `stagingEdge.port` of the started emulator
   * (`ESA_STAGE_STAGING_PORT` from the command): keep the default to reach it.
   * @default [host] when `host` is a dotted IPv4 address, else ['127.0.0.1']
   */
  stagingIps?: readonly string[];
  /**
   * Largest `x-acs-date` (ESA) or `Timestamp` (STS) skew from the emulator's clock, in
   * milliseconds, before `InvalidTimeStamp.Expired`; signature nonces are remembered for as long.
   * @default 900000 (15 minutes)
   */
  maxClockSkewMs?: number;
  /**
   * How long the OSS policy handed out by `GetRoutineStagingCodeUploadInfo` and
   * `CreateRoutineWithAssetsCodeVersion` stays valid, in ms.
   * @default 3600000 (1 hour)
   */
  policyTtlMs?: number;
  /**
   * Largest object the OSS server accepts, in bytes (`EntityTooLarge` above it). The upload info
   * policy's `content-length-range` uses the same bound.
   * @default 5368709120 (5 GiB, as OSS)
   */
  maxObjectSize?: number;
  /**
   * How long the build of an uploaded assets zip takes, in ms of the emulator's clock (`now`): its
   * version stays `init` until then, and becomes `available` (or `failed`) at the first query
   * after it. `0` settles it at the first query after the upload.
   * @default 0
   */
  assetsReadyDelayMs?: number;
  /**
   * How long the OSS server waits for a callback answer before `CallbackFailed`, in ms.
   * @default 5000
   */
  callbackTimeoutMs?: number;
  /**
   * Refuse PostObject requests sent with `Transfer-Encoding: chunked` (no `Content-Length`) with
   * `MissingContentLength`. Real OSS accepts them; turn this on to prove a client sends a length.
   * @default false
   */
  requireContentLength?: boolean;
  /**
   * Fixed latency added before every request of every server is handled, in ms (benchmarks).
   * @default 0
   */
  latencyMs?: number;
  /**
   * The emulator's clock, in epoch milliseconds. Tests move it to expire policies and dates.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Receives one line per request (method, action or path, status, error code). Never secrets.
   * @default undefined (silent)
   */
  log?: (line: string) => void;
}

/** Options with every default applied. */
export interface ResolvedEmulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly ossPort: number;
  readonly stsPort: number;
  readonly stagingEdgePort: number;
  readonly productionEdgePort: number;
  readonly caDir: string | undefined;
  readonly edgeRequestTimeoutMs: number;
  readonly edgeMemoryLimitMb: number;
  readonly edgeRandom: () => number;
  readonly credentials: readonly EmulatorCredential[];
  readonly oidc: readonly ResolvedOidcTrust[];
  readonly ramRoles: readonly string[];
  readonly routines: readonly string[];
  readonly versionQuota: number;
  readonly stagingIps: readonly string[];
  readonly maxClockSkewMs: number;
  readonly policyTtlMs: number;
  readonly maxObjectSize: number;
  readonly assetsReadyDelayMs: number;
  readonly callbackTimeoutMs: number;
  readonly requireContentLength: boolean;
  readonly latencyMs: number;
  readonly now: () => number;
  readonly log: ((line: string) => void) | undefined;
}

/**
 * A copy of the `stagingIps` option, checked: an array of dotted IPv4 addresses. Absent: the
 * address the staging edge listens on (`host`) when it is a dotted IPv4 one, else `127.0.0.1`.
 */
function resolveStagingIps(ips: readonly string[] | undefined, host: string): readonly string[] {
  if (ips === undefined) return [isIPv4(host) ? host : '127.0.0.1'];
  if (!Array.isArray(ips)) {
    throw new TypeError(`esa-stage emulator: stagingIps must be an array of IPv4 addresses`);
  }
  for (const ip of ips) {
    if (typeof ip !== 'string' || !isIPv4(ip)) {
      throw new RangeError(
        `esa-stage emulator: stagingIps must hold IPv4 addresses, got ${JSON.stringify(ip)}`,
      );
    }
  }
  return [...ips];
}

/** Applies defaults and rejects values that make no sense, naming the option. */
export function resolveEmulatorOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHostname(host)) {
    throw new RangeError(`esa-stage emulator: host must be a loopback address, got "${host}"`);
  }
  const resolved: ResolvedEmulatorOptions = {
    host,
    port: options.port ?? 0,
    ossPort: options.ossPort ?? 0,
    stsPort: options.stsPort ?? 0,
    stagingEdgePort: options.stagingEdgePort ?? 0,
    productionEdgePort: options.productionEdgePort ?? 0,
    // Absolute, so the CA path handed out (NODE_EXTRA_CA_CERTS) works from any directory.
    caDir: typeof options.caDir === 'string' && options.caDir !== '' ? resolve(options.caDir) : options.caDir,
    edgeRequestTimeoutMs: options.edgeRequestTimeoutMs ?? 10_000,
    edgeMemoryLimitMb: options.edgeMemoryLimitMb ?? 128,
    edgeRandom: options.edgeRandom ?? Math.random,
    credentials: options.credentials ?? [],
    oidc: resolveOidcTrusts(options.oidc),
    ramRoles: resolveRamRoles(options.ramRoles),
    routines: options.routines ?? [],
    versionQuota: options.versionQuota ?? 10,
    stagingIps: resolveStagingIps(options.stagingIps, host),
    maxClockSkewMs: options.maxClockSkewMs ?? 15 * 60_000,
    policyTtlMs: options.policyTtlMs ?? 60 * 60_000,
    maxObjectSize: options.maxObjectSize ?? 5 * 1024 ** 3,
    assetsReadyDelayMs: options.assetsReadyDelayMs ?? 0,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 5000,
    requireContentLength: options.requireContentLength ?? false,
    latencyMs: options.latencyMs ?? 0,
    now: options.now ?? Date.now,
    log: options.log,
  };
  for (const name of ['port', 'ossPort', 'stsPort', 'stagingEdgePort', 'productionEdgePort'] as const) {
    const v = resolved[name];
    if (!Number.isInteger(v) || v < 0 || v > 65535) {
      throw new RangeError(`esa-stage emulator: ${name} must be an integer from 0 to 65535, got ${v}`);
    }
  }
  for (const name of [
    'versionQuota',
    'maxClockSkewMs',
    'policyTtlMs',
    'maxObjectSize',
    'callbackTimeoutMs',
    'edgeRequestTimeoutMs',
    'edgeMemoryLimitMb',
  ] as const) {
    const v = resolved[name];
    if (!Number.isFinite(v) || v <= 0) {
      throw new RangeError(`esa-stage emulator: ${name} must be a positive number, got ${v}`);
    }
  }
  for (const name of ['latencyMs', 'assetsReadyDelayMs'] as const) {
    const v = resolved[name];
    if (!Number.isFinite(v) || v < 0) {
      throw new RangeError(`esa-stage emulator: ${name} must be zero or more, got ${v}`);
    }
  }
  if (resolved.caDir !== undefined && (typeof resolved.caDir !== 'string' || resolved.caDir === '')) {
    throw new TypeError('esa-stage emulator: caDir must be a directory path');
  }
  if (typeof resolved.edgeRandom !== 'function') {
    throw new TypeError('esa-stage emulator: edgeRandom must be a function like Math.random');
  }
  return resolved;
}
