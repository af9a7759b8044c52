import { describe, expect, it } from 'vitest';
import { parseEsaJson, quoteLargeIntegers } from '../src/esa/big-json.js';

describe('parseEsaJson', () => {
  it('keeps the exact digits of a 19-digit CodeVersion sent as a number', () => {
    const body = parseEsaJson('{"RequestId":"X","CodeVersion":1710120201067203242}');
    expect(body?.CodeVersion).toBe('1710120201067203242');
  });

  it('finds a long integer after any JSON whitespace, and parses plainly when none can be there', () => {
    expect(parseEsaJson('{"a":\n\t 12345678901234567890,"b":[ \r\n1234567890123456789 ]}')).toEqual({
      a: '12345678901234567890',
      b: ['1234567890123456789'],
    });
    const code = `export default ${'"x".repeat(3);'.repeat(1000)} // 1234567890123456789`;
    expect(parseEsaJson(JSON.stringify({ Code: code, CodeVersion: '1795904184409047281' }))).toEqual({
      Code: code,
      CodeVersion: '1795904184409047281',
    });
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

  it('leaves the digits of fractions and exponents inside their number (0.3333333333333333)', () => {
    const text =
      '{"a":0.3333333333333333,"b":-1.2345678901234567e-7,"c":1E+1234567890123456,"d":2e-1000000000000000}';
    expect(parseEsaJson(text)).toEqual(JSON.parse(text));
    const long = '{"r":[0.1234567890123456789,12345678901234567.5]}';
    expect(parseEsaJson(long)).toEqual(JSON.parse(long));
  });

  it('agrees with JSON.parse on 3000 random documents, except that long integers keep their digits', () => {
    // A seeded generator (mulberry32), so a failure names a document that can be rebuilt.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const digits = (n: number) =>
      String(1 + Math.floor(random() * 9)) +
      Array.from({ length: n - 1 }, () => Math.floor(random() * 10)).join('');
    // Each generator returns [JSON text, the value parseEsaJson must give].
    const gen = (depth: number): [string, unknown] => {
      const kind = pick(
        depth > 2
          ? ['int', 'big', 'float', 'exp', 'str']
          : ['int', 'big', 'float', 'exp', 'str', 'arr', 'obj'],
      );
      const sign = random() < 0.3 ? '-' : '';
      if (kind === 'int') {
        const text = sign + digits(1 + Math.floor(random() * 15));
        return [text, Number(text)];
      }
      if (kind === 'big') {
        const text = sign + digits(16 + Math.floor(random() * 10));
        return [text, text];
      }
      if (kind === 'float' || kind === 'exp') {
        const mantissa = `${sign}${digits(1 + Math.floor(random() * 20))}.${digits(1 + Math.floor(random() * 20))}`;
        const text =
          kind === 'exp'
            ? `${mantissa}${pick(['e', 'E'])}${pick(['', '+', '-'])}${digits(1 + Math.floor(random() * 3))}`
            : mantissa;
        return [text, JSON.parse(text)];
      }
      if (kind === 'str') {
        const value = Array.from({ length: Math.floor(random() * 6) }, () =>
          pick(['1234567890123456789', '"', '\\', '0.5', 'e', ' ', ':', ',', '}', '\u00e9']),
        ).join('');
        return [JSON.stringify(value), value];
      }
      const items = Array.from({ length: Math.floor(random() * 4) }, () => gen(depth + 1));
      if (kind === 'arr') return [`[${items.map(([t]) => t).join(', ')}]`, items.map(([, v]) => v)];
      return [
        `{${items.map(([t], n) => `"k${n}": ${t}`).join(',')}}`,
        Object.fromEntries(items.map(([, v], n) => [`k${n}`, v])),
      ];
    };
    for (let n = 0; n < 3000; n++) {
      const fields = Array.from({ length: 1 + Math.floor(random() * 4) }, () => gen(0));
      const text = `{${fields.map(([t], k) => `"f${k}":${t}`).join(',')}}`;
      const expected = Object.fromEntries(fields.map(([, v], k) => [`f${k}`, v]));
      expect(parseEsaJson(text), text).toEqual(expected);
    }
  });

  it('returns undefined for non-objects and bad JSON', () => {
    expect(parseEsaJson('[1]')).toBeUndefined();
    expect(parseEsaJson('<xml/>')).toBeUndefined();
  });
});
