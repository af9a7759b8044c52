import { describe, expect, it } from 'vitest';
import { OssError } from '../src/oss/errors.js';
import {
  checkPolicyContentLength,
  checkPolicyExpiration,
  checkPolicyFields,
  decodePolicy,
  formatCondition,
  policyMaxSize,
} from '../src/oss/policy.js';
import { policySignatureMatches, signPolicyV1 } from '../src/oss/signature-v1.js';
import { aliOssSign, base64Json } from './oss-helpers.js';

const FIXTURE_JSON =
  '{"expiration":"2030-01-01T12:00:00.000Z","conditions":[{"bucket":"examplebucket"},["content-length-range",1,10485760],["starts-with","$key","site_er_js/"],["eq","$success_action_status","200"]]}';

function thrown(fn: () => unknown): OssError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OssError) return error;
    throw error;
  }
  throw new Error('expected an OssError');
}

function policyOf(conditions: unknown[], expiration = '2030-01-01T12:00:00.000Z') {
  return decodePolicy(base64Json({ expiration, conditions }));
}

function lookupFrom(fields: Record<string, string>) {
  return (field: string) => fields[field] ?? '';
}

describe('V1 policy signature', () => {
  it('matches the documented fixture and ali-oss', () => {
    const policy = Buffer.from(FIXTURE_JSON, 'utf8').toString('base64');
    expect(signPolicyV1(policy, 'testSecret')).toBe('Ovd/ogOPXMB4rs9i4BiBWf60PoA=');
    expect(policySignatureMatches(policy, 'Ovd/ogOPXMB4rs9i4BiBWf60PoA=', 'testSecret')).toBe(true);
    expect(policySignatureMatches(policy, 'Ovd/ogOPXMB4rs9i4BiBWf60PoA=', 'otherSecret')).toBe(false);
    const oracle = aliOssSign(
      { accessKeyId: 'testAkId', accessKeySecret: 'testSecret' },
      'examplebucket',
      JSON.parse(FIXTURE_JSON) as object,
    );
    expect(oracle).toEqual({
      OSSAccessKeyId: 'testAkId',
      policy,
      Signature: 'Ovd/ogOPXMB4rs9i4BiBWf60PoA=',
    });
  });
});

