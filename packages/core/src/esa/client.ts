import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { EsaError, EsaStageError } from '../errors.js';
import { requestSignal, toNetworkError, withDeadline } from '../http/abort.js';
import { openDispatcher } from '../http/dispatcher.js';
import type { ProxySettings } from '../http/proxy-settings.js';
import { isRetryableNetworkError, withRetries } from '../http/retry-loop.js';
import type { Logger } from '../log/logger.js';
import type { Credentials } from '../options/types.js';
import {
  computeAcs3Signature,
  formatAcs3Authorization,
  formatAcsDate,
  headersToSign,
  sha256Hex,
} from '../signing/acs3.js';
import { canonicalQueryString } from '../signing/percent-encode.js';
import { USER_AGENT } from '../version.js';
import { type JsonObject, parseEsaJson } from './big-json.js';
import { JsonFieldDigest } from './json-field-digest.js';
import { isRetryableEsaFailure, retryAfterOf } from './retry.js';

export const ESA_API_VERSION = '2024-09-10';

export interface EsaClientOptions {
  /** Origin of the OpenAPI, e.g. `https://esa.cn-hangzhou.aliyuncs.com`. */
  readonly endpoint: string;
  readonly credentials: Credentials;
  /** The proxy variables in force. */
  readonly proxy: ProxySettings;
  /** Per-request time limit, ms. */
  readonly timeout: number;
  /** Retries of a retryable failure. */
  readonly retries: number;
  readonly signal?: AbortSignal | undefined;
  readonly logger: Logger;
  /** Removes secrets from an answer's text before any of it is kept in an error. @default identity */
  readonly redact?: (text: string) => string;
  /** Injectable for tests. @default Math.random */
  readonly random?: () => number;
  /** Injectable for tests. @default () => new Date() */
  readonly now?: () => Date;
}

/** How one call may differ from the client's defaults. */
export interface CallOptions {
  /** Retries of this call. A commit passes 0 and recovers from a lost answer itself. */
  readonly retries?: number;
  /**
   * A top-level string field of the answer to read as the hex sha256 of its UTF-8 instead of its
   * value, without holding the value (`RoutineCode`: a routine's whole code).
   */
  readonly digest?: string;
}

/** A successful call: ESA's JSON body and its request id. */
export interface EsaResponse {
  readonly body: JsonObject;
  readonly requestId: string;
}

