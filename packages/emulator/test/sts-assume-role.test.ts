// STS AssumeRole signed by @alicloud/openapi-util's getRPCSignature, then tampered with one way at a
// time; the issued credentials' lifetime on the ESA server; STS faults and the admin route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EMULATOR_ACCOUNT_ID,
  EMULATOR_OIDC_TRUST,
  EMULATOR_ROLE_ARN,
  type Emulator,
  type EmulatorCredential,
  startEmulator,
} from '../src/index.js';
import { acsDate, callRaw, type RawResponse } from './esa-helpers.js';
import {
  type AssumeRoleSpec,
  githubClaims,
  type StsRaw,
  sendSts,
  signAssumeRole,
  stsTimestamp,
  unsignedJwt,
} from './sts-helpers.js';

let emulator: Emulator;
let clock = Date.parse('2026-11-28T15:16:35.700Z');
const lines: string[] = [];
const CONFIGURED: EmulatorCredential = {
  accessKeyId: 'LTAIconfigured',
  accessKeySecret: 'configured-secret',
};
const OIDC_ONLY_ROLE = `acs:ram::${EMULATOR_ACCOUNT_ID}:role/oidc-only`;

beforeAll(async () => {
  emulator = await startEmulator({
    now: () => clock,
    routines: ['sts-routine'],
    credentials: [CONFIGURED],
    oidc: [EMULATOR_OIDC_TRUST, { providerArn: EMULATOR_OIDC_TRUST.providerArn, roleArn: OIDC_ONLY_ROLE }],
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await emulator.close();
});

function spec(overrides: Partial<AssumeRoleSpec> = {}): AssumeRoleSpec {
  return {
    credential: emulator.credentials,
    form: { RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'deployer', DurationSeconds: '900' },
    timestamp: stsTimestamp(clock),
    ...overrides,
  };
}

const send = (raw: StsRaw) => sendSts(emulator, raw);

async function expectError(res: RawResponse, status: number, code: string): Promise<string> {
  const body = res.json();
  expect({ status: res.status, code: body.Code }).toEqual({ status, code });
  expect(Object.keys(body)).toEqual(['RequestId', 'HostId', 'Code', 'Message', 'Recommend']);
  return String(body.Message);
}

async function assume(
  overrides: Partial<AssumeRoleSpec> = {},
): Promise<EmulatorCredential & { expiration: string }> {
  const res = await send(signAssumeRole(spec(overrides)));
  expect(res.status, res.text).toBe(200);
  const c = res.json().Credentials as Record<string, string>;
  return {
    accessKeyId: c.AccessKeyId ?? '',
    accessKeySecret: c.AccessKeySecret ?? '',
    securityToken: c.SecurityToken ?? '',
    expiration: c.Expiration ?? '',
  };
}

describe('a correctly signed AssumeRole', () => {
  it('answers STS JSON without OIDCTokenInfo and records the caller', async () => {
    const res = await send(signAssumeRole(spec()));
    expect(res.status).toBe(200);
    const body = res.json() as Record<string, Record<string, string>>;
    expect(Object.keys(body)).toEqual(['RequestId', 'AssumedRoleUser', 'Credentials']);
    expect(body.AssumedRoleUser?.Arn).toBe(
      `acs:ram::${EMULATOR_ACCOUNT_ID}:assumed-role/esa-stage-ci/deployer`,
    );
    expect(body.Credentials?.Expiration).toBe('2026-11-28T15:31:35Z');
    expect(emulator.state.requests.at(-1)).toEqual({
      service: 'sts',
      action: 'AssumeRole',
      status: 200,
      code: undefined,
      requestId: body.RequestId,
      accessKeyId: emulator.credentials.accessKeyId,
      principal: undefined,
      params: undefined,
      at: expect.any(Date),
    });
  });

  it('accepts configured AccessKeys, a Policy, and values that need encoding', async () => {
    const policy = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['esa:Get*'], Resource: '*' }],
    });
    await assume({
      credential: CONFIGURED,
      form: { RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'a.b@c-d_e', Policy: policy },
    });
    expect(emulator.state.stsSessions.at(-1)).toMatchObject({
      callerAccessKeyId: CONFIGURED.accessKeyId,
      policy,
      durationSeconds: 3600,
    });
  });
});

