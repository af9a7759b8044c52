// Pure parts of the ESA side: the verifier against the protocol report's fixtures, parsing, nonces.
import { describe, expect, it } from 'vitest';
import {
  parseDeploymentCodeVersions,
  quoteNumericCodeVersions,
} from '../src/esa/actions/deployment-versions.js';
import { EsaApiError } from '../src/esa/errors.js';
import { NonceStore } from '../src/esa/nonce-store.js';
import { decodeBodyParams, decodeUrlEncoded, mergeParams } from '../src/esa/parse-request.js';
import { buildOssPostConfig, stagingObjectKey } from '../src/esa/upload-info.js';
import { parseAcsDate, type ReceivedRequest, verifyAcs3 } from '../src/esa/verify-acs3.js';
import { resolveEmulatorOptions } from '../src/options.js';

// Fixtures F1–F3 of esa-protocol.md §2.3, computed there with the SDK's own helpers.
const NOW = Date.parse('2025-01-02T03:04:05Z');
const CREDENTIALS = [
  { accessKeyId: 'testAkId', accessKeySecret: 'testSecret' },
  { accessKeyId: 'STS.testAkId', accessKeySecret: 'testSecret', securityToken: 'testStsToken' },
];
const F1_BODY = 'Name=my-routine&CodeDescription=v1%20build%20%2342%20(ok)*~';
const BASE_HEADERS = {
  host: 'esa.cn-hangzhou.aliyuncs.com',
  'x-acs-action': 'GetRoutineStagingCodeUploadInfo',
  'x-acs-version': '2024-09-10',
  'x-acs-date': '2025-01-02T03:04:05Z',
  'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
};
const SIGNED = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version';

function f1(
  ak = 'testAkId',
  signature = '58285d98945f636caed4157b2166937421696803a66c4c08de37e9426c08256c',
  extra = {},
) {
  return {
    method: 'POST',
    query: {},
    body: Buffer.from(F1_BODY),
    headers: {
      ...BASE_HEADERS,
      ...extra,
      'content-type': 'application/x-www-form-urlencoded',
      'x-acs-content-sha256': '78d40a75ce96b7d6293d15bf44ebe72b9d402b27258d54b1d322135e41fc2a75',
      authorization: `ACS3-HMAC-SHA256 Credential=${ak},SignedHeaders=content-type;${SIGNED}${'x-acs-security-token' in extra ? ';x-acs-security-token' : ''},Signature=${signature}`,
    },
  } satisfies ReceivedRequest;
}

function verify(req: ReceivedRequest, now = NOW) {
  return verifyAcs3(req, {
    findCredential: (id) => {
      const found = CREDENTIALS.find((c) => c.accessKeyId === id);
      return found && { ...found, principal: undefined, expiresAt: undefined };
    },
    now,
    maxClockSkewMs: 900_000,
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof EsaApiError) return error.code;
    throw error;
  }
  return 'none';
}

describe('verifyAcs3 against the SDK fixtures', () => {
  it('accepts F1 (SDK POST form body)', () => {
    expect(verify(f1()).nonce).toBe(BASE_HEADERS['x-acs-signature-nonce']);
  });

  it('accepts F2 (STS token)', () => {
    const req = f1('STS.testAkId', 'f8317633dd3963bba3f219401d914a36d6f4ca0ff146740363cabfd1c5a01460', {
      'x-acs-security-token': 'testStsToken',
    });
    expect(verify(req).credential.accessKeyId).toBe('STS.testAkId');
  });

  it('accepts F3 (esa-cli GET query) from its decoded query', () => {
    const query = decodeUrlEncoded('CodeDescription=v1%20build%20%2342%20(ok)*~&Name=my-routine', 'query');
    const req: ReceivedRequest = {
      method: 'GET',
      query,
      body: Buffer.alloc(0),
      headers: {
        ...BASE_HEADERS,
        'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        authorization: `ACS3-HMAC-SHA256 Credential=testAkId,SignedHeaders=${SIGNED},Signature=55799362f81eb10880fa7128597b0831e982673f951e49bbb369ae4abe7fc41f`,
      },
    };
    expect(verify(req).nonce).toBe(BASE_HEADERS['x-acs-signature-nonce']);
  });

  it('refuses F1 with one signature digit changed, or out of the time window', () => {
    expect(codeOf(() => verify(f1('testAkId', `68285d${'0'.repeat(58)}`)))).toBe('SignatureDoesNotMatch');
    expect(codeOf(() => verify(f1(), NOW + 900_001))).toBe('InvalidTimeStamp.Expired');
    expect(codeOf(() => verify(f1(), NOW - 900_000))).toBe('none');
  });
});

describe('parseAcsDate', () => {
  it('takes only YYYY-MM-DDTHH:mm:ssZ dates that exist', () => {
    expect(parseAcsDate('2025-01-02T03:04:05Z')).toBe(NOW);
    for (const bad of [
      '2025-02-30T00:00:00Z',
      '2025-01-02T03:04:05.000Z',
      '2025-01-02 03:04:05Z',
      '1735787045',
    ]) {
      expect(parseAcsDate(bad)).toBeUndefined();
    }
  });
});

