// STS AssumeRoleWithOIDC as sent on the wire: the answer's shape, and every refusal with its code
// and status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EMULATOR_ACCOUNT_ID,
  EMULATOR_OIDC_TRUST,
  EMULATOR_ROLE_ARN,
  type Emulator,
  startEmulator,
} from '../src/index.js';
import type { RawResponse } from './esa-helpers.js';
import { githubClaims, sendSts, stsTimestamp, unsignedJwt } from './sts-helpers.js';

let emulator: Emulator;
let clock = Date.parse('2026-11-28T15:16:35.250Z');
const bodies: string[] = [];

const STRICT = {
  providerArn: `acs:ram::${EMULATOR_ACCOUNT_ID}:oidc-provider/Strict`,
  roleArn: `acs:ram::${EMULATOR_ACCOUNT_ID}:role/strict-role`,
  audience: ['sts.aliyuncs.com', 'second-client'],
  issuer: 'https://token.actions.githubusercontent.com',
};

beforeAll(async () => {
  emulator = await startEmulator({ now: () => clock, oidc: [EMULATOR_OIDC_TRUST, STRICT] });
});

afterAll(async () => {
  await emulator.close();
  // No error answer ever carried a token back.
  for (const body of bodies) expect(body).not.toMatch(/eyJ[\w-]+\.eyJ/);
});

const query = (extra: Record<string, string> = {}) => ({
  Action: 'AssumeRoleWithOIDC',
  Version: '2015-04-01',
  Format: 'JSON',
  Timestamp: stsTimestamp(clock),
  ...extra,
});

function form(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    OIDCProviderArn: EMULATOR_OIDC_TRUST.providerArn,
    RoleArn: EMULATOR_ROLE_ARN,
    OIDCToken: unsignedJwt(githubClaims(clock)),
    RoleSessionName: 'gha-run',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

async function call(f: Record<string, string>, q: Record<string, string> = query()): Promise<RawResponse> {
  const res = await sendSts(emulator, { query: q, form: f });
  if (res.status !== 200) bodies.push(res.text);
  return res;
}

async function expectError(res: RawResponse, status: number, code: string): Promise<string> {
  const body = res.json();
  expect({ status: res.status, code: body.Code }).toEqual({ status, code });
  expect(Object.keys(body)).toEqual(['RequestId', 'HostId', 'Code', 'Message', 'Recommend']);
  expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
  expect(body.RequestId).toBe(res.headers['x-acs-request-id']);
  expect(String(body.Recommend)).toBe(
    `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Sts`,
  );
  const last = emulator.state.requests.at(-1);
  expect(last).toMatchObject({ service: 'sts', status, code, requestId: body.RequestId });
  return String(body.Message);
}

describe('a trusted token', () => {
  it('gets credentials in STS JSON, valid for DurationSeconds from now, whole seconds', async () => {
    const res = await call(form({ DurationSeconds: '900' }));
    expect(res.status).toBe(200);
    const body = res.json() as Record<string, Record<string, string>>;
    expect(Object.keys(body)).toEqual(['RequestId', 'AssumedRoleUser', 'OIDCTokenInfo', 'Credentials']);
    expect(body.RequestId).toBe(res.headers['x-acs-request-id']);
    expect(body.AssumedRoleUser).toEqual({
      Arn: `acs:ram::${EMULATOR_ACCOUNT_ID}:assumed-role/esa-stage-ci/gha-run`,
      AssumedRoleId: expect.stringMatching(/^3\d{16}:gha-run$/),
    });
    const claims = githubClaims(clock);
    expect(body.OIDCTokenInfo).toEqual({
      Subject: claims.sub,
      Issuer: claims.iss,
      ClientIds: 'sts.aliyuncs.com',
      ExpirationTime: stsTimestamp(Number(claims.exp) * 1000),
      IssuanceTime: stsTimestamp(Number(claims.iat) * 1000),
    });
    expect(Object.keys(body.Credentials ?? {})).toEqual([
      'AccessKeyId',
      'AccessKeySecret',
      'SecurityToken',
      'Expiration',
    ]);
    expect(body.Credentials?.Expiration).toBe('2026-11-28T15:31:35Z');
    expect(emulator.state.stsSessions.at(-1)?.expiration.toISOString()).toBe('2026-11-28T15:31:35.000Z');
  });

  it('takes its parameters from the query as well (GET), and defaults DurationSeconds to 3600', async () => {
    const res = await sendSts(emulator, { method: 'GET', query: { ...query(), ...form() } });
    expect(res.status).toBe(200);
    expect((res.json().Credentials as Record<string, string>).Expiration).toBe('2026-11-28T16:16:35Z');
  });

  it('accepts the limits: a 64-character session name, 43200 s, a policy, an audience in an array', async () => {
    const policy = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'esa:*', Resource: '*' }],
    });
    const token = unsignedJwt(githubClaims(clock, { aud: ['other', 'second-client'] }));
    const res = await call(
      form({
        OIDCProviderArn: STRICT.providerArn,
        RoleArn: STRICT.roleArn,
        OIDCToken: token,
        RoleSessionName: `${'a'.repeat(60)}.@-_`,
        DurationSeconds: '43200',
        Policy: policy,
      }),
    );
    expect(res.status).toBe(200);
    expect(emulator.state.stsSessions.at(-1)).toMatchObject({ policy, durationSeconds: 43200 });
  });

  it('needs no Timestamp, but refuses a malformed or skewed one', async () => {
    const { Timestamp: _, ...noTimestamp } = query();
    expect((await call(form(), noTimestamp)).status).toBe(200);
    await expectError(
      await call(form(), query({ Timestamp: new Date(clock).toISOString() })),
      400,
      'InvalidTimeStamp.Format',
    );
    await expectError(
      await call(form(), query({ Timestamp: stsTimestamp(clock - 16 * 60_000) })),
      400,
      'InvalidTimeStamp.Expired',
    );
  });
});

