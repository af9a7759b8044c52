// Pure parts of the STS side: the legacy RPC signer against the protocol report's fixture F4 and
// @alicloud/openapi-util, and the option checks.
import OpenApiUtil from '@alicloud/openapi-util';
import { describe, expect, it } from 'vitest';
import { EMULATOR_OIDC_TRUST, EMULATOR_ROLE_ARN } from '../src/index.js';
import { resolveEmulatorOptions } from '../src/options.js';
import { rpcSignature, rpcStringToSign } from '../src/sts/verify-rpc.js';

describe('legacy RPC signature', () => {
  it('reproduces fixture F4 of esa-protocol.md §3 (QfvJOYcfOKrNkz0Dge0xusWU7sQ=)', () => {
    const params = {
      Action: 'GetRoutineStagingCodeUploadInfo',
      Version: '2024-09-10',
      Format: 'json',
      Timestamp: '2025-01-02T03:04:05Z',
      SignatureNonce: '0123456789abcdef0123456789abcdef',
      AccessKeyId: 'testAkId',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      Name: 'my-routine',
      CodeDescription: 'v1 build #42 (ok)*~',
    };
    expect(rpcSignature(rpcStringToSign('GET', params), 'testSecret')).toBe('QfvJOYcfOKrNkz0Dge0xusWU7sQ=');
    // Signature itself is never signed.
    expect(rpcStringToSign('GET', { ...params, Signature: 'x' })).toBe(rpcStringToSign('GET', params));
  });

  it("agrees with @alicloud/openapi-util's getRPCSignature on values that need encoding", () => {
    const params = {
      Action: 'AssumeRole',
      RoleSessionName: "a b+c/d=e&f~g!h'i(j)k*l",
      Policy: '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      Unicode: '中文 émoji 🙂',
      SecurityToken: 'CAISab+/cd==',
      Empty: '',
    };
    for (const method of ['GET', 'POST']) {
      expect(rpcSignature(rpcStringToSign(method, params), 's3cr3t')).toBe(
        OpenApiUtil.getRPCSignature(params, method, 's3cr3t'),
      );
    }
  });
});

describe('STS options', () => {
  it('default to the well-known trust and role, and stsPort 0', () => {
    const resolved = resolveEmulatorOptions();
    expect(resolved.stsPort).toBe(0);
    expect(resolved.ramRoles).toEqual([EMULATOR_ROLE_ARN]);
    expect(resolved.oidc).toEqual([{ ...EMULATOR_OIDC_TRUST, audience: undefined, issuer: undefined }]);
    expect(EMULATOR_OIDC_TRUST).toEqual({
      providerArn: 'acs:ram::1234567890123456:oidc-provider/GitHubActions',
      roleArn: 'acs:ram::1234567890123456:role/esa-stage-ci',
    });
  });

  it('normalise an audience to a list', () => {
    const resolved = resolveEmulatorOptions({
      oidc: [{ ...EMULATOR_OIDC_TRUST, audience: 'sts.aliyuncs.com' }],
    });
    expect(resolved.oidc[0]?.audience).toEqual(['sts.aliyuncs.com']);
  });

  it('refuse malformed ARNs, audiences, issuers and ports, naming the option', () => {
    const trust = EMULATOR_OIDC_TRUST;
    const cases: Array<[Parameters<typeof resolveEmulatorOptions>[0], RegExp]> = [
      [{ ramRoles: ['acs:ram::1:user/x'] }, /ramRoles\[\] must be a RAM role ARN/],
      [{ oidc: [{ ...trust, roleArn: 'role/x' }] }, /oidc\[\]\.roleArn must be a RAM role ARN/],
      [{ oidc: [{ ...trust, providerArn: 'acs:ram::1:role/x' }] }, /oidc\[\]\.providerArn must be like/],
      [{ oidc: [{ ...trust, audience: [] }] }, /oidc\[\]\.audience must be/],
      [{ oidc: [{ ...trust, audience: [''] }] }, /oidc\[\]\.audience must be/],
      [{ oidc: [{ ...trust, issuer: '' }] }, /oidc\[\]\.issuer must be/],
      [{ stsPort: 70_000 }, /stsPort must be an integer from 0 to 65535/],
    ];
    for (const [options, message] of cases) expect(() => resolveEmulatorOptions(options)).toThrow(message);
  });
});