describe('decodePolicy', () => {
  it('decodes the fixture into typed conditions', () => {
    const policy = decodePolicy(Buffer.from(FIXTURE_JSON).toString('base64'));
    expect(policy.expiration.toISOString()).toBe('2030-01-01T12:00:00.000Z');
    expect(policy.conditions).toEqual([
      {
        kind: 'field',
        operator: 'eq',
        field: 'bucket',
        value: 'examplebucket',
        text: '["eq", "$bucket", "examplebucket"]',
      },
      { kind: 'content-length-range', min: 1, max: 10485760, text: '["content-length-range", 1, 10485760]' },
      {
        kind: 'field',
        operator: 'starts-with',
        field: 'key',
        value: 'site_er_js/',
        text: '["starts-with", "$key", "site_er_js/"]',
      },
      {
        kind: 'field',
        operator: 'eq',
        field: 'success_action_status',
        value: '200',
        text: '["eq", "$success_action_status", "200"]',
      },
    ]);
    expect(policyMaxSize(policy)).toBe(10485760);
  });

  it.each([
    ['not base64', '!!!notbase64', 'Invalid Policy: Invalid Base64'],
    ['empty', '', 'Invalid Policy: Invalid Base64'],
    ['not JSON', Buffer.from('{"expiration":').toString('base64'), 'Invalid Policy: Invalid JSON: '],
    ['a JSON array', base64Json([1]), 'Invalid Policy: Invalid JSON: '],
    [
      'no expiration',
      base64Json({ conditions: [{ bucket: 'b' }] }),
      'Invalid Policy: Policy missing expiration.',
    ],
    [
      'a bad expiration',
      base64Json({ expiration: 'tomorrow', conditions: [{ bucket: 'b' }] }),
      "Invalid Policy: Invalid 'expiration' value",
    ],
    [
      'no conditions',
      base64Json({ expiration: '2030-01-01T00:00:00Z' }),
      'Invalid Policy: Policy missing conditions.',
    ],
    [
      'empty conditions',
      base64Json({ expiration: '2030-01-01T00:00:00Z', conditions: [] }),
      "Invalid Policy: Invalid 'conditions' value",
    ],
  ])('refuses %s with InvalidPolicyDocument', (_label, value, message) => {
    const error = thrown(() => decodePolicy(value));
    expect(error.code).toBe('InvalidPolicyDocument');
    expect(error.status).toBe(400);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it.each([
    ['an unknown operator', ['ends-with', '$key', '.js']],
    ['a map with two properties', { bucket: 'b', key: 'k' }],
    ['an empty map', {}],
    ['a map with a non-string value', { key: 5 }],
    ['a list of two items', ['eq', '$key']],
    ['a field without $', ['eq', 'key', 'k']],
    ['starts-with a number', ['starts-with', '$key', 5]],
    ['in without a list', ['in', '$key', 'k']],
    ['not-in with a number', ['not-in', '$key', ['a', 1]]],
    ['a negative length', ['content-length-range', -1, 10]],
    ['min above max', ['content-length-range', 10, 1]],
    ['a string condition', 'key'],
    ['a null condition', null],
  ])('refuses %s with InvalidPolicyDocument', (_label, condition) => {
    const error = thrown(() => policyOf([condition]));
    expect(error.code).toBe('InvalidPolicyDocument');
    expect(error.status).toBe(400);
  });

  it('names the Simple-Condition rule for maps with more than one property', () => {
    expect(thrown(() => policyOf([{ bucket: 'b', key: 'k' }])).message).toBe(
      'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    );
  });
});

describe('checkPolicyExpiration', () => {
  it('accepts a future expiration and refuses a past one', () => {
    const policy = policyOf([{ bucket: 'b' }], '2030-01-01T12:00:00.000Z');
    expect(() => checkPolicyExpiration(policy, Date.parse('2030-01-01T11:59:59.999Z'))).not.toThrow();
    const error = thrown(() => checkPolicyExpiration(policy, Date.parse('2030-01-01T12:00:00.001Z')));
    expect([error.code, error.status, error.message]).toEqual([
      'AccessDenied',
      403,
      'Invalid according to Policy: Policy expired.',
    ]);
  });
});

describe('checkPolicyFields', () => {
  const cases: [string, unknown, Record<string, string>, boolean][] = [
    ['eq matches', ['eq', '$key', 'a/b.js'], { key: 'a/b.js' }, true],
    ['eq differs', ['eq', '$key', 'a/b.js'], { key: 'a/b.JS' }, false],
    ['eq on an absent field compares with ""', ['eq', '$x-oss-meta-a', ''], {}, true],
    ['eq on an absent field fails for a value', ['eq', '$x-oss-meta-a', 'v'], {}, false],
    ['starts-with matches', ['starts-with', '$key', 'site/'], { key: 'site/x' }, true],
    ['starts-with fails', ['starts-with', '$key', 'site/'], { key: 'other/x' }, false],
    ['starts-with "" allows anything', ['starts-with', '$key', ''], { key: 'anything' }, true],
    [
      'in matches',
      ['in', '$content-type', ['image/jpg', 'image/png']],
      { 'content-type': 'image/png' },
      true,
    ],
    [
      'in fails',
      ['in', '$content-type', ['image/jpg', 'image/png']],
      { 'content-type': 'text/plain' },
      false,
    ],
    ['not-in passes', ['not-in', '$cache-control', ['no-cache']], { 'cache-control': 'max-age=60' }, true],
    ['not-in fails', ['not-in', '$cache-control', ['no-cache']], { 'cache-control': 'no-cache' }, false],
    ['exact map matches', { success_action_status: '201' }, { success_action_status: '201' }, true],
    ['exact map fails', { success_action_status: '201' }, { success_action_status: '200' }, false],
    [
      'field names are case-insensitive',
      ['eq', '$Content-Type', 'text/plain'],
      { 'content-type': 'text/plain' },
      true,
    ],
    ['map names are case-insensitive', { Key: 'k' }, { key: 'k' }, true],
    ['values are case-sensitive', { key: 'K' }, { key: 'k' }, false],
  ];
  it.each(cases)('%s', (_label, condition, fields, holds) => {
    const policy = policyOf([condition]);
    const check = () => checkPolicyFields(policy, lookupFrom(fields));
    if (holds) {
      expect(check).not.toThrow();
    } else {
      const error = thrown(check);
      expect([error.code, error.status]).toEqual(['AccessDenied', 403]);
      expect(error.message).toBe(
        `Invalid according to Policy: Policy Condition failed: ${policy.conditions[0]?.text}`,
      );
    }
  });

  it('prints the failed condition as OSS does', () => {
    const policy = policyOf([['starts-with', '$key', 'user/eric/']]);
    expect(thrown(() => checkPolicyFields(policy, lookupFrom({ key: 'user/bob/x' }))).message).toBe(
      'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/eric/"]',
    );
    expect(formatCondition(['in', '$a', ['x', 'y']])).toBe('["in", "$a", ["x", "y"]]');
  });

  it('ignores content-length-range, which is checked on the size', () => {
    const policy = policyOf([['content-length-range', 2, 4]]);
    expect(() => checkPolicyFields(policy, lookupFrom({}))).not.toThrow();
    expect(() => checkPolicyContentLength(policy, 2)).not.toThrow();
    expect(() => checkPolicyContentLength(policy, 4)).not.toThrow();
    expect(thrown(() => checkPolicyContentLength(policy, 5)).code).toBe('EntityTooLarge');
    expect(thrown(() => checkPolicyContentLength(policy, 1)).code).toBe('EntityTooSmall');
    expect(thrown(() => checkPolicyContentLength(policy, 1)).status).toBe(400);
  });

  it('accepts content-length-range bounds written as digit strings', () => {
    expect(policyMaxSize(policyOf([['content-length-range', '0', '100']]))).toBe(100);
    expect(policyMaxSize(policyOf([{ bucket: 'b' }]))).toBe(Number.POSITIVE_INFINITY);
  });
});
