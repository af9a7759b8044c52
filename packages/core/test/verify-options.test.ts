import { describe, expect, it } from 'vitest';
import { normalizeOptions } from '../src/options/normalize.js';
import { validateOptions } from '../src/options/validate.js';
import { describeAnswer, stagingAddress } from '../src/pipeline/verify-staging.js';

const problems = (verify: unknown, extra: Record<string, unknown> = {}, env = {}) =>
  validateOptions({ name: 'my-routine', verify, ...extra }, env).map((p) => `${p.option}: ${p.message}`);

describe('the verify option', () => {
  it('takes a path, or { path, status, timeout }, with any 2xx and 60 s by default', () => {
    const plain = normalizeOptions({ name: 'r', verify: '/health' }, {}, '/').verify;
    expect(plain).toMatchObject({ path: '/health', timeout: 60_000, port: 443, expected: '2xx' });
    expect([199, 200, 204, 299, 300, 500].map((s) => plain?.accepts(s))).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    const list = normalizeOptions({ name: 'r', verify: { path: '/', status: [200, 404] } }, {}, '/').verify;
    expect(list?.expected).toBe('200 or 404');
    expect([200, 404, 204].map((s) => list?.accepts(s))).toEqual([true, true, false]);
    const one = normalizeOptions({ name: 'r', verify: { path: '/', status: 418, timeout: 5000 } }, {}, '/');
    expect(one.verify).toMatchObject({ expected: '418', timeout: 5000 });
    const test = normalizeOptions({ name: 'r', verify: { path: '/', status: (s) => s < 500 } }, {}, '/');
    expect([404, 500].map((s) => test.verify?.accepts(s))).toEqual([true, false]);
    expect(normalizeOptions({ name: 'r' }, {}, '/').verify).toBeUndefined();
    expect(normalizeOptions({ name: 'r', verify: false }, {}, '/').verify).toBeUndefined();
  });

  it('reaches staging on 443, or on ESA_STAGE_STAGING_PORT (an emulator)', () => {
    const env = { ESA_STAGE_STAGING_PORT: '18703' };
    expect(normalizeOptions({ name: 'r', verify: '/' }, env, '/').verify?.port).toBe(18703);
    expect(problems('/', {}, env)).toEqual([]);
    expect(problems('/', {}, { ESA_STAGE_STAGING_PORT: 'https' })).toEqual([
      'env ESA_STAGE_STAGING_PORT: must be a port number from 1 to 65535, got "https"',
    ]);
    expect(problems('/', {}, { ESA_STAGE_STAGING_PORT: '70000' })).toEqual([
      'env ESA_STAGE_STAGING_PORT: must be a port number from 1 to 65535, got "70000"',
    ]);
  });

  it('refuses what cannot be verified, naming the option', () => {
    expect(problems('health')).toEqual([
      'verify.path: must be a path that starts with / (no spaces or #), such as \'/health\', got "health"',
    ]);
    expect(problems({ path: '/a b' })[0]).toMatch(/^verify\.path: /);
    expect(problems({ path: '/', status: 700 })[0]).toMatch(/^verify\.status: must be an HTTP status/);
    expect(problems({ path: '/', status: [] })[0]).toMatch(/^verify\.status: /);
    expect(problems({ path: '/', status: '200' })[0]).toMatch(/^verify\.status: /);
    expect(problems({ path: '/', timeout: 10 })[0]).toMatch(
      /^verify\.timeout: must be a whole number of milliseconds from 1000/,
    );
    expect(problems(42)[0]).toMatch(/^verify: must be a path such as '\/health'/);
    // Nothing is deployed, or staging would serve two versions: nothing to verify the version by.
    expect(problems('/', { deploy: false })[0]).toMatch(/^verify: checks staging after the deploy/);
    expect(problems('/', { deploy: { env: 'staging', percentage: 50 } })[0]).toMatch(
      /^verify: needs staging to serve the new version alone/,
    );
    expect(problems('/', { deploy: { env: 'production', percentage: 10 } })).toEqual([]);
  });

  it('describes an answer in one line, quoting the body', () => {
    expect(describeAnswer({ status: 500, ms: 12, body: 'oops\n' })).toBe('500 in 12 ms: "oops\\n"');
    expect(describeAnswer({ status: 204, ms: 3, body: '' })).toBe('204 in 3 ms: an empty body');
    expect(describeAnswer(new Error('ECONNREFUSED: connect'))).toBe('no answer (ECONNREFUSED: connect)');
  });

  it('needs the routine host and a staging IP before anything changes', () => {
    expect(stagingAddress('r.example.net', ['203.0.113.7', '203.0.113.8'])).toEqual({
      host: 'r.example.net',
      ip: '203.0.113.7',
    });
    expect(() => stagingAddress('r.example.net', [])).toThrow(
      /^cannot verify staging: ESA gave no staging IP \(GetRoutineStagingEnvIp\); nothing was changed$/,
    );
    expect(() => stagingAddress(undefined, ['203.0.113.7'])).toThrow(/no host for the routine/);
  });
});
