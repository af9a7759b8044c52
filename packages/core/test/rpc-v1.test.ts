import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { computeRpcV1Signature, formatRpcTimestamp } from '../src/signing/rpc-v1.js';

const require = createRequire(import.meta.url);
const { default: OpenApiUtil } = require('@alicloud/openapi-util') as {
  default: {
    getRPCSignature(params: Record<string, string>, method: string, secret: string): string;
  };
};

// The reference's fixture F4: the §2.3 inputs sent as a legacy-signed GET.
const F4 = {
  Action: 'GetRoutineStagingCodeUploadInfo',
  Version: '2024-09-10',
  Format: 'json',
  AccessKeyId: 'testAkId',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
  SignatureNonce: '0123456789abcdef0123456789abcdef',
  Timestamp: '2025-01-02T03:04:05Z',
  Name: 'my-routine',
  CodeDescription: 'v1 build #42 (ok)*~',
};

describe('legacy RPC (HMAC-SHA1) signature', () => {
  it('reproduces the reference fixture F4', () => {
    expect(computeRpcV1Signature('GET', F4, 'testSecret')).toBe('QfvJOYcfOKrNkz0Dge0xusWU7sQ=');
  });

  it('matches the official SDK on the reference inputs and on awkward values', () => {
    const cases: Record<string, string>[] = [
      F4,
      {
        ...F4,
        Action: 'AssumeRole',
        Version: '2015-04-01',
        RoleArn: 'acs:ram::123:role/ci',
        RoleSessionName: 'a b+c/é',
      },
      { ...F4, SecurityToken: 'CAIS+/==token', Policy: '{"Statement":[{"Effect":"Allow"}]}' },
      { ...F4, Empty: '', 'Name With Space': '*~' },
    ];
    for (const params of cases) {
      for (const method of ['GET', 'POST']) {
        expect(computeRpcV1Signature(method, params, 'testSecret')).toBe(
          OpenApiUtil.getRPCSignature(params, method, 'testSecret'),
        );
      }
    }
  });

  it('ignores a Signature already among the parameters and changes with any input', () => {
    const base = computeRpcV1Signature('POST', F4, 'testSecret');
    expect(computeRpcV1Signature('POST', { ...F4, Signature: 'old' }, 'testSecret')).toBe(base);
    expect(computeRpcV1Signature('POST', F4, 'testSecreT')).not.toBe(base);
    expect(computeRpcV1Signature('GET', F4, 'testSecret')).not.toBe(base);
    expect(computeRpcV1Signature('POST', { ...F4, Name: 'my-routinf' }, 'testSecret')).not.toBe(base);
  });

  it('formats the RPC timestamp without milliseconds', () => {
    expect(formatRpcTimestamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)))).toBe('2025-01-02T03:04:05Z');
  });
});
