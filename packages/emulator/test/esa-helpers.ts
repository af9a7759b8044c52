// Shared helpers of the ESA OpenAPI tests: the official clients, an independent raw signer, and
// a way to register staging code without the OSS server.
import { createHash, randomBytes } from 'node:crypto';
import { stringify } from 'node:querystring';
import EsaClient, * as esaSdk from '@alicloud/esa20240910';
import OpenApiClient, * as openapiClient from '@alicloud/openapi-client';
import * as openapiCore from '@alicloud/openapi-core';
import OpenApiUtil from '@alicloud/openapi-util';
import * as teaUtil from '@alicloud/tea-util';
import { type Dispatcher, request } from 'undici';
import type { Emulator, EmulatorCredential } from '../src/index.js';
import { CALLBACK_PATH } from '../src/index.js';

// Tests run under vitest, which (like bundlers) gives a CommonJS module's `exports.default` as the
// default import; tsconfig.test.json type-checks them with the same `bundler` resolution.
export { EsaClient };
export const esa = esaSdk;

/** The official SDK client pointed at the emulator. */
export function sdkClient(
  emulator: Emulator,
  credential: EmulatorCredential,
): InstanceType<typeof EsaClient> {
  const config = new openapiCore.$OpenApiUtil.Config({
    accessKeyId: credential.accessKeyId,
    accessKeySecret: credential.accessKeySecret,
    ...(credential.securityToken === undefined ? {} : { securityToken: credential.securityToken }),
    endpoint: new URL(emulator.endpoint).host,
    protocol: 'http',
  });
  return new EsaClient(config);
}

/** esa-cli's way of calling: `@alicloud/openapi-client` `callApi`, RPC style. Returns the body. */
async function callLikeEsaCli(
  emulator: Emulator,
  credential: EmulatorCredential,
  action: string,
  method: 'GET' | 'POST',
  request: ConstructorParameters<typeof openapiClient.OpenApiRequest>[0],
): Promise<Record<string, unknown>> {
  const client = new OpenApiClient(
    new openapiClient.Config({
      accessKeyId: credential.accessKeyId,
      accessKeySecret: credential.accessKeySecret,
      ...(credential.securityToken === undefined ? {} : { securityToken: credential.securityToken }),
      endpoint: new URL(emulator.endpoint).host,
      protocol: 'http',
    }),
  );
  const params = new openapiClient.Params({
    action,
    version: '2024-09-10',
    protocol: 'HTTP',
    pathname: '/',
    method,
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'json',
    bodyType: 'json',
  });
  const result = await client.callApi(
    params,
    new openapiClient.OpenApiRequest(request),
    new teaUtil.RuntimeOptions({ autoretry: false }),
  );
  return result.body as Record<string, unknown>;
}

/** esa-cli's style: `callApi` with GET and a query. Returns the body. */
export function cliCall(
  emulator: Emulator,
  credential: EmulatorCredential,
  action: string,
  query: Record<string, string>,
): Promise<Record<string, unknown>> {
  return callLikeEsaCli(emulator, credential, action, 'GET', { query });
}

/**
 * esa-cli's style for `CreateRoutineWithAssetsCodeVersion`: `callApi` with POST and a JSON body
 * (nested objects such as `ConfOptions` stay objects). Returns the body.
 */
export function cliCallJson(
  emulator: Emulator,
  credential: EmulatorCredential,
  action: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return callLikeEsaCli(emulator, credential, action, 'POST', { body });
}

export interface RawSpec {
  readonly action: string;
  readonly credential: EmulatorCredential;
  readonly method?: 'GET' | 'POST' | undefined;
  readonly query?: Record<string, string> | undefined;
  /** A form body (urlencoded like the SDK, with `querystring.stringify`). */
  readonly form?: Record<string, string> | undefined;
  readonly version?: string | undefined;
  readonly date?: string | undefined;
  readonly nonce?: string | undefined;
  /** Send the security token even for a non-STS key, or a different one; `null` sends none. */
  readonly securityToken?: string | null | undefined;
}