describe('a tampered AssumeRole', () => {
  it('is SignatureDoesNotMatch, with the server string to sign, for a changed body or query', async () => {
    const raw = signAssumeRole(spec());
    const body = await send({ ...raw, form: { ...raw.form, RoleSessionName: 'intruder' } });
    const message = await expectError(body, 400, 'SignatureDoesNotMatch');
    expect(message).toMatch(
      /^Specified signature is not matched with our calculation\. server string to sign is:POST&%2F&AccessKeyId%3D/,
    );
    expect(message).toContain('RoleSessionName%3Dintruder');
    const query = await send({ ...raw, query: { ...raw.query, Timestamp: stsTimestamp(clock + 1000) } });
    await expectError(query, 400, 'SignatureDoesNotMatch');
    const method = await send({
      ...raw,
      method: 'GET',
      form: undefined,
      query: { ...raw.query, ...raw.form },
    });
    expect(await expectError(method, 400, 'SignatureDoesNotMatch')).toContain('is:GET&%2F&');
  });

  it('is SignatureDoesNotMatch for a wrong secret, InvalidAccessKeyId.NotFound (404) for an unknown key', async () => {
    await expectError(
      await send(signAssumeRole(spec({ credential: { ...CONFIGURED, accessKeySecret: 'wrong' } }))),
      400,
      'SignatureDoesNotMatch',
    );
    await expectError(
      await send(signAssumeRole(spec({ credential: { accessKeyId: 'LTAIunknown', accessKeySecret: 'x' } }))),
      404,
      'InvalidAccessKeyId.NotFound',
    );
  });

  it('refuses a reused nonce, but only once the signature verified', async () => {
    const nonce = `nonce-${clock}`;
    const forged = signAssumeRole(spec({ nonce }));
    await expectError(
      await send({ ...forged, form: { ...forged.form, DurationSeconds: '3600' } }),
      400,
      'SignatureDoesNotMatch',
    );
    const raw = signAssumeRole(spec({ nonce }));
    expect((await send(raw)).status).toBe(200);
    await expectError(await send(raw), 400, 'SignatureNonceUsed');
    const resigned = signAssumeRole(spec({ nonce, timestamp: stsTimestamp(clock + 1000) }));
    await expectError(await send(resigned), 400, 'SignatureNonceUsed');
  });

  it('refuses a Timestamp 16 minutes off either way, and a malformed one', async () => {
    for (const offset of [16 * 60_000, -16 * 60_000]) {
      await expectError(
        await send(signAssumeRole(spec({ timestamp: stsTimestamp(clock + offset) }))),
        400,
        'InvalidTimeStamp.Expired',
      );
    }
    expect((await send(signAssumeRole(spec({ timestamp: stsTimestamp(clock - 14 * 60_000) })))).status).toBe(
      200,
    );
    await expectError(
      await send(signAssumeRole(spec({ timestamp: '2026-11-28 15:16:35' }))),
      400,
      'InvalidTimeStamp.Format',
    );
  });

  for (const name of [
    'Signature',
    'SignatureNonce',
    'Timestamp',
    'AccessKeyId',
    'SignatureMethod',
    'SignatureVersion',
  ]) {
    it(`is Missing${name} without ${name}`, async () => {
      const raw = signAssumeRole(spec());
      const { [name]: _, ...query } = raw.query;
      expect(await expectError(await send({ ...raw, query }), 400, `Missing${name}`)).toBe(
        `${name} is mandatory for this action.`,
      );
    });
  }

  it('refuses another signature method or version', async () => {
    await expectError(
      await send(signAssumeRole(spec({ common: { SignatureMethod: 'HMAC-SHA256' } }))),
      400,
      'InvalidSignatureMethod',
    );
    await expectError(
      await send(signAssumeRole(spec({ common: { SignatureVersion: '2.0' } }))),
      400,
      'InvalidSignatureVersion',
    );
  });

  it('refuses an STS key without its SecurityToken or with another one, and a token with a plain key', async () => {
    const sts = emulator.credentials.sts;
    const raw = signAssumeRole(spec({ credential: sts }));
    const { SecurityToken: _, ...query } = raw.query;
    await expectError(await send({ ...raw, query }), 400, 'MissingSecurityToken');
    await expectError(
      await send(signAssumeRole(spec({ credential: { ...sts, securityToken: 'CAISWrong' } }))),
      400,
      'InvalidSecurityToken.Mismatch',
    );
    await expectError(
      await send(signAssumeRole(spec({ credential: { ...CONFIGURED, securityToken: 'CAISWrong' } }))),
      400,
      'InvalidSecurityToken.Mismatch',
    );
    // The built-in STS triple itself may assume the role.
    expect((await send(signAssumeRole(spec({ credential: sts })))).status).toBe(200);
  });
});