describe('the gateway', () => {
  it('refuses another Version, another Format, an unknown action, path or method', async () => {
    await expectError(await call(form(), query({ Version: '2015-04-02' })), 400, 'InvalidVersion');
    const { Version: _, ...noVersion } = query();
    await expectError(await call(form(), noVersion), 400, 'InvalidVersion');
    await expectError(await call(form(), query({ Format: 'XML' })), 400, 'InvalidParameter.Format');
    await expectError(await call(form(), query({ Action: 'GetCallerIdentity' })), 404, 'InvalidApi.NotFound');
    await expectError(
      await sendSts(emulator, { path: '/v1/sts', query: query(), form: form() }),
      404,
      'InvalidApi.NotFound',
    );
    const put = await fetch(`${emulator.stsEndpoint}/?Action=AssumeRoleWithOIDC`, { method: 'PUT' });
    expect({ status: put.status, code: ((await put.json()) as { Code: string }).Code }).toEqual({
      status: 400,
      code: 'UnsupportedHTTPMethod',
    });
  });

  it('refuses a parameter given twice', async () => {
    const res = await sendSts(emulator, { query: { ...query(), RoleArn: EMULATOR_ROLE_ARN }, form: form() });
    expect(await expectError(res, 400, 'InvalidParameter')).toContain('RoleArn');
  });
});

