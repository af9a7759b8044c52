import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableEsaFailure, retryAfterMs } from '../src/esa/retry.js';

describe('retry policy', () => {
  it('retries 5xx, throttling and internal errors only', () => {
    expect(isRetryableEsaFailure(503, 'ServiceUnavailable')).toBe(true);
    expect(isRetryableEsaFailure(500, undefined)).toBe(true);
    expect(isRetryableEsaFailure(400, 'Throttling.User')).toBe(true);
    expect(isRetryableEsaFailure(400, 'InternalException')).toBe(true);
    expect(isRetryableEsaFailure(400, 'InternalOperationError')).toBe(true);
    for (const code of [
      'InvalidParameter',
      'RoutineNotExist',
      'CodeVersionNumberExceedQuotaLimit',
      'SignatureDoesNotMatch',
      'InvalidAccessKeyId.NotFound',
      'IncompleteSignature',
    ]) {
      expect(isRetryableEsaFailure(400, code), code).toBe(false);
    }
  });

  it('backs off exponentially with bounded jitter', () => {
    expect(backoffDelay(0, () => 0)).toBe(125);
    expect(backoffDelay(0, () => 1)).toBe(250);
    expect(backoffDelay(3, () => 0.5)).toBe(1500);
    expect(backoffDelay(10, () => 1)).toBe(8000);
  });

  it('reads Retry-After in seconds or as a date, bounded', () => {
    expect(retryAfterMs('2', 0)).toBe(2000);
    expect(retryAfterMs('120', 0)).toBe(30_000);
    expect(retryAfterMs(new Date(5000).toUTCString(), 0)).toBe(5000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});
