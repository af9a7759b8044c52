import { describe, expect, it } from 'vitest';
import { parseEsaJson, quoteLargeIntegers } from '../src/esa/big-json.js';

describe('parseEsaJson', () => {
  it('keeps the exact digits of a 19-digit CodeVersion sent as a number', () => {
    const body = parseEsaJson('{"RequestId":"X","CodeVersion":1710120201067203242}');
    expect(body?.CodeVersion).toBe('1710120201067203242');
  });

  it('leaves strings, small numbers, floats and look-alikes inside strings alone', () => {
    const text =
      '{"a":"x: 12345678901234567890}","b":42,"c":-1234567890123456789,"d":1.5e300,"e":[12345678901234567890]}';
    expect(parseEsaJson(text)).toEqual({
      a: 'x: 12345678901234567890}',
      b: 42,
      c: '-1234567890123456789',
      d: 1.5e300,
      e: ['12345678901234567890'],
    });
  });

  it('handles escaped quotes in strings', () => {
    expect(quoteLargeIntegers('{"a":"\\"1234567890123456789","b":1234567890123456789}')).toBe(
      '{"a":"\\"1234567890123456789","b":"1234567890123456789"}',
    );
  });

  it('returns undefined for non-objects and bad JSON', () => {
    expect(parseEsaJson('[1]')).toBeUndefined();
    expect(parseEsaJson('<xml/>')).toBeUndefined();
  });
});
