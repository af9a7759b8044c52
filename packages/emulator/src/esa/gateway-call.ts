import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultEffect } from '../faults.js';
import { applyFaultDelayAndDrop, BodyTooLargeError, readBody, sendJson } from '../http.js';
import { asApiError, EsaApiError, type PopProduct, sendEsaError } from './errors.js';

/** One call to a POP gateway (the ESA OpenAPI or STS), as its handler has identified it. */
export interface GatewayCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The fault the rules give this call (delay, drop, error, drop after processing). */
  readonly effect: FaultEffect;
  readonly requestId: string;
  readonly hostId: string;
  readonly product: PopProduct;
  readonly maxBodyBytes: number;
  /** Notes the outcome in the request log (called once, answered or not). */
  record(status: number, code: string | undefined): void;
  /** Checks the call and runs its action on the body: the JSON answer, or a thrown `EsaApiError`. */
  dispatch(body: Buffer): Record<string, unknown>;
}

/**
 * Serves one gateway call: applies its fault, reads the body, dispatches, and answers JSON with the
 * request id, or the gateway's error body. Under a `dropAfterProcessing` fault the call is handled
 * and recorded, but never answered.
 */
export async function serveGatewayCall(call: GatewayCall): Promise<void> {
  const { res, effect, requestId } = call;
  const answer = (send: () => void): void => {
    if (effect.dropAfterProcessing) res.socket?.destroy();
    else send();
  };
  const fail = (error: EsaApiError): void => {
    answer(() => sendEsaError(res, error, requestId, call.hostId, call.product));
    call.record(error.status, error.code);
  };
  if (await applyFaultDelayAndDrop(effect, res)) return;
  if (effect.error) {
    if (effect.error.retryAfterSeconds !== undefined)
      res.setHeader('retry-after', String(effect.error.retryAfterSeconds));
    fail(new EsaApiError(effect.error.status, effect.error.code, effect.error.message));
    return;
  }
  let result: Record<string, unknown>;
  try {
    result = call.dispatch(await readBody(call.req, call.maxBodyBytes));
  } catch (error) {
    // A body over the limit was not read to its end: the connection cannot be reused.
    if (error instanceof BodyTooLargeError) res.setHeader('connection', 'close');
    fail(asApiError(error));
    return;
  }
  answer(() => sendJson(res, 200, { RequestId: requestId, ...result }, requestId));
  call.record(200, undefined);
}
