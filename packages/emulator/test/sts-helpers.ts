// Shared helpers of the STS tests: the official @alicloud/credentials providers pointed at the
// emulator, unsigned JWTs, and requests signed by @alicloud/openapi-util (an independent signer).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { stringify } from 'node:querystring';
import OpenApiUtil from '@alicloud/openapi-util';
import { request } from 'undici';
import type { Emulator, EmulatorCredential } from '../src/index.js';
import { type RawResponse, readRaw } from './esa-helpers.js';

// @alicloud/credentials 2.4.7 is a devDependency of packages/core, not of the emulator: load it from
// there. These are the few members the tests use.
export interface CredentialModel {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/** The transport request the providers build (`dist/src/providers/http.js`). */
export interface ProviderRequest {
  protocol: string;
  host: string;
  queries: Record<string, string>;
  bodyForm?: Record<string, string>;
}

export interface SessionProvider {
  getCredentials(): Promise<CredentialModel>;
  /** "used for mock" in the providers: the one function that sends the request. */
  doRequest: (request: ProviderRequest) => Promise<unknown>;
}

interface Builder {
  build(): SessionProvider;
}

interface OidcBuilder extends Builder {
  withOIDCProviderArn(arn: string): OidcBuilder;
  withOIDCTokenFilePath(path: string): OidcBuilder;
  withRoleArn(arn: string): OidcBuilder;
  withRoleSessionName(name: string): OidcBuilder;
  withDurationSeconds(seconds: number): OidcBuilder;
  withPolicy(policy: string): OidcBuilder;
  withStsEndpoint(endpoint: string): OidcBuilder;
}

interface RamRoleBuilder extends Builder {
  withCredentialsProvider(provider: StaticProvider): RamRoleBuilder;
  withRoleArn(arn: string): RamRoleBuilder;
  withRoleSessionName(name: string): RamRoleBuilder;
  withDurationSeconds(seconds: number): RamRoleBuilder;
  withStsEndpoint(endpoint: string): RamRoleBuilder;
}

interface StaticProvider {
  getCredentials(): Promise<CredentialModel>;
}

interface StaticBuilder {
  withAccessKeyId(id: string): StaticBuilder;
  withAccessKeySecret(secret: string): StaticBuilder;
  withSecurityToken(token: string): StaticBuilder;
  build(): StaticProvider;
}

interface CredentialsModule {
  OIDCRoleArnCredentialsProvider: { builder(): OidcBuilder };
  RAMRoleARNCredentialsProvider: { builder(): RamRoleBuilder };
  StaticAKCredentialsProvider: { builder(): StaticBuilder };
  StaticSTSCredentialsProvider: { builder(): StaticBuilder };
}

const fromCore = createRequire(new URL('../../core/package.json', import.meta.url));
export const credentialsLib = fromCore('@alicloud/credentials') as CredentialsModule;
const { doRequest } = fromCore('@alicloud/credentials/dist/src/providers/http.js') as {
  doRequest: (request: ProviderRequest) => Promise<unknown>;
};

/** `127.0.0.1:<port>` of the emulator's STS server, as a provider's `stsEndpoint`. */
export function stsHost(emulator: Emulator): string {
  return new URL(emulator.stsEndpoint).host;
}

/**
 * The providers hard-code `https`; the emulator speaks `http`. Everything they build and sign is
 * kept; only the scheme of the request they send changes, through their own `doRequest` hook.
 */
export function overHttp(provider: SessionProvider, seen?: ProviderRequest[]): SessionProvider {
  provider.doRequest = (req) => {
    seen?.push(req);
    req.protocol = 'http';
    return doRequest(req);
  };
  return provider;
}

export interface OidcSpec {
  readonly tokenFile: string;
  readonly providerArn: string;
  readonly roleArn: string;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  readonly policy?: string;
}

/** The official OIDC provider (`AssumeRoleWithOIDC`) pointed at the emulator. */
export function oidcProvider(emulator: Emulator, spec: OidcSpec, seen?: ProviderRequest[]): SessionProvider {
  let builder = credentialsLib.OIDCRoleArnCredentialsProvider.builder()
    .withOIDCProviderArn(spec.providerArn)
    .withOIDCTokenFilePath(spec.tokenFile)
    .withRoleArn(spec.roleArn)
    .withRoleSessionName(spec.sessionName ?? 'oidc-session')
    .withStsEndpoint(stsHost(emulator));
  if (spec.durationSeconds !== undefined) builder = builder.withDurationSeconds(spec.durationSeconds);
  if (spec.policy !== undefined) builder = builder.withPolicy(spec.policy);
  return overHttp(builder.build(), seen);
}

/** A static provider of a credential (AK, or STS triple). */
export function staticProvider(credential: EmulatorCredential): StaticProvider {
  if (credential.securityToken === undefined) {
    return credentialsLib.StaticAKCredentialsProvider.builder()
      .withAccessKeyId(credential.accessKeyId)
      .withAccessKeySecret(credential.accessKeySecret)
      .build();
  }
  return credentialsLib.StaticSTSCredentialsProvider.builder()
    .withAccessKeyId(credential.accessKeyId)
    .withAccessKeySecret(credential.accessKeySecret)
    .withSecurityToken(credential.securityToken)
    .build();
}

/** The official RamRoleArn provider (`AssumeRole`, HMAC-SHA1 signed) pointed at the emulator. */
export function ramRoleProvider(
  emulator: Emulator,
  source: EmulatorCredential,
  roleArn: string,
  sessionName = 'ram-session',
  seen?: ProviderRequest[],
): SessionProvider {
  const provider = credentialsLib.RAMRoleARNCredentialsProvider.builder()
    .withCredentialsProvider(staticProvider(source))
    .withRoleArn(roleArn)
    .withRoleSessionName(sessionName)
    .withStsEndpoint(stsHost(emulator))
    .build();
  return overHttp(provider, seen);
}

/** A credential model as an `EmulatorCredential` (for the ESA SDK helpers). */
export function asCredential(model: CredentialModel): EmulatorCredential {
  return {
    accessKeyId: model.accessKeyId,
    accessKeySecret: model.accessKeySecret,
    ...(model.securityToken ? { securityToken: model.securityToken } : {}),
  };
}

/** An unsigned JWT (`alg: none`, empty signature) carrying `claims`. */
export function unsignedJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'none', typ: 'JWT' },
): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.`;
}

/** GitHub-Actions-like claims valid for an hour from `nowMs`. */
export function githubClaims(
  nowMs: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(nowMs / 1000);
  return {
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
    aud: 'sts.aliyuncs.com',
    iat: now - 10,
    exp: now + 3600,
    ...overrides,
  };
}

/** Writes a token to a new file in `dir` and returns its path. */
export async function tokenFile(dir: string, token: string): Promise<string> {
  const path = join(dir, `token-${randomBytes(4).toString('hex')}.jwt`);
  await writeFile(path, token);
  return path;
}

/** STS's `Timestamp` format. */
export function stsTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export interface StsRaw {
  readonly method?: 'GET' | 'POST' | undefined;
  readonly query: Record<string, string>;
  readonly form?: Record<string, string> | undefined;
  readonly path?: string | undefined;
}

/** Sends a request to the STS server as it is (form body urlencoded like the SDKs). */
export async function sendSts(emulator: Emulator, raw: StsRaw): Promise<RawResponse> {
  const method = raw.method ?? 'POST';
  const query = stringify(raw.query);
  const res = await request(`${emulator.stsEndpoint}${raw.path ?? '/'}${query === '' ? '' : `?${query}`}`, {
    method,
    ...(raw.form && {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: stringify(raw.form),
    }),
  });
  return readRaw(res);
}

export interface AssumeRoleSpec {
  readonly credential: EmulatorCredential;
  readonly form: Record<string, string>;
  readonly timestamp: string;
  readonly nonce?: string;
  /** Extra or replaced common parameters (signed). */
  readonly common?: Record<string, string>;
}

/**
 * An `AssumeRole` request signed with `@alicloud/openapi-util`'s `getRPCSignature` (the signer
 * `@alicloud/openapi-core` uses): common parameters in the query, operation ones in the form body.
 */
export function signAssumeRole(spec: AssumeRoleSpec): StsRaw & { query: Record<string, string> } {
  const query: Record<string, string> = {
    Action: 'AssumeRole',
    Version: '2015-04-01',
    Format: 'JSON',
    Timestamp: spec.timestamp,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: spec.nonce ?? randomBytes(16).toString('hex'),
    AccessKeyId: spec.credential.accessKeyId,
    ...(spec.credential.securityToken !== undefined && { SecurityToken: spec.credential.securityToken }),
    ...spec.common,
  };
  query.Signature = OpenApiUtil.getRPCSignature(
    { ...query, ...spec.form },
    'POST',
    spec.credential.accessKeySecret,
  );
  return { method: 'POST', query, form: spec.form };
}