describe('AssumeRole parameters and roles (after a valid signature)', () => {
  it('answers MissingParameter.RoleArn / .RoleSessionName, and the format errors', async () => {
    for (const [form, code] of [
      [{ RoleSessionName: 'x1' }, 'MissingParameter.RoleArn'],
      [{ RoleArn: EMULATOR_ROLE_ARN }, 'MissingParameter.RoleSessionName'],
      [{ RoleArn: 'esa-stage-ci', RoleSessionName: 'x1' }, 'InvalidParameter.RoleArn'],
      [{ RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'x' }, 'InvalidParameter.RoleSessionName'],
      [
        { RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'x1', DurationSeconds: '43201' },
        'InvalidParameter.DurationSeconds',
      ],
      [
        { RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'x1', Policy: 'allow all' },
        'InvalidParameter.PolicyGrammar',
      ],
    ] as const) {
      await expectError(await send(signAssumeRole(spec({ form }))), 400, code);
      // The signature verified: the caller is recorded even though the call failed.
      expect(emulator.state.requests.at(-1)?.accessKeyId).toBe(emulator.credentials.accessKeyId);
    }
  });

  it('refuses an unknown role with 404 EntityNotExist.Role and an OIDC-only role with 403 NoPermission', async () => {
    const unknown = `acs:ram::${EMULATOR_ACCOUNT_ID}:role/nobody`;
    expect(
      await expectError(
        await send(signAssumeRole(spec({ form: { RoleArn: unknown, RoleSessionName: 'x1' } }))),
        404,
        'EntityNotExist.Role',
      ),
    ).toBe(`The specified Role not exists: ${unknown}.`);
    expect(
      await expectError(
        await send(signAssumeRole(spec({ form: { RoleArn: OIDC_ONLY_ROLE, RoleSessionName: 'x1' } }))),
        403,
        'NoPermission',
      ),
    ).toMatch(/^No permission perform sts:AssumeRole on this Role/);
  });
});

describe('issued credentials on the ESA server', () => {
  it('are accepted until their Expiration on the emulator clock, then InvalidSecurityToken.Expired', async () => {
    const issued = await assume();
    const expiresAt = Date.parse(issued.expiration);
    expect(expiresAt).toBe(Math.floor(clock / 1000) * 1000 + 900_000);
    const start = clock;
    const getRoutine = () =>
      callRaw(emulator, {
        action: 'GetRoutine',
        credential: issued,
        form: { Name: 'sts-routine' },
        date: acsDate(clock),
      });
    try {
      clock = expiresAt - 1;
      expect((await getRoutine()).status).toBe(200);
      expect(emulator.state.requests.at(-1)).toMatchObject({
        accessKeyId: issued.accessKeyId,
        principal: `acs:ram::${EMULATOR_ACCOUNT_ID}:assumed-role/esa-stage-ci/deployer`,
      });
      clock = expiresAt;
      const expired = await getRoutine();
      expect({ status: expired.status, code: expired.json().Code }).toEqual({
        status: 400,
        code: 'InvalidSecurityToken.Expired',
      });
      expect(String(expired.json().Message)).toMatch(/^Specified SecurityToken is expired: /);
      // ...and for AssumeRole signed with them.
      await expectError(
        await send(signAssumeRole(spec({ credential: issued, timestamp: stsTimestamp(clock) }))),
        400,
        'InvalidSecurityToken.Expired',
      );
      // A wrong token is still a mismatch, whatever the time.
      const wrong = await callRaw(emulator, {
        action: 'GetRoutine',
        credential: { ...issued, securityToken: 'CAISWrong' },
        form: { Name: 'sts-routine' },
        date: acsDate(clock),
      });
      expect(wrong.json().Code).toBe('InvalidSecurityToken.Mismatch');
    } finally {
      clock = start;
    }
  });

  it('from AssumeRoleWithOIDC expire the same way', async () => {
    const res = await send({
      query: { Action: 'AssumeRoleWithOIDC', Version: '2015-04-01', Format: 'JSON' },
      form: {
        OIDCProviderArn: EMULATOR_OIDC_TRUST.providerArn,
        RoleArn: EMULATOR_ROLE_ARN,
        OIDCToken: unsignedJwt(githubClaims(clock)),
        RoleSessionName: 'oidc-expiry',
        DurationSeconds: '1800',
      },
    });
    const c = res.json().Credentials as Record<string, string>;
    const issued = {
      accessKeyId: c.AccessKeyId ?? '',
      accessKeySecret: c.AccessKeySecret ?? '',
      securityToken: c.SecurityToken ?? '',
    };
    const start = clock;
    try {
      clock = Date.parse(c.Expiration ?? '') + 5 * 60_000;
      const res = await callRaw(emulator, {
        action: 'GetRoutine',
        credential: issued,
        form: { Name: 'sts-routine' },
        date: acsDate(clock),
      });
      expect(res.json().Code).toBe('InvalidSecurityToken.Expired');
    } finally {
      clock = start;
    }
  });
});

