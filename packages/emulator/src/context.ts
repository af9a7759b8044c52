import type { EmulatorCredential } from './credentials.js';
import type { FaultInjector } from './faults.js';
import type { ResolvedEmulatorOptions } from './options.js';
import type { EmulatorState, RequestRecord } from './state.js';

/** The emulated OSS bucket and the key that signs the policies ESA hands out for it. */
export interface OssBucket {
  readonly name: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** What both servers share. */
export interface EmulatorContext {
  readonly options: ResolvedEmulatorOptions;
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  /** Built-in test credentials first, then the configured ones. */
  readonly credentials: readonly EmulatorCredential[];
  readonly bucket: OssBucket;
  /** Base URLs without a trailing slash, set once both servers listen. */
  readonly endpoints: { esa: string; oss: string };
}

/** Path of the ESA server's internal route that receives OSS upload callbacks. */
export const CALLBACK_PATH = '/__emulator/oss-callback';

/** Records a finished request and logs its line. Never pass secrets in any field. */
export function recordRequest(ctx: EmulatorContext, record: RequestRecord): void {
  ctx.state.requests.push(record);
  ctx.options.log?.(
    `${record.service} ${record.action} ${record.status}${record.code ? ` ${record.code}` : ''} ${record.requestId}`,
  );
}
