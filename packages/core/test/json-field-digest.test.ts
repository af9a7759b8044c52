import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JsonFieldDigest } from '../src/esa/json-field-digest.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The reader's text for `json`, fed in pieces of `size` bytes. */
function digestOf(json: string, size: number, field = 'RoutineCode'): string {
  const bytes = Buffer.from(json, 'utf8');
  const reader = new JsonFieldDigest(field);
  for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  return reader.end();
}

describe('JsonFieldDigest', () => {
  const awkward = [
    'export default { fetch() { return new Response("héllo \\u2028 \\"quoted\\" \\\\ back"); } };\n',
    '\t\r\n\b\f/\u0000\u001f',
    'emoji 😀 and 𝌆, CJK 中文, a lone high \ud800 and a lone low \udc00 surrogate, and \ud83d\ude00 again',
    '',
  ];

  it.each(awkward.map((code, i) => [i, code] as const))(
    'replaces RoutineCode #%i by the sha256 of its UTF-8, as JSON.parse + createHash would, in any split',
    (_i, code) => {
      const json = JSON.stringify({
        RequestId: 'A-1',
        RoutineCode: code,
        CodeDescription: 'désc',
        CodeVersion: '1750000000000000001',
      });
      const expected = {
        RequestId: 'A-1',
        RoutineCode: sha256(code),
        CodeDescription: 'désc',
        CodeVersion: '1750000000000000001',
      };
      for (const size of [json.length, 1, 2, 3, 7, 64]) {
        expect(JSON.parse(digestOf(json, size))).toEqual(expected);
      }
    },
  );

  it('hashes escapes JSON.stringify never writes (\\/ and \\u for ASCII), as JSON.parse reads them', () => {
    const json = '{"RoutineCode":"a\\/b\\u0041\\u00e9\\uD83D\\uDE00","RequestId":"x"}';
    const value = (JSON.parse(json) as { RoutineCode: string }).RoutineCode;
    expect(JSON.parse(digestOf(json, 1))).toEqual({ RoutineCode: sha256(value), RequestId: 'x' });
  });

  it('touches only the top-level field: nested ones, values that look like keys, and other answers pass', () => {
    const json = JSON.stringify({
      Nested: { RoutineCode: 'inner' },
      List: ['RoutineCode', { RoutineCode: 'x' }],
      Other: 'RoutineCode',
      RoutineCode: 'outer',
    });
    const parsed = JSON.parse(digestOf(json, 5));
    expect(parsed).toEqual({ ...JSON.parse(json), RoutineCode: sha256('outer') });
    const error = '{"Code":"RoutineNotExist","Message":"no such routine","RequestId":"R"}';
    expect(digestOf(error, 3)).toBe(error);
    expect(digestOf('<html>bad gateway</html>', 4)).toBe('<html>bad gateway</html>');
  });

  it('hashes 64 MB of code without holding it', () => {
    const code = randomBytes(24 * 1024 * 1024).toString('base64');
    const json = `{"RequestId":"big","RoutineCode":${JSON.stringify(code)}}`;
    const reader = new JsonFieldDigest('RoutineCode');
    const bytes = Buffer.from(json);
    for (let at = 0; at < bytes.length; at += 65_536) reader.push(bytes.subarray(at, at + 65_536));
    const text = reader.end();
    expect(text.length).toBeLessThan(200);
    expect(JSON.parse(text)).toEqual({ RequestId: 'big', RoutineCode: sha256(code) });
  });
});