/** Builds the signed headers of one RPC call with a form body. Pure given date and nonce. */
export function buildSignedRequest(input: {
  readonly host: string;
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  readonly credentials: Credentials;
  readonly date: Date;
  readonly nonce: string;
}): { headers: Record<string, string>; body: string } {
  const body = canonicalQueryString(input.params);
  const headers: Record<string, string> = {
    host: input.host,
    'x-acs-action': input.action,
    'x-acs-version': ESA_API_VERSION,
    'x-acs-date': formatAcsDate(input.date),
    'x-acs-signature-nonce': input.nonce,
    'x-acs-content-sha256': sha256Hex(body),
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (input.credentials.securityToken) headers['x-acs-security-token'] = input.credentials.securityToken;
  const signature = computeAcs3Signature(
    {
      method: 'POST',
      query: {},
      headers,
      signedHeaders: headersToSign(headers),
      payloadSha256: headers['x-acs-content-sha256'] ?? '',
    },
    input.credentials.accessKeySecret,
  );
  headers.authorization = formatAcs3Authorization(input.credentials.accessKeyId, signature);
  headers.accept = 'application/json';
  headers['user-agent'] = USER_AGENT;
  return { headers, body };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * ESA OpenAPI (2024-09-10, RPC) over up to three keep-alive connections (through the environment's
 * proxy, if any), which every call of a publish reuses.
 * Calls are POSTs with a form body signed with ACS3-HMAC-SHA256, as the official SDK sends them.
 */
export class EsaClient {
  private readonly host: string;
  private readonly origin: string;
  private readonly random: () => number;
  private readonly now: () => Date;

  private constructor(
    private readonly dispatcher: Dispatcher,
    private readonly options: EsaClientOptions,
  ) {
    const url = new URL(options.endpoint);
    this.host = url.host;
    this.origin = url.origin;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
  }

  /** Opens the connection (loading undici on first use), through the proxy the environment names. */
  static async open(options: EsaClientOptions): Promise<EsaClient> {
    // The first round trip makes three calls at once; a publish never has more in flight.
    return new EsaClient(await openDispatcher({ proxy: options.proxy, connections: 3 }), options);
  }

  /** Calls an action, retrying network errors, 5xx, throttling and internal errors with backoff. */
  async call(
    action: string,
    params: Readonly<Record<string, string>>,
    options: CallOptions = {},
  ): Promise<EsaResponse> {
    return withRetries(() => this.callOnce(action, params, options.digest), {
      what: action,
      retries: options.retries ?? this.options.retries,
      isRetryable: (error) =>
        (error instanceof EsaError && isRetryableEsaFailure(error.status, error.code)) ||
        isRetryableNetworkError(error),
      logger: this.options.logger,
      signal: this.options.signal,
      timeout: this.options.timeout,
      random: this.random,
    });
  }

  private async callOnce(
    action: string,
    params: Readonly<Record<string, string>>,
    digest: string | undefined,
  ): Promise<EsaResponse> {
    const { headers, body } = buildSignedRequest({
      host: this.host,
      action,
      params,
      credentials: this.options.credentials,
      date: this.now(),
      nonce: randomBytes(16).toString('hex'),
    });
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      ({ response, text } = await withDeadline(
        this.dispatcher
          .request({
            origin: this.origin,
            method: 'POST',
            path: '/',
            headers,
            body,
            signal: requestSignal(this.options.signal, this.options.timeout),
          })
          .then(async (r) => ({ response: r, text: await readText(r.body, digest) })),
        this.options.timeout,
      ));
    } catch (error) {
      throw toNetworkError(error, action, this.options.signal, this.options.timeout);
    }
    const json = parseEsaJson(text);
    const headerId = response.headers['x-acs-request-id'];
    const requestId = str(json?.RequestId) ?? (typeof headerId === 'string' ? headerId : '');
    // A 2xx whose body is an error (Code and Message, as ESA's errors have) is an error all the same.
    const errorBody = typeof json?.Code === 'string' && typeof json?.Message === 'string';
    if (response.statusCode >= 200 && response.statusCode < 300 && json && !errorBody) {
      return { body: json, requestId };
    }
    if (response.statusCode >= 200 && response.statusCode < 300 && !json) {
      // ESA said yes but the answer is unreadable: the action may well have happened.
      throw new EsaStageError(
        `${action} answered ${response.statusCode} with a body that is not JSON: ${(this.options.redact?.(text) ?? text).slice(0, 200)}`,
        {
          code: 'InvalidResponse',
          requestId: requestId || undefined,
          hint: 'something between here and ESA (a proxy, a captive portal) changed the answer: check the endpoint, then check what happened with `esa-stage versions list`',
        },
      );
    }
    const code = str(json?.Code) ?? `HTTP${response.statusCode}`;
    const message =
      str(json?.Message) ??
      (json ? 'no message' : `non-JSON answer: ${(this.options.redact?.(text) ?? text).slice(0, 200)}`);
    throw new EsaError(`${action} failed: ${message}`, {
      code,
      requestId: requestId || undefined,
      status: response.statusCode,
      action,
      recommend: str(json?.Recommend),
      hint: esaHint(code, response.statusCode),
      retryAfterMs: retryAfterOf(response.headers, this.now().getTime()),
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** An answer's text; with `digest`, that field's value replaced by its sha256 as it streams in. */
async function readText(body: Dispatcher.ResponseData['body'], digest: string | undefined): Promise<string> {
  if (digest === undefined) return body.text();
  const reader = new JsonFieldDigest(digest);
  for await (const bytes of body) reader.push(bytes as Uint8Array);
  return reader.end();
}

/** What to do about the ESA error codes a publish can meet. Every code gets a hint. */
export function esaHint(code: string, status = 400): string {
  if (code === 'RoutineNotExist')
    return 'create the routine first (ESA console, or `esa-cli init`), or fix the `name` option';
  if (code === 'CodeVersionNumberExceedQuotaLimit') {
    return 'the routine keeps too many code versions: delete old ones (`esa-stage versions prune`) and publish again';
  }
  if (code.startsWith('InvalidAccessKeyId'))
    return 'the AccessKey ID is unknown or disabled: check the credentials in use';
  if (code === 'SignatureDoesNotMatch') return 'the AccessKey secret does not match the AccessKey ID';
  if (code.startsWith('InvalidSecurityToken') || code === 'MissingSecurityToken') {
    return 'the STS security token is missing, wrong or expired: refresh the STS credentials';
  }
  if (code.startsWith('InvalidTimeStamp'))
    return "this machine's clock is off by more than 15 minutes: sync it";
  if (code === 'Forbidden.RAM' || code.startsWith('NoPermission'))
    return 'grant the RAM user esa:* routine permissions';
  if (code.startsWith('Throttling'))
    return 'ESA is throttling requests (retried already): wait and publish again';
  if (code === 'RoutineUserServiceStatusHalt')
    return 'the account has overdue payments: settle them in the console';
  if (code === 'DependedByOthers')
    return 'an environment serves this version: deploy another version there first';
  if (/^HTTP\d{3}$/.test(code)) {
    return `ESA answered HTTP ${code.slice(4)} without an error body: check that the endpoint is ESA's OpenAPI origin (or a proxy in between), then publish again`;
  }
  if (
    status >= 500 ||
    code === 'InternalException' ||
    code === 'InternalOperationError' ||
    code === 'InternalError' ||
    code === 'ServiceUnavailable'
  ) {
    return 'ESA failed on its side (retried already): publish again later; if it persists, report the request id to Alibaba Cloud';
  }
  if (code.startsWith('InvalidParameter') || code === 'MissingParameter') {
    return 'ESA refused a parameter: the message says which; check `name`, the description and the version';
  }
  return "ESA refused the request: the message says why; look the code up in ESA's OpenAPI error reference";
}