describe('STS faults', () => {
  it('target STS actions by name or *, and leave ESA alone (and ESA faults leave STS alone)', async () => {
    emulator.faults.inject({ stsAction: 'AssumeRole', status: 503, code: 'ServiceUnavailable', times: 1 });
    emulator.faults.inject({ action: '*', status: 500, code: 'InternalError' });
    const failed = await send(signAssumeRole(spec()));
    expect(await expectError(failed, 503, 'ServiceUnavailable')).toBe(
      'A fault injected into the esa-stage emulator.',
    );
    expect(String(failed.json().Recommend)).toContain('product=Sts');
    expect((await send(signAssumeRole(spec()))).status).toBe(200);
    emulator.faults.clear();

    const admin = await fetch(`${emulator.endpoint}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ stsAction: '*', status: 429, code: 'Throttling.User' }),
    });
    expect(admin.status).toBe(201);
    await expectError(await send(signAssumeRole(spec())), 429, 'Throttling.User');
    const esaCall = await callRaw(emulator, {
      action: 'GetRoutine',
      credential: emulator.credentials,
      form: { Name: 'sts-routine' },
      date: acsDate(clock),
    });
    expect(esaCall.status).toBe(200);
    expect(emulator.faults.list()).toMatchObject([{ stsAction: '*', remaining: Number.POSITIVE_INFINITY }]);
    emulator.faults.clear();
  });

  it('dropAfterProcessing issues the credentials and loses the answer', async () => {
    emulator.faults.inject({ stsAction: 'AssumeRole', dropAfterProcessing: true, times: 1 });
    const before = emulator.state.stsSessions.length;
    await expect(
      send(signAssumeRole(spec({ form: { RoleArn: EMULATOR_ROLE_ARN, RoleSessionName: 'lost' } }))),
    ).rejects.toThrow();
    expect(emulator.state.stsSessions.length).toBe(before + 1);
    expect(emulator.state.stsSessions.at(-1)?.roleSessionName).toBe('lost');
    expect(emulator.state.requests.at(-1)).toMatchObject({ service: 'sts', status: 200 });
  });

  it('refuses an stsAction that is not a name', () => {
    expect(() => emulator.faults.inject({ stsAction: '', status: 500 })).toThrow(
      /stsAction must be an action name/,
    );
    expect(() =>
      emulator.faults.inject({ stsAction: 'AssumeRole', action: 'GetRoutine', status: 500 } as never),
    ).toThrow(/exactly one of action, stsAction/);
  });
});

describe('inspection and reset', () => {
  it('GET /__emulator/sts-sessions lists sessions with no secret', async () => {
    const text = await (await fetch(`${emulator.endpoint}/__emulator/sts-sessions`)).text();
    const sessions = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(sessions.length).toBe(emulator.state.stsSessions.length);
    expect(Object.keys(sessions[0] ?? {}).sort()).toEqual(
      [
        'accessKeyId',
        'action',
        'assumedRoleId',
        'audience',
        'callerAccessKeyId',
        'callerPrincipal',
        'durationSeconds',
        'expiration',
        'issuedAt',
        'issuer',
        'oidcProviderArn',
        'policy',
        'principal',
        'requestId',
        'roleArn',
        'roleSessionName',
        'subject',
      ].sort(),
    );
    expect(sessions[0]).toMatchObject({ expiration: '2026-11-28T15:31:35.000Z', callerPrincipal: null });
    const secrets = [...emulator.state.issuedCredentials.values()].flatMap((c) => [
      c.accessKeySecret,
      c.securityToken ?? '',
    ]);
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      for (const line of lines) expect(line).not.toContain(secret);
    }
  });

  it('reset forgets the sessions, and their credentials stop working', async () => {
    const issued = await assume();
    expect((await fetch(`${emulator.endpoint}/__emulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(emulator.state.stsSessions).toEqual([]);
    const res = await callRaw(emulator, {
      action: 'GetRoutine',
      credential: issued,
      form: { Name: 'x' },
      date: acsDate(clock),
    });
    expect({ status: res.status, code: res.json().Code }).toEqual({
      status: 404,
      code: 'InvalidAccessKeyId.NotFound',
    });
  });
});
