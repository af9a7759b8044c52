import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { EsaStageError, StsError } from '../errors.js';
import { type JsonObject, parseEsaJson } from '../esa/big-json.js';
import { isRetryableEsaFailure, retryAfterOf } from '../esa/retry.js';
import { requestSignal, toNetworkError, withDeadline } from '../http/abort.js';
import { openDispatcher } from '../http/dispatcher.js';
import type { ProxySettings } from '../http/proxy-settings.js';
import { isRetryableNetworkError, withRetries } from '../http/retry-loop.js';
import type { Logger } from '../log/logger.js';
import type { Credentials } from '../options/types.js';
import { canonicalQueryString } from '../signing/percent-encode.js';
import { computeRpcV1Signature, formatRpcTimestamp } from '../signing/rpc-v1.js';
import { USER_AGENT } from '../version.js';

export const STS_API_VERSION = '2015-04-01';

/** One exchange for temporary credentials: with an OIDC token, or with an AccessKey (`AssumeRole`). */
export type StsExchange = {
  readonly endpoint: string;
  readonly roleArn: string;
  readonly roleSessionName: string;
  /** 900 to 43200. */
  readonly durationSeconds: number;
} & (
  | { readonly action: 'AssumeRoleWithOIDC'; readonly oidcProviderArn: string; readonly oidcToken: string }
  | { readonly action: 'AssumeRole'; readonly credentials: Credentials }
);

/** Temporary credentials from STS. */
export interface StsCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  readonly expiration: Date;
  /** `acs:ram::<account>:assumed-role/<role>/<session>`, when STS said. */
  readonly assumedRoleArn: string | undefined;
  readonly requestId: string;
}