describe('parameters', () => {
  for (const name of ['OIDCProviderArn', 'RoleArn', 'OIDCToken', 'RoleSessionName']) {
    it(`answers MissingParameter.${name} without ${name}`, async () => {
      const message = await expectError(
        await call(form({ [name]: undefined })),
        400,
        `MissingParameter.${name}`,
      );
      expect(message).toBe(`Parameter ${name} is required.`);
    });
  }

  it('refuses malformed ARNs', async () => {
    await expectError(
      await call(form({ RoleArn: `acs:ram::${EMULATOR_ACCOUNT_ID}:user/alice` })),
      400,
      'InvalidParameter.RoleArn',
    );
    await expectError(
      await call(form({ OIDCProviderArn: 'arn:aws:iam::123:oidc-provider/x' })),
      400,
      'InvalidParameter.OIDCProviderArn',
    );
  });

  it('refuses a session name that is too short, too long or has other characters', async () => {
    for (const name of ['a', 'a'.repeat(65), 'has space', 'slash/name', 'ninja*']) {
      await expectError(await call(form({ RoleSessionName: name })), 400, 'InvalidParameter.RoleSessionName');
    }
  });

  it('refuses DurationSeconds outside 900..43200 or not a whole number', async () => {
    for (const value of ['899', '43201', '3600.5', '-900', 'abc', '']) {
      await expectError(
        await call(form({ DurationSeconds: value })),
        400,
        'InvalidParameter.DurationSeconds',
      );
    }
  });

  it('refuses a policy that is not a policy document, or is over 2048 characters', async () => {
    await expectError(await call(form({ Policy: '{' })), 400, 'InvalidParameter.PolicyGrammar');
    await expectError(
      await call(form({ Policy: '{"Statement":[]}' })),
      400,
      'InvalidParameter.PolicyGrammar',
    );
    const big = JSON.stringify({ Version: '1', Statement: [], Pad: 'x'.repeat(2048) });
    await expectError(await call(form({ Policy: big })), 400, 'InvalidParameter.PolicySize');
  });
});

