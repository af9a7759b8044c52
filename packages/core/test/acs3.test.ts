import { describe, expect, it } from 'vitest';
import {
  computeAcs3Signature,
  EMPTY_SHA256,
  formatAcs3Authorization,
  formatAcsDate,
  headersToSign,
  parseAcs3Authorization,
  sha256Hex,
} from '../src/signing/index.js';

// Published vectors of Alibaba Cloud's V3 signature page (esa-protocol.md §2.2).
describe('ACS3 documentation vectors', () => {
  const vectors = [
    {
      date: '2023-10-26T10:22:32Z',
      nonce: '3156853299f313e23d1673dc12e1703d',
      hashed: '7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
      signature: '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    },
    {
      date: '2023-10-26T09:01:01Z',
      nonce: 'd410180a5abf7fe235dd9b74aca91fc0',
      hashed: '29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015',
      signature: 'e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804',
    },
  ];
  for (const v of vectors) {
    it(`reproduces ${v.signature.slice(0, 8)}…`, () => {
      const headers = {
        host: 'ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action': 'RunInstances',
        'x-acs-version': '2014-05-26',
        'x-acs-date': v.date,
        'x-acs-signature-nonce': v.nonce,
        'x-acs-content-sha256': EMPTY_SHA256,
      };
      const sig = computeAcs3Signature(
        {
          method: 'POST',
          query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
          headers,
          signedHeaders: headersToSign(headers),
          payloadSha256: sha256Hex(''),
        },
        'YourAccessKeySecret',
      );
      expect(sig.stringToSign).toBe(`ACS3-HMAC-SHA256\n${v.hashed}`);
      expect(sig.signature).toBe(v.signature);
    });
  }
});

// ESA fixtures F1-F3 (esa-protocol.md §2.3).
describe('ACS3 ESA fixtures', () => {
  const base = {
    host: 'esa.cn-hangzhou.aliyuncs.com',
    'x-acs-action': 'GetRoutineStagingCodeUploadInfo',
    'x-acs-version': '2024-09-10',
    'x-acs-date': '2025-01-02T03:04:05Z',
    'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
  };
  const body = 'Name=my-routine&CodeDescription=v1%20build%20%2342%20(ok)*~';
  const f1Headers = {
    ...base,
    'content-type': 'application/x-www-form-urlencoded',
    'x-acs-content-sha256': sha256Hex(body),
  };

  it('F1: SDK style POST with a form body', () => {
    expect(f1Headers['x-acs-content-sha256']).toBe(
      '78d40a75ce96b7d6293d15bf44ebe72b9d402b27258d54b1d322135e41fc2a75',
    );
    const sig = computeAcs3Signature(
      {
        method: 'POST',
        query: {},
        headers: f1Headers,
        signedHeaders: headersToSign(f1Headers),
        payloadSha256: f1Headers['x-acs-content-sha256'],
      },
      'testSecret',
    );
    expect(sig.signedHeaders).toBe(
      'content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
    );
    expect(sig.signature).toBe('58285d98945f636caed4157b2166937421696803a66c4c08de37e9426c08256c');
  });

  it('F2: F1 with an STS token', () => {
    const headers = { ...f1Headers, 'x-acs-security-token': 'testStsToken' };
    const sig = computeAcs3Signature(
      {
        method: 'POST',
        query: {},
        headers,
        signedHeaders: headersToSign(headers),
        payloadSha256: headers['x-acs-content-sha256'],
      },
      'testSecret',
    );
    expect(sig.signature).toBe('f8317633dd3963bba3f219401d914a36d6f4ca0ff146740363cabfd1c5a01460');
  });

  it('F3: esa-cli style GET with a query', () => {
    const headers = { ...base, 'x-acs-content-sha256': EMPTY_SHA256 };
    const input = {
      method: 'GET',
      query: { Name: 'my-routine', CodeDescription: 'v1 build #42 (ok)*~' },
      headers,
      signedHeaders: headersToSign(headers),
      payloadSha256: EMPTY_SHA256,
    };
    const sig = computeAcs3Signature(input, 'testSecret');
    expect(sig.canonicalRequest.split('\n')[2]).toBe(
      'CodeDescription=v1%20build%20%2342%20%28ok%29%2A~&Name=my-routine',
    );
    expect(sig.signature).toBe('55799362f81eb10880fa7128597b0831e982673f951e49bbb369ae4abe7fc41f');
  });
});

describe('Authorization header', () => {
  it('round-trips through format and parse', () => {
    const sig = {
      canonicalRequest: '',
      stringToSign: '',
      signedHeaders: 'host;x-acs-date',
      signature: 'a'.repeat(64),
    };
    const header = formatAcs3Authorization('AK', sig);
    expect(header).toBe(
      `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=${'a'.repeat(64)}`,
    );
    expect(parseAcs3Authorization(header)).toEqual({
      accessKeyId: 'AK',
      signedHeaders: ['host', 'x-acs-date'],
      signature: 'a'.repeat(64),
    });
  });

  it('rejects other shapes', () => {
    expect(
      parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=AK, SignedHeaders=host,Signature=ab'),
    ).toBeUndefined();
    expect(parseAcs3Authorization('acs AK:sig')).toBeUndefined();
  });

  it('formats x-acs-date without milliseconds', () => {
    expect(formatAcsDate(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)))).toBe('2025-01-02T03:04:05Z');
  });
});
