// The STS server against Alibaba's own clients: @alicloud/credentials' OIDC and RamRoleArn providers
// (which build, sign and parse the calls), @alicloud/openapi-core's legacy RPC (v2) client, and the
// ESA SDK using the credentials they get.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenApiCore, { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EMULATOR_ACCOUNT_ID,
  EMULATOR_OIDC_TRUST,
  EMULATOR_ROLE_ARN,
  type Emulator,
  type EmulatorCredential,
  type RequestRecord,
  startEmulator,
} from '../src/index.js';
import { esa, sdkClient, sdkError } from './esa-helpers.js';
import {
  asCredential,
  type CredentialModel,
  githubClaims,
  oidcProvider,
  type ProviderRequest,
  ramRoleProvider,
  tokenFile,
  unsignedJwt,
} from './sts-helpers.js';

let emulator: Emulator;
let dir: string;
const lines: string[] = [];
const ROUTINE = 'sts-routine';
const PRINCIPAL = (session: string) => `acs:ram::${EMULATOR_ACCOUNT_ID}:assumed-role/esa-stage-ci/${session}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-sts-'));
  emulator = await startEmulator({ routines: [ROUTINE], log: (line) => lines.push(line) });
});

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function lastRecord(service: RequestRecord['service']): RequestRecord | undefined {
  return emulator.state.requests.filter((r) => r.service === service).at(-1);
}

async function getRoutineAs(credential: EmulatorCredential) {
  const res = await sdkClient(emulator, credential).getRoutine(new esa.GetRoutineRequest({ name: ROUTINE }));
  return res.statusCode;
}

async function oidcCredentials(session: string, seen?: ProviderRequest[]): Promise<CredentialModel> {
  const file = await tokenFile(dir, unsignedJwt(githubClaims(Date.now())));
  const provider = oidcProvider(
    emulator,
    {
      tokenFile: file,
      providerArn: EMULATOR_OIDC_TRUST.providerArn,
      roleArn: EMULATOR_ROLE_ARN,
      sessionName: session,
    },
    seen,
  );
  return provider.getCredentials();
}

describe('@alicloud/credentials OIDCRoleArnCredentialsProvider', () => {
  it('gets credentials that the official ESA SDK uses, recorded with the assumed-role principal', async () => {
    const seen: ProviderRequest[] = [];
    const creds = await oidcCredentials('gha-run-42', seen);
    expect(creds.accessKeyId).toMatch(/^STS\.N[A-Za-z0-9]{24}$/);
    expect(creds.accessKeySecret).toMatch(/^[A-Za-z0-9]{44}$/);
    expect(creds.securityToken?.length).toBeGreaterThan(600);
    // What the provider sent: unsigned, the token in the form body.
    expect(seen).toHaveLength(1);
    expect(seen[0]?.queries).toMatchObject({
      Action: 'AssumeRoleWithOIDC',
      Version: '2015-04-01',
      Format: 'JSON',
    });
    expect(seen[0]?.queries.Signature).toBeUndefined();
    expect(seen[0]?.bodyForm?.RoleSessionName).toBe('gha-run-42');

    const stsRecord = lastRecord('sts');
    expect(stsRecord).toMatchObject({ action: 'AssumeRoleWithOIDC', status: 200, code: undefined });
    expect(stsRecord?.accessKeyId).toBeUndefined();
    const session = emulator.state.stsSessions.at(-1);
    expect(session).toMatchObject({
      action: 'AssumeRoleWithOIDC',
      accessKeyId: creds.accessKeyId,
      roleArn: EMULATOR_ROLE_ARN,
      roleSessionName: 'gha-run-42',
      principal: PRINCIPAL('gha-run-42'),
      oidcProviderArn: EMULATOR_OIDC_TRUST.providerArn,
      subject: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
      audience: ['sts.aliyuncs.com'],
      durationSeconds: 3600,
      requestId: stsRecord?.requestId,
    });

    expect(await getRoutineAs(asCredential(creds))).toBe(200);
    expect(lastRecord('esa')).toMatchObject({
      action: 'GetRoutine',
      status: 200,
      accessKeyId: creds.accessKeyId,
      principal: PRINCIPAL('gha-run-42'),
    });
  });

  it('is refused a wrong token for its key, as the ESA SDK sees it', async () => {
    const creds = await oidcCredentials('gha-wrong-token');
    const wrong = { ...asCredential(creds), securityToken: `${creds.securityToken}x` };
    const error = await sdkError(
      sdkClient(emulator, wrong).getRoutine(new esa.GetRoutineRequest({ name: ROUTINE })),
    );
    expect({ code: error.code, status: error.statusCode }).toEqual({
      code: 'InvalidSecurityToken.Mismatch',
      status: 400,
    });
  });
});

describe('@alicloud/credentials RAMRoleARNCredentialsProvider (AssumeRole, HMAC-SHA1)', () => {
  it('signs AssumeRole with the built-in AccessKey; the credentials call ESA as the role', async () => {
    const seen: ProviderRequest[] = [];
    const creds = await ramRoleProvider(
      emulator,
      emulator.credentials,
      EMULATOR_ROLE_ARN,
      'deployer',
      seen,
    ).getCredentials();
    expect(seen[0]?.queries).toMatchObject({
      Action: 'AssumeRole',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      AccessKeyId: emulator.credentials.accessKeyId,
    });
    expect(seen[0]?.queries.Signature).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(lastRecord('sts')).toMatchObject({
      action: 'AssumeRole',
      status: 200,
      accessKeyId: emulator.credentials.accessKeyId,
      principal: undefined,
    });
    expect(emulator.state.stsSessions.at(-1)).toMatchObject({
      action: 'AssumeRole',
      accessKeyId: creds.accessKeyId,
      principal: PRINCIPAL('deployer'),
      callerAccessKeyId: emulator.credentials.accessKeyId,
      callerPrincipal: undefined,
      subject: undefined,
    });
    expect(await getRoutineAs(asCredential(creds))).toBe(200);
    expect(lastRecord('esa')).toMatchObject({
      accessKeyId: creds.accessKeyId,
      principal: PRINCIPAL('deployer'),
    });
  });

  it('chains: credentials issued by OIDC assume the role again, signed with their SecurityToken', async () => {
    const first = await oidcCredentials('first-hop');
    const seen: ProviderRequest[] = [];
    const second = await ramRoleProvider(
      emulator,
      asCredential(first),
      EMULATOR_ROLE_ARN,
      'second-hop',
      seen,
    ).getCredentials();
    expect(seen[0]?.queries.SecurityToken).toBe(first.securityToken);
    expect(lastRecord('sts')).toMatchObject({
      accessKeyId: first.accessKeyId,
      principal: PRINCIPAL('first-hop'),
    });
    expect(emulator.state.stsSessions.at(-1)).toMatchObject({
      callerAccessKeyId: first.accessKeyId,
      callerPrincipal: PRINCIPAL('first-hop'),
      principal: PRINCIPAL('second-hop'),
    });
    expect(await getRoutineAs(asCredential(second))).toBe(200);
    expect(lastRecord('esa')?.principal).toBe(PRINCIPAL('second-hop'));
  });

  it("refuses a wrong secret with the SDK's own string to sign (so it reports the secret as invalid)", async () => {
    // The provider compares the server's string to sign with its own and says "the access key
    // secret is invalid" only when they are equal: the emulator canonicalises exactly as it does.
    const wrong = { ...emulator.credentials, accessKeySecret: 'not-the-secret' };
    await expect(ramRoleProvider(emulator, wrong, EMULATOR_ROLE_ARN).getCredentials()).rejects.toThrow(
      /^the access key secret is invalid$/,
    );
    expect(lastRecord('sts')).toMatchObject({
      status: 400,
      code: 'SignatureDoesNotMatch',
      accessKeyId: undefined,
    });
  });

  it('surfaces an untrusted role as EntityNotExist.Role (404)', async () => {
    const role = `acs:ram::${EMULATOR_ACCOUNT_ID}:role/not-a-role`;
    const error = await ramRoleProvider(emulator, emulator.credentials, role)
      .getCredentials()
      .then(
        () => new Error('expected a failure'),
        (e: unknown) => e as Error,
      );
    expect(error.message).toMatch(/^refresh session token failed: /);
    const body = JSON.parse(error.message.slice('refresh session token failed: '.length)) as Record<
      string,
      string
    >;
    expect(body).toMatchObject({ Code: 'EntityNotExist.Role' });
    expect(lastRecord('sts')).toMatchObject({ status: 404, code: 'EntityNotExist.Role' });
  });
});

describe('@alicloud/openapi-core legacy RPC client (signatureAlgorithm v2)', () => {
  function client(credential?: EmulatorCredential) {
    return new OpenApiCore(
      new $OpenApiUtil.Config({
        ...(credential && {
          accessKeyId: credential.accessKeyId,
          accessKeySecret: credential.accessKeySecret,
          ...(credential.securityToken !== undefined && { securityToken: credential.securityToken }),
        }),
        endpoint: new URL(emulator.stsEndpoint).host,
        protocol: 'http',
        signatureAlgorithm: 'v2',
      }),
    );
  }

  function params(action: string, authType: 'AK' | 'Anonymous') {
    return new $OpenApiUtil.Params({
      action,
      version: '2015-04-01',
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType,
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
  }

  type Runtime = Parameters<InstanceType<typeof OpenApiCore>['callApi']>[2];
  const runtime = {} as Runtime;

  it('calls AssumeRole (signed) and AssumeRoleWithOIDC (Anonymous) and reads STS answers', async () => {
    const assumed = await client(emulator.credentials).callApi(
      params('AssumeRole', 'AK'),
      new $OpenApiUtil.OpenApiRequest({
        body: { RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'core-v2', DurationSeconds: '900' },
      }),
      runtime,
    );
    const body = assumed.body as Record<string, Record<string, string>>;
    expect(assumed.statusCode).toBe(200);
    expect(body.AssumedRoleUser?.Arn).toBe(PRINCIPAL('core-v2'));
    expect(body.Credentials?.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const token = unsignedJwt(githubClaims(Date.now(), { sub: 'core-v2-subject' }));
    const oidc = await client().callApi(
      params('AssumeRoleWithOIDC', 'Anonymous'),
      new $OpenApiUtil.OpenApiRequest({
        body: {
          OIDCProviderArn: EMULATOR_OIDC_TRUST.providerArn,
          RoleArn: EMULATOR_ROLE_ARN,
          OIDCToken: token,
          RoleSessionName: 'core-v2-oidc',
        },
      }),
      runtime,
    );
    expect((oidc.body as Record<string, Record<string, string>>).OIDCTokenInfo?.Subject).toBe(
      'core-v2-subject',
    );
    const issued = (oidc.body as Record<string, Record<string, string>>).Credentials ?? {};
    expect(
      await getRoutineAs({
        accessKeyId: issued.AccessKeyId ?? '',
        accessKeySecret: issued.AccessKeySecret ?? '',
        securityToken: issued.SecurityToken ?? '',
      }),
    ).toBe(200);
  });

  it('answers a wrong secret with a SignatureDoesNotMatch ClientError', async () => {
    const bad = client({ ...emulator.credentials, accessKeySecret: 'not-the-secret' });
    const error = await sdkError(
      bad.callApi(
        params('AssumeRole', 'AK'),
        new $OpenApiUtil.OpenApiRequest({ body: { RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'x-bad' } }),
        runtime,
      ),
    );
    expect({ code: error.code, status: error.statusCode }).toEqual({
      code: 'SignatureDoesNotMatch',
      status: 400,
    });
  });
});

describe('secrets', () => {
  it('never appear in the log lines nor in the admin routes', async () => {
    const secrets = [...emulator.state.issuedCredentials.values()].flatMap((c) => [
      c.accessKeySecret,
      c.securityToken ?? '',
    ]);
    expect(secrets.length).toBeGreaterThan(8);
    const admin = await Promise.all(
      ['sts-sessions', 'requests'].map(async (path) =>
        (await fetch(`${emulator.endpoint}/__emulator/${path}`)).text(),
      ),
    );
    const sessions = JSON.parse(admin[0] ?? '[]') as Array<Record<string, unknown>>;
    expect(sessions.length).toBe(emulator.state.stsSessions.length);
    expect(sessions[0]).toMatchObject({ action: 'AssumeRoleWithOIDC', principal: PRINCIPAL('gha-run-42') });
    for (const text of [...lines, ...admin]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/); // no OIDC token
    }
  });
});