export interface RawRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export function acsDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * A correctly signed request built with `@alicloud/openapi-util`'s `getAuthorization`, an
 * implementation independent of the emulator's signer.
 */
export function signRaw(emulator: Emulator, spec: RawSpec): RawRequest {
  const method = spec.method ?? (spec.form ? 'POST' : 'GET');
  const query = spec.query ?? {};
  const body = spec.form ? stringify(spec.form) : '';
  const headers: Record<string, string> = {
    host: new URL(emulator.endpoint).host,
    'x-acs-action': spec.action,
    'x-acs-version': spec.version ?? '2024-09-10',
    'x-acs-date': spec.date ?? acsDate(Date.now()),
    'x-acs-signature-nonce': spec.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': createHash('sha256').update(body).digest('hex'),
    accept: 'application/json',
  };
  if (spec.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const token = spec.securityToken === undefined ? spec.credential.securityToken : spec.securityToken;
  if (token !== undefined && token !== null) headers['x-acs-security-token'] = token;
  headers.authorization = OpenApiUtil.getAuthorization(
    { method, pathname: '/', query, headers } as unknown as Parameters<
      typeof OpenApiUtil.getAuthorization
    >[0],
    'ACS3-HMAC-SHA256',
    headers['x-acs-content-sha256'] ?? '',
    spec.credential.accessKeyId,
    spec.credential.accessKeySecret,
  );
  const wireQuery = stringify(query);
  return { method, path: wireQuery === '' ? '/' : `/?${wireQuery}`, headers, body };
}

export interface RawResponse {
  readonly status: number;
  readonly text: string;
  readonly headers: Record<string, string | string[] | undefined>;
  json(): Record<string, unknown>;
}

/** An undici response read whole, with its JSON parsed on demand. */
export async function readRaw(res: Dispatcher.ResponseData): Promise<RawResponse> {
  const text = await res.body.text();
  return {
    status: res.statusCode,
    text,
    headers: res.headers,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

export async function sendRaw(emulator: Emulator, raw: RawRequest): Promise<RawResponse> {
  const res = await request(`${emulator.endpoint}${raw.path}`, {
    method: raw.method,
    headers: raw.headers,
    ...(raw.method === 'POST' ? { body: raw.body } : {}),
  });
  return readRaw(res);
}

/** Signs and sends in one step. */
export async function callRaw(emulator: Emulator, spec: RawSpec): Promise<RawResponse> {
  return sendRaw(emulator, signRaw(emulator, spec));
}

/**
 * Registers `code` as the routine's staging code the way OSS would after a PostObject upload: the
 * object goes into the bucket state, then the upload callback is posted to the ESA server.
 */
export async function stageCode(
  emulator: Emulator,
  ossPostConfig: Record<string, string>,
  code: string,
): Promise<RawResponse> {
  const key = ossPostConfig.key ?? '';
  const bytes = Buffer.from(code, 'utf8');
  const etag = createHash('md5').update(bytes).digest('hex').toUpperCase();
  emulator.state.objects.set(key, {
    key,
    bytes,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    etag,
    contentType: 'application/javascript',
    fieldNames: ['key', 'policy', 'OSSAccessKeyId', 'Signature', 'callback', 'x:codeDescription'],
    storedAt: new Date(),
  });
  const res = await request(`${emulator.endpoint}${CALLBACK_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      object: key,
      size: bytes.length,
      etag,
      mimeType: 'application/javascript',
      codeDescription: ossPostConfig['x:codeDescription'] ?? '',
    }),
  });
  return readRaw(res);
}

/** The error an SDK call rejects with (fails the test if it resolves). */
export async function sdkError(promise: Promise<unknown>): Promise<{
  code?: string;
  statusCode?: number;
  message: string;
  data?: Record<string, unknown>;
}> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; statusCode?: number; message: string };
  }
  throw new Error('expected the call to fail');
}
