import OpenApiUtil from '@alicloud/openapi-util';
import { describe, expect, it } from 'vitest';
import {
  computeAcs3Signature,
  formatAcs3Authorization,
  headersToSign,
  sha256Hex,
} from '../src/signing/index.js';

/** A small seeded PRNG, so a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'a',
  'Z',
  '9',
  ' ',
  '!',
  "'",
  '(',
  ')',
  '*',
  '~',
  '-',
  '_',
  '.',
  '%',
  '+',
  '&',
  '=',
  '/',
  '中文',
  'é',
  '😀',
  '#',
  '"',
  '\\',
  '',
];
const NAMES = [
  'Name',
  'CodeDescription',
  'Env',
  'CodeVersion',
  'PageSize',
  'SearchKeyWord',
  'RegionId',
  'X1',
];

describe('ACS3 signer agrees with @alicloud/openapi-util', () => {
  it('on 1,500 random requests (unicode, reserved characters, spaces, empty values, STS)', () => {
    const random = mulberry32(20261128);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const text = (max: number) =>
      Array.from({ length: Math.floor(random() * max) }, () => pick(PIECES)).join('');
    for (let i = 0; i < 1500; i++) {
      const query: Record<string, string> = {};
      const count = Math.floor(random() * 5);
      for (let q = 0; q < count; q++) query[pick(NAMES)] = text(12);
      const body = random() < 0.5 ? '' : text(30);
      const headers: Record<string, string> = {
        host: pick(['esa.cn-hangzhou.aliyuncs.com', '127.0.0.1:40123', 'esa.ap-southeast-1.aliyuncs.com']),
        'x-acs-action': pick([
          'GetRoutineStagingCodeUploadInfo',
          'CommitRoutineStagingCode',
          'PublishRoutineCodeVersion',
        ]),
        'x-acs-version': '2024-09-10',
        'x-acs-date': new Date(1_700_000_000_000 + Math.floor(random() * 1e10))
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        'x-acs-signature-nonce': sha256Hex(String(random())).slice(0, 32),
        'x-acs-content-sha256': sha256Hex(body),
      };
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      if (random() < 0.3) headers['x-acs-security-token'] = `CAIS${text(10)}`;
      if (random() < 0.2) headers['x-acs-extra'] = `  padded ${text(4)}  `;
      if (random() < 0.2) headers['user-agent'] = 'not signed';
      const method = pick(['GET', 'POST']);
      const accessKeyId = random() < 0.3 ? 'STS.testAkId' : 'testAkId';
      const secret = `secret-${i}`;

      const ours = formatAcs3Authorization(
        accessKeyId,
        computeAcs3Signature(
          {
            method,
            query,
            headers,
            signedHeaders: headersToSign(headers),
            payloadSha256: headers['x-acs-content-sha256'] ?? '',
          },
          secret,
        ),
      );
      const oracle = OpenApiUtil.getAuthorization(
        { method, pathname: '/', query, headers } as never,
        'ACS3-HMAC-SHA256',
        headers['x-acs-content-sha256'] ?? '',
        accessKeyId,
        secret,
      );
      expect(ours, JSON.stringify({ i, method, query, headers })).toBe(oracle);
    }
  });
});