export interface StsCallOptions {
  readonly proxy: ProxySettings;
  readonly timeout: number;
  readonly retries: number;
  readonly signal?: AbortSignal | undefined;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

/** The query and form body of an exchange; `AssumeRole` is signed with the legacy RPC signature. Pure given date and nonce. */
export function buildStsRequest(
  exchange: StsExchange,
  date: Date,
  nonce: string,
): { query: Record<string, string>; body: Record<string, string> } {
  const query: Record<string, string> = {
    Action: exchange.action,
    Version: STS_API_VERSION,
    Format: 'JSON',
    Timestamp: formatRpcTimestamp(date),
  };
  const body: Record<string, string> = {
    RoleArn: exchange.roleArn,
    RoleSessionName: exchange.roleSessionName,
    DurationSeconds: String(exchange.durationSeconds),
  };
  if (exchange.action === 'AssumeRoleWithOIDC') {
    body.OIDCProviderArn = exchange.oidcProviderArn;
    body.OIDCToken = exchange.oidcToken;
    return { query, body };
  }
  query.AccessKeyId = exchange.credentials.accessKeyId;
  query.SignatureMethod = 'HMAC-SHA1';
  query.SignatureVersion = '1.0';
  query.SignatureNonce = nonce;
  if (exchange.credentials.securityToken) query.SecurityToken = exchange.credentials.securityToken;
  query.Signature = computeRpcV1Signature(
    'POST',
    { ...query, ...body },
    exchange.credentials.accessKeySecret,
  );
  return { query, body };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function record(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** What to do about the STS error codes an exchange can meet. */
export function stsHint(code: string, action: string): string {
  if (code.startsWith('AuthenticationFail.OIDCToken') || code.startsWith('InvalidParameter.OIDCToken')) {
    return 'the OIDC token is expired, malformed or for another audience: in GitHub Actions give the job `permissions: id-token: write` and fetch a fresh token for the audience your RAM OIDC provider expects';
  }
  if (
    code.startsWith('AuthenticationFail') ||
    code.startsWith('EntityNotExist') ||
    code.startsWith('NoPermission')
  ) {
    return action === 'AssumeRoleWithOIDC'
      ? "check ALIBABA_CLOUD_ROLE_ARN and ALIBABA_CLOUD_OIDC_PROVIDER_ARN, and that the role's trust policy lets this OIDC provider (and this token's subject) assume it"
      : "check the profile's ram_role_arn, and that the role's trust policy lets this AccessKey's account assume it";
  }
  if (code === 'SignatureDoesNotMatch' || code.startsWith('InvalidAccessKeyId')) {
    return "the profile's access_key_id / access_key_secret are wrong: fix them with `aliyun configure`";
  }
  if (code.startsWith('InvalidTimeStamp')) return "this machine's clock is off: sync it";
  if (code.startsWith('InvalidParameter') || code.startsWith('Missing')) {
    return 'STS refused a parameter (the message says which): check the role ARN, the session name (2-64 of letters, digits, `.@-_`) and the duration (900-43200 s)';
  }
  return 'STS failed to issue credentials: the message says why; retry later, and report the request id if it persists';
}

async function exchangeOnce(
  dispatcher: Dispatcher,
  exchange: StsExchange,
  options: StsCallOptions,
): Promise<StsCredentials> {
  const url = new URL(exchange.endpoint);
  const { query, body } = buildStsRequest(
    exchange,
    options.now?.() ?? new Date(),
    randomBytes(16).toString('hex'),
  );
  let status: number;
  let headers: Dispatcher.ResponseData['headers'];
  let text: string;
  try {
    const response = await withDeadline(
      dispatcher.request({
        origin: url.origin,
        method: 'POST',
        path: `/?${canonicalQueryString(query)}`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'user-agent': USER_AGENT,
        },
        body: canonicalQueryString(body),
        signal: requestSignal(options.signal, options.timeout),
      }),
      options.timeout,
    );
    status = response.statusCode;
    headers = response.headers;
    text = await response.body.text();
  } catch (error) {
    throw toNetworkError(error, `STS ${exchange.action}`, options.signal, options.timeout);
  }
  const json = parseEsaJson(text);
  const headerId = headers['x-acs-request-id'];
  const requestId = str(json?.RequestId) ?? (typeof headerId === 'string' ? headerId : '');
  const issued = record(json?.Credentials);
  const expiration = Date.parse(str(issued?.Expiration) ?? '');
  if (status >= 200 && status < 300 && issued) {
    const accessKeyId = str(issued.AccessKeyId);
    const accessKeySecret = str(issued.AccessKeySecret);
    const securityToken = str(issued.SecurityToken);
    if (accessKeyId && accessKeySecret && securityToken && Number.isFinite(expiration)) {
      return {
        accessKeyId,
        accessKeySecret,
        securityToken,
        expiration: new Date(expiration),
        assumedRoleArn: str(record(json?.AssumedRoleUser)?.Arn),
        requestId,
      };
    }
  }
  if (status >= 200 && status < 300) {
    throw new EsaStageError(`STS ${exchange.action} answered ${status} without complete credentials`, {
      code: 'InvalidResponse',
      requestId: requestId || undefined,
      hint: 'something between here and STS (a proxy, a captive portal) changed the answer: check the STS endpoint',
    });
  }
  const code = str(json?.Code) ?? `HTTP${status}`;
  const message = str(json?.Message) ?? (json ? 'no message' : `STS answered HTTP ${status}`);
  throw new StsError(`STS ${exchange.action} failed: ${message}`, {
    code,
    status,
    action: exchange.action,
    requestId: requestId || undefined,
    hint: stsHint(code, exchange.action),
    retryAfterMs: retryAfterOf(headers, Date.now()),
  });
}

/**
 * Exchanges an OIDC token or an AccessKey for temporary credentials at STS (RPC, API 2015-04-01):
 * `AssumeRoleWithOIDC` unsigned, `AssumeRole` with the legacy HMAC-SHA1 signature, as Alibaba's
 * SDKs send them. Network errors, 5xx and throttling are retried; STS's refusals are an
 * {@link StsError} with its code, request id and a hint.
 */
export async function exchangeWithSts(
  exchange: StsExchange,
  options: StsCallOptions,
): Promise<StsCredentials> {
  const dispatcher = await openDispatcher({ proxy: options.proxy });
  try {
    return await withRetries(() => exchangeOnce(dispatcher, exchange, options), {
      what: `STS ${exchange.action}`,
      retries: options.retries,
      isRetryable: (error) =>
        (error instanceof StsError && isRetryableEsaFailure(error.status, error.code)) ||
        isRetryableNetworkError(error),
      logger: options.logger,
      signal: options.signal,
      timeout: options.timeout,
    });
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}
