import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Caller, type EmulatorContext, findSigningCredential, recordRequest } from '../context.js';
import { newRequestId } from '../ids.js';
import { ActionParams, ESA_ACTIONS } from './actions/index.js';
import { EsaApiError } from './errors.js';
import { serveGatewayCall } from './gateway-call.js';
import { NonceStore } from './nonce-store.js';
import { decodeBodyParams, decodeUrlEncoded, mergeParams, rawQuery, requestPath } from './parse-request.js';
import { headerText, verifyAcs3 } from './verify-acs3.js';

/** The only API version the emulator speaks. */
export const ESA_API_VERSION = '2024-09-10';

/** Largest OpenAPI request body accepted (every ESA parameter is small). */
export const MAX_ESA_BODY_BYTES = 1024 * 1024;

/** Parameter names never recorded, should a client send a secret as a parameter. */
const SECRET_PARAM = /secret|token|signature|password/i;

type Handle = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Runs one request past the gateway checks and into its action: path, ACS3 signature, nonce,
 * version, action, parameters. Returns the response body without `RequestId`, or throws
 * `EsaApiError`. Sets `caller` once the signature verified, and `parsed.params` once read.
 */
function dispatch(
  ctx: EmulatorContext,
  nonces: NonceStore,
  req: IncomingMessage,
  body: Buffer,
  action: string,
  caller: Caller,
  parsed: { params?: Readonly<Record<string, string>> },
): Record<string, unknown> {
  const target = req.url ?? '/';
  if (requestPath(target) !== '/') {
    throw new EsaApiError(
      404,
      'InvalidApi.NotFound',
      `Specified api is not found, please check your url and method: ${req.method} ${requestPath(target)}. ESA OpenAPI is RPC style on path /.`,
    );
  }
  const query = decodeUrlEncoded(rawQuery(target), 'query');
  const now = ctx.options.now();
  const verified = verifyAcs3(
    { method: req.method ?? 'GET', query, headers: req.headers, body },
    {
      findCredential: (accessKeyId) => findSigningCredential(ctx, accessKeyId),
      now,
      maxClockSkewMs: ctx.options.maxClockSkewMs,
    },
  );
  caller.accessKeyId = verified.credential.accessKeyId;
  caller.principal = verified.credential.principal;
  nonces.use(verified.nonce, now);
  const version = headerText(req.headers, 'x-acs-version');
  if (version !== ESA_API_VERSION) {
    throw new EsaApiError(
      400,
      'InvalidVersion',
      `Specified parameter Version is not valid: ESA OpenAPI is version ${ESA_API_VERSION}, got "${version}".`,
    );
  }
  const run = ESA_ACTIONS.get(action);
  if (!run) {
    throw new EsaApiError(
      404,
      'InvalidApi.NotFound',
      `Specified api is not found, please check your url and method: action "${action}" of ESA ${ESA_API_VERSION}.`,
    );
  }
  const params = mergeParams(query, decodeBodyParams(headerText(req.headers, 'content-type'), body));
  parsed.params = Object.fromEntries(Object.entries(params).filter(([name]) => !SECRET_PARAM.test(name)));
  return run(ctx, new ActionParams(params));
}

/** The ESA OpenAPI server: ACS3-HMAC-SHA256 RPC calls on `/`, answered from `ctx.state`. */
export function createEsaHandler(ctx: EmulatorContext): Handle {
  const nonces = new NonceStore(ctx.options.maxClockSkewMs);
  return async (req, res) => {
    const requestId = newRequestId();
    const action = headerText(req.headers, 'x-acs-action') ?? '';
    const hostId = headerText(req.headers, 'host') ?? 'esa.emulator';
    const caller: Caller = { accessKeyId: undefined, principal: undefined };
    const parsed: { params?: Readonly<Record<string, string>> } = {};
    await serveGatewayCall({
      req,
      res,
      effect: ctx.faults.take({ action }),
      requestId,
      hostId,
      product: 'ESA',
      maxBodyBytes: MAX_ESA_BODY_BYTES,
      record: (status, code) =>
        recordRequest(ctx, { service: 'esa', action, status, code, requestId, ...caller, ...parsed }),
      dispatch: (body) => dispatch(ctx, nonces, req, body, action, caller, parsed),
    });
  };
}