describe('request parameters', () => {
  it('decodes %20 and + as spaces and keeps UTF-8', () => {
    expect(decodeUrlEncoded('a=x%20y+z&b=%E4%B8%AD&c&d=', 'query')).toEqual({
      a: 'x y z',
      b: '中',
      c: '',
      d: '',
    });
  });

  it('refuses repeated names, malformed escapes and names in both query and body', () => {
    expect(codeOf(() => decodeUrlEncoded('a=1&a=2', 'query'))).toBe('InvalidParameter');
    expect(codeOf(() => decodeUrlEncoded('a=%E4%B8', 'query'))).toBe('InvalidParameter');
    expect(codeOf(() => mergeParams({ a: '1' }, { a: '2' }))).toBe('InvalidParameter');
    expect(mergeParams({ a: '1' }, { b: '2' })).toEqual({ a: '1', b: '2' });
  });

  it('reads form and JSON bodies by content type only', () => {
    const form = Buffer.from('Name=n&PageSize=2');
    expect(decodeBodyParams('application/x-www-form-urlencoded; charset=utf-8', form)).toEqual({
      Name: 'n',
      PageSize: '2',
    });
    expect(
      decodeBodyParams('application/json', Buffer.from('{"Name":"n","PageSize":2,"Conf":{"a":1}}')),
    ).toEqual({
      Name: 'n',
      PageSize: '2',
      Conf: '{"a":1}',
    });
    expect(decodeBodyParams('application/octet-stream', form)).toEqual({});
    expect(codeOf(() => decodeBodyParams('application/json', Buffer.from('[1]')))).toBe('InvalidParameter');
  });
});

describe('NonceStore', () => {
  it('refuses a nonce within the window and forgets it after', () => {
    const store = new NonceStore(1000);
    store.use('a', 0);
    expect(codeOf(() => store.use('a', 1000))).toBe('SignatureNonceUsed');
    store.use('b', 1500);
    store.use('a', 2001);
    expect(store.size).toBe(2);
    store.use('c', 5000);
    expect(store.size).toBe(1);
  });
});

describe('buildOssPostConfig', () => {
  it('is deterministic and names the object after routine and version', () => {
    const input = {
      routine: 'r1',
      codeVersion: '1234567890123456789',
      description: '',
      now: NOW,
      policyTtlMs: 1000,
      maxObjectSize: 10,
      bucket: { name: 'b', accessKeyId: 'id', accessKeySecret: 's' },
      ossUrl: 'http://127.0.0.1:1',
      callbackUrl: 'http://127.0.0.1:2/cb',
    };
    const config = buildOssPostConfig(input);
    expect(config).toEqual(buildOssPostConfig(input));
    expect(config.key).toBe(stagingObjectKey('r1', '1234567890123456789'));
    expect(config.key).toBe('site_er_js/r1.1234567890123456789.unstable.js');
    expect(config['x:codeDescription']).toBe('');
  });
});

describe('CodeVersions of CreateRoutineCodeDeployment', () => {
  it('quotes bare CodeVersion numbers only, keeping every digit', () => {
    expect(quoteNumericCodeVersions('[{"CodeVersion": 1710120201067203242 ,"Percentage":100}]')).toBe(
      '[{"CodeVersion": "1710120201067203242" ,"Percentage":100}]',
    );
    // Not inside a string, not another member, not an already quoted version.
    const untouched = '[{"CodeVersion":"17","Percentage":100,"Note":"\\"CodeVersion\\":1"}]';
    expect(quoteNumericCodeVersions(untouched)).toBe(untouched);
    expect(parseDeploymentCodeVersions('[{"CodeVersion":1710120201067203242,"Percentage":100}]')).toEqual([
      { codeVersion: '1710120201067203242', percentage: 100 },
    ]);
    expect(
      parseDeploymentCodeVersions('[{"Percentage":90,"CodeVersion":"a"},{"CodeVersion":2,"Percentage":10}]'),
    ).toEqual([
      { codeVersion: 'a', percentage: 90 },
      { codeVersion: '2', percentage: 10 },
    ]);
  });

  it('refuses each broken rule with InvalidParameter', () => {
    for (const text of [
      'not json',
      '{}',
      '[]',
      '[1]',
      '[{"Percentage":100}]',
      '[{"CodeVersion":null,"Percentage":100}]',
      '[{"CodeVersion":"a","Percentage":"100"}]',
      '[{"CodeVersion":"a","Percentage":0}]',
      '[{"CodeVersion":"a","Percentage":60},{"CodeVersion":"a","Percentage":40}]',
      '[{"CodeVersion":"a","Percentage":60},{"CodeVersion":"b","Percentage":30}]',
      '[{"CodeVersion":"a","Percentage":50},{"CodeVersion":"b","Percentage":25},{"CodeVersion":"c","Percentage":25}]',
    ]) {
      expect(
        codeOf(() => parseDeploymentCodeVersions(text)),
        text,
      ).toBe('InvalidParameter');
    }
  });
});

describe('stagingIps option', () => {
  it('defaults to 127.0.0.1 and accepts only IPv4 addresses', () => {
    expect(resolveEmulatorOptions().stagingIps).toEqual(['127.0.0.1']);
    expect(resolveEmulatorOptions({ stagingIps: ['10.1.2.3', '8.8.8.8'] }).stagingIps).toEqual([
      '10.1.2.3',
      '8.8.8.8',
    ]);
    for (const bad of ['::1', '256.0.0.1', 'localhost', '10.0.0']) {
      expect(() => resolveEmulatorOptions({ stagingIps: [bad] })).toThrow(/stagingIps must hold IPv4/);
    }
    expect(() => resolveEmulatorOptions({ stagingIps: '10.0.0.1' as unknown as string[] })).toThrow(
      /stagingIps must be an array/,
    );
  });
});
