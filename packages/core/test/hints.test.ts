import { describe, expect, it } from 'vitest';
import { esaHint } from '../src/esa/client.js';
import { ossHint } from '../src/oss/upload.js';

// Every ESA and OSS code the client can meet gets a hint that says what to do, known or not.

const ESA_CODES = [
  'RoutineNotExist',
  'CodeVersionNumberExceedQuotaLimit',
  'InvalidAccessKeyId.NotFound',
  'SignatureDoesNotMatch',
  'InvalidSecurityToken.Expired',
  'MissingSecurityToken',
  'InvalidTimeStamp.Expired',
  'Forbidden.RAM',
  'NoPermission',
  'Throttling.User',
  'RoutineUserServiceStatusHalt',
  'DependedByOthers',
  'HTTP502',
  'InternalError',
  'ServiceUnavailable',
  'InvalidParameter',
  'MissingParameter',
  'SomethingNobodyDocumented',
];

describe('hints', () => {
  it.each(ESA_CODES)('ESA %s has a hint', (code) => {
    expect(esaHint(code).length).toBeGreaterThan(20);
  });

  it('a 5xx without a known code reads as ESA failing, a 4xx as a refusal', () => {
    expect(esaHint('Weird', 503)).toMatch(/ESA failed on its side/);
    expect(esaHint('Weird', 400)).toMatch(/ESA refused the request/);
    expect(esaHint('HTTP404', 404)).toMatch(/HTTP 404 without an error body: check that the endpoint/);
  });

  it.each([
    'AccessDenied',
    'SignatureDoesNotMatch',
    'EntityTooLarge',
    'CallbackFailed',
    'Throttling',
    'SlowDown',
    'HTTP500',
    'Unknown',
  ])('OSS %s has a hint', (code) => {
    expect(ossHint(code, 'message').length).toBeGreaterThan(20);
  });
});