describe('the token', () => {
  it('must not be empty, and must be 4 to 20000 characters', async () => {
    expect(
      await expectError(await call(form({ OIDCToken: '' })), 401, 'AuthenticationFail.OIDCToken.Invalid'),
    ).toBe('The OIDCToken can not empty.');
    await expectError(await call(form({ OIDCToken: 'a.b' })), 400, 'InvalidParameter.OIDCToken');
    const huge = unsignedJwt(githubClaims(clock, { pad: 'x'.repeat(20_000) }));
    await expectError(await call(form({ OIDCToken: huge })), 400, 'InvalidParameter.OIDCToken');
  });

  it('must be three base64url parts, a JSON header with alg, a JSON payload with iss, sub, aud, exp', async () => {
    const good = unsignedJwt(githubClaims(clock));
    const [header = '', payload = ''] = good.split('.');
    const cases: Array<[string, RegExp]> = [
      [`${header}.${payload}`, /divided into 3 parts/],
      [`${good}.extra`, /divided into 3 parts/],
      [`${header}.${payload}.sig+nature`, /Cannot decode base64/],
      [`${header}.pay!load.`, /Cannot decode base64/],
      [`${Buffer.from('not json').toString('base64url')}.${payload}.`, /header is not JSON/],
      [unsignedJwt(githubClaims(clock), { typ: 'JWT' }), /header has no "alg"/],
      [`${header}.${Buffer.from('[1,2]').toString('base64url')}.`, /payload is not a JSON object/],
      [unsignedJwt(githubClaims(clock, { exp: undefined })), /no "exp"/],
      [unsignedJwt(githubClaims(clock, { exp: '2030-01-01' })), /no "exp"/],
      [unsignedJwt(githubClaims(clock, { sub: undefined })), /no "sub"/],
      [unsignedJwt(githubClaims(clock, { iss: 42 })), /no "iss"/],
      [unsignedJwt(githubClaims(clock, { aud: [] })), /"aud" must be/],
      [unsignedJwt(githubClaims(clock, { aud: undefined })), /"aud" must be/],
    ];
    for (const [token, message] of cases) {
      expect(
        await expectError(
          await call(form({ OIDCToken: token })),
          401,
          'AuthenticationFail.OIDCToken.Invalid',
        ),
      ).toMatch(message);
    }
  });

  it('may carry a signature (never verified) and any alg', async () => {
    const signed = `${unsignedJwt(githubClaims(clock), { alg: 'RS256', kid: 'k1' })}c2lnbmF0dXJl`;
    expect((await call(form({ OIDCToken: signed }))).status).toBe(200);
  });

  it('is refused once expired on the emulator clock', async () => {
    const now = Math.floor(clock / 1000);
    for (const exp of [now - 3600, now]) {
      const message = await expectError(
        await call(form({ OIDCToken: unsignedJwt(githubClaims(clock, { exp })) })),
        401,
        'AuthenticationFail.OIDCToken.Expired',
      );
      expect(message).toMatch(/^This JsonWebToken is expired: /);
    }
    expect((await call(form({ OIDCToken: unsignedJwt(githubClaims(clock, { exp: now + 1 })) }))).status).toBe(
      200,
    );
    // The same token, once the emulator's clock has passed its exp.
    const token = unsignedJwt(githubClaims(clock, { exp: now + 60 }));
    clock += 61_000;
    try {
      await expectError(await call(form({ OIDCToken: token })), 401, 'AuthenticationFail.OIDCToken.Expired');
    } finally {
      clock -= 61_000;
    }
  });

  it("must name the trust's issuer and one of its client IDs when the trust sets them", async () => {
    const strict = (claims: Record<string, unknown>) =>
      form({
        OIDCProviderArn: STRICT.providerArn,
        RoleArn: STRICT.roleArn,
        OIDCToken: unsignedJwt(githubClaims(clock, claims)),
      });
    expect((await call(strict({}))).status).toBe(200);
    expect(
      await expectError(
        await call(strict({ aud: 'github-actions' })),
        401,
        'AuthenticationFail.OIDCToken.AudienceNotMatch',
      ),
    ).toMatch(/^Invalid audience: /);
    await expectError(
      await call(strict({ aud: ['a', 'b'] })),
      401,
      'AuthenticationFail.OIDCToken.AudienceNotMatch',
    );
    expect(
      await expectError(
        await call(strict({ iss: 'https://gitlab.com' })),
        401,
        'AuthenticationFail.OIDCToken.IssuerNotMatch',
      ),
    ).toMatch(/^The issuer in the OIDC Token doesn't match the OIDC Provider registered/);
    // The default trust sets neither: any audience and issuer.
    expect(
      (await call(form({ OIDCToken: unsignedJwt(githubClaims(clock, { aud: 'x', iss: 'y' })) }))).status,
    ).toBe(200);
  });
});

describe('trust', () => {
  it('refuses an unknown provider, an unknown role, and a role that does not trust the provider', async () => {
    const noProvider = await expectError(
      await call(form({ OIDCProviderArn: `acs:ram::${EMULATOR_ACCOUNT_ID}:oidc-provider/Unknown` })),
      401,
      'AuthenticationFail.NoPermission',
    );
    expect(noProvider).toMatch(/^No such OIDC Provider registered/);
    const noRole = await expectError(
      await call(form({ RoleArn: `acs:ram::${EMULATOR_ACCOUNT_ID}:role/nobody` })),
      404,
      'EntityNotExist.Role',
    );
    expect(noRole).toBe(`The role not exists: acs:ram::${EMULATOR_ACCOUNT_ID}:role/nobody.`);
    const untrusted = await expectError(
      await call(form({ RoleArn: STRICT.roleArn })),
      401,
      'AuthenticationFail.NoPermission',
    );
    expect(untrusted).toMatch(/^There is no permission/);
    // ARNs are compared exactly.
    await expectError(
      await call(form({ RoleArn: EMULATOR_ROLE_ARN.replace('esa-stage-ci', 'ESA-Stage-CI') })),
      404,
      'EntityNotExist.Role',
    );
  });

  it('records every refusal without an AccessKey, and issues nothing for it', () => {
    const refused = emulator.state.requests.filter((r) => r.service === 'sts' && r.status !== 200);
    expect(refused.length).toBeGreaterThan(30);
    expect(refused.every((r) => r.accessKeyId === undefined && r.principal === undefined)).toBe(true);
    const answered = emulator.state.requests.filter((r) => r.service === 'sts' && r.status === 200);
    expect(emulator.state.stsSessions.map((s) => s.requestId)).toEqual(answered.map((r) => r.requestId));
  });
});
