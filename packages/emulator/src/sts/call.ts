import type { Caller, EmulatorContext } from '../context.js';
import type { NonceStore } from '../esa/nonce-store.js';
import type { Params } from '../esa/parse-request.js';

/** One STS request past the gateway checks (path, version, format, action), for its action. */
export interface StsCall {
  readonly ctx: EmulatorContext;
  readonly method: string;
  /** Query and form body parameters together, decoded. */
  readonly params: Params;
  readonly requestId: string;
  readonly nonces: NonceStore;
  /** Set by a signed action once its signature verified (for the request record). */
  readonly caller: Caller;
}

/** An STS action: the response body without `RequestId`, or a thrown `EsaApiError`. */
export type StsActionHandler = (call: StsCall) => Record<string, unknown>;

/** Whether a role ARN is one the emulator knows: in `ramRoles` or in an `oidc` trust. */
export function roleExists(ctx: EmulatorContext, roleArn: string): boolean {
  return ctx.options.ramRoles.includes(roleArn) || ctx.options.oidc.some((t) => t.roleArn === roleArn);
}
