import {
  configuredCredential,
  type EmulatorCredential,
  findCredential,
  type SigningCredential,
} from './credentials.js';
import type { FaultInjector } from './faults.js';
import type { ResolvedEmulatorOptions } from './options.js';
import type { EmulatorState, RequestRecord } from './state.js';

/** The emulated OSS bucket and the key that signs the policies ESA hands out for it. */
export interface OssBucket {
  readonly name: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** What the servers share. */
export interface EmulatorContext {
  readonly options: ResolvedEmulatorOptions;
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  /** Built-in test credentials first, then the configured ones. */
  readonly credentials: readonly EmulatorCredential[];
  readonly bucket: OssBucket;
  /**
   * Base URLs without a trailing slash, set once the servers listen; the edges' are
   * `https://<host>:<port>`.
   */
  readonly endpoints: { esa: string; oss: string; sts: string; stagingEdge: string; productionEdge: string };
  /** The PEM file of the CA that signs the edges' certificate (`NODE_EXTRA_CA_CERTS`). */
  readonly caPath: string;
}

/**
 * The credential of an AccessKey ID: a built-in or configured one, else one the STS server issued
 * (expired ones included: the token check answers `InvalidSecurityToken.Expired` for them).
 */
export function findSigningCredential(
  ctx: EmulatorContext,
  accessKeyId: string,
): SigningCredential | undefined {
  const configured = findCredential(ctx.credentials, accessKeyId);
  return configured ? configuredCredential(configured) : ctx.state.issuedCredentials.get(accessKeyId);
}

/** Who signed a request, filled in once its signature verified (for the request record). */
export interface Caller {
  accessKeyId: string | undefined;
  principal: string | undefined;
}

/**
 * A record to log: the identity fields and the parameters may be left out when no signature was
 * verified; the time is added.
 */
export type RequestRecordInput = Omit<RequestRecord, 'accessKeyId' | 'principal' | 'params' | 'at'> &
  Partial<Pick<RequestRecord, 'accessKeyId' | 'principal' | 'params'>>;

/** Path of the ESA server's internal route that receives OSS upload callbacks. */
export const CALLBACK_PATH = '/__emulator/oss-callback';

/** Records a finished request and logs its line. Never pass secrets in any field. */
export function recordRequest(ctx: EmulatorContext, input: RequestRecordInput): void {
  const record: RequestRecord = {
    ...input,
    accessKeyId: input.accessKeyId ?? undefined,
    principal: input.principal ?? undefined,
    params: input.params ?? undefined,
    at: ctx.state.clock(),
  };
  ctx.state.requests.push(record);
  ctx.options.log?.(
    `${record.service} ${record.action} ${record.status}${record.code ? ` ${record.code}` : ''} ${record.requestId}`,
  );
}
