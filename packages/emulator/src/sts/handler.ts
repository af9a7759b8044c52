import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Caller, type EmulatorContext, recordRequest } from '../context.js';
import { EsaApiError } from '../esa/errors.js';
import { serveGatewayCall } from '../esa/gateway-call.js';
import { NonceStore } from '../esa/nonce-store.js';
import {
  decodeBodyParams,
  decodeUrlEncoded,
  mergeParams,
  rawQuery,
  requestPath,
} from '../esa/parse-request.js';
import { headerText } from '../esa/verify-acs3.js';
import { newRequestId } from '../ids.js';
import { assumeRole } from './assume-role.js';
import { assumeRoleWithOidc } from './assume-role-with-oidc.js';
import type { StsActionHandler } from './call.js';

/** The only STS API version the emulator speaks. */
export const STS_API_VERSION = '2015-04-01';

/** Largest STS request body accepted (an OIDC token is at most 20,000 characters). */
export const MAX_STS_BODY_BYTES = 256 * 1024;

/** The STS actions the emulator answers. */
export const STS_ACTIONS: ReadonlyMap<string, StsActionHandler> = new Map([
  ['AssumeRole', assumeRole],
  ['AssumeRoleWithOIDC', assumeRoleWithOidc],
]);

type Handle = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The `Action` of a query, read leniently (for fault matching before the strict parse). */
function queryAction(target: string): string {
  return new URLSearchParams(rawQuery(target)).get('Action') ?? '';
}

/**
 * Runs one request past the gateway checks and into its action: path, method, parameters (query
 * and form body merged), `Version`, `Format`, `Action`. Sets `seen.action` to the `Action` found.
 */
function dispatch(
  ctx: EmulatorContext,
  nonces: NonceStore,
  req: IncomingMessage,
  body: Buffer,
  requestId: string,
  seen: { action: string; caller: Caller },
): Record<string, unknown> {
  const target = req.url ?? '/';
  const method = req.method ?? 'GET';
  if (requestPath(target) !== '/') {
    throw new EsaApiError(
      404,
      'InvalidApi.NotFound',
      `Specified api is not found, please check your url and method: ${method} ${requestPath(target)}. STS is RPC style on path /.`,
    );
  }
  if (method !== 'GET' && method !== 'POST') {
    throw new EsaApiError(400, 'UnsupportedHTTPMethod', `Specified http method ${method} is not supported.`);
  }
  const params = mergeParams(
    decodeUrlEncoded(rawQuery(target), 'query'),
    decodeBodyParams(headerText(req.headers, 'content-type'), body),
  );
  seen.action = params.Action ?? '';
  if (params.Version !== STS_API_VERSION) {
    throw new EsaApiError(
      400,
      'InvalidVersion',
      `Specified parameter Version is not valid: STS is version ${STS_API_VERSION}, got ${JSON.stringify(params.Version ?? null)}.`,
    );
  }
  if (params.Format !== undefined && params.Format.toUpperCase() !== 'JSON') {
    throw new EsaApiError(
      400,
      'InvalidParameter.Format',
      `Specified parameter Format is not valid: the emulator answers JSON only, got "${params.Format.slice(0, 20)}".`,
    );
  }
  const run = STS_ACTIONS.get(seen.action);
  if (!run) {
    throw new EsaApiError(
      404,
      'InvalidApi.NotFound',
      `Specified api is not found, please check your url and method: action "${seen.action}" of STS ${STS_API_VERSION} (the emulator answers ${[...STS_ACTIONS.keys()].join(', ')}).`,
    );
  }
  return run({ ctx, method, params, requestId, nonces, caller: seen.caller });
}

/**
 * The STS server: `AssumeRole` (legacy RPC HMAC-SHA1 signature) and `AssumeRoleWithOIDC`
 * (unsigned) on `/`, issuing credentials the ESA server accepts until they expire.
 */
export function createStsHandler(ctx: EmulatorContext): Handle {
  const nonces = new NonceStore(ctx.options.maxClockSkewMs);
  return async (req, res) => {
    const requestId = newRequestId();
    const hostId = headerText(req.headers, 'host') ?? 'sts.emulator';
    const seen = {
      action: queryAction(req.url ?? '/'),
      caller: { accessKeyId: undefined, principal: undefined } as Caller,
    };
    await serveGatewayCall({
      req,
      res,
      effect: ctx.faults.take({ stsAction: seen.action }),
      requestId,
      hostId,
      product: 'Sts',
      maxBodyBytes: MAX_STS_BODY_BYTES,
      record: (status, code) =>
        recordRequest(ctx, { service: 'sts', action: seen.action, status, code, requestId, ...seen.caller }),
      dispatch: (body) => dispatch(ctx, nonces, req, body, requestId, seen),
    });
  };
}
