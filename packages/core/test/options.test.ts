import { describe, expect, it } from 'vitest';
import { ConfigError, type DeployTarget } from '../src/index.js';
import { normalizeOptions } from '../src/options/normalize.js';
import { assertValidOptions, validateOptions } from '../src/options/validate.js';

describe('validateOptions', () => {
  it('accepts a minimal config', () => {
    expect(validateOptions({ name: 'my-routine' }, {})).toEqual([]);
  });

  it('reports every problem at once, naming each option', () => {
    const problems = validateOptions(
      {
        name: 'My_Routine',
        region: 'us-east-1',
        endpoint: 'http://esa.example.com',
        deploy: 'prod',
        timeout: -1,
        retries: 2.5,
        chunk: 42,
        dryRun: 'yes',
        logLevel: 'loud',
        credentials: { accessKeyId: '', accessKeySecret: 'x' },
        nmae: 'typo',
      },
      {},
    );
    expect(problems.map((p) => p.option).sort()).toEqual(
      [
        'chunk',
        'credentials.accessKeyId',
        'deploy',
        'dryRun',
        'endpoint',
        'logLevel',
        'name',
        'nmae',
        'region',
        'retries',
        'timeout',
      ].sort(),
    );
    expect(problems.find((p) => p.option === 'endpoint')?.message).toMatch(
      /plain http to a non-loopback host/,
    );
  });

  it('requires a name', () => {
    expect(validateOptions({}, {})).toEqual([
      {
        option: 'name',
        message: 'is required: set `name` (CLI `--name`), or `name` in esa.jsonc / esa.toml',
      },
    ]);
    expect(validateOptions(undefined, {})[0]?.option).toBe('options');
  });

  it('allows http only on loopback, and only bare origins', () => {
    expect(validateOptions({ name: 'ab', endpoint: 'http://127.0.0.1:9000' }, {})).toEqual([]);
    expect(validateOptions({ name: 'ab', endpoint: 'http://localhost:9000/' }, {})).toEqual([]);
    expect(validateOptions({ name: 'ab', endpoint: 'https://esa.example.com/api' }, {})[0]?.message).toMatch(
      /bare origin/,
    );
    expect(validateOptions({ name: 'ab', endpoint: 'not a url' }, {})[0]?.message).toMatch(/not a URL/);
  });

  it('checks env ESA_ENDPOINT when no endpoint option is given', () => {
    expect(validateOptions({ name: 'ab' }, { ESA_ENDPOINT: 'http://10.0.0.1' })[0]?.option).toBe(
      'env ESA_ENDPOINT',
    );
    expect(
      validateOptions(
        { name: 'ab', endpoint: 'https://esa.cn-hangzhou.aliyuncs.com' },
        { ESA_ENDPOINT: 'junk' },
      ),
    ).toEqual([]);
  });

  it('throws a ConfigError with a hint from assertValidOptions', () => {
    try {
      assertValidOptions({ name: 'x' }, {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('InvalidConfig');
      expect((error as ConfigError).hint).toMatch(/README/);
      expect((error as ConfigError).toLine()).toMatch(/^InvalidConfig: name: "x" is not a routine name/);
    }
  });
});

describe('normalizeOptions', () => {
  it('applies every default', () => {
    expect(normalizeOptions({ name: 'ab' }, {}, '/work')).toEqual({
      name: 'ab',
      description: undefined,
      region: 'cn-hangzhou',
      endpoint: 'https://esa.cn-hangzhou.aliyuncs.com',
      credentials: undefined,
      profile: undefined,
      stsEndpoint: undefined,
      proxy: { httpProxy: '', httpsProxy: '', noProxy: '' },
      deploy: [{ env: 'staging', percentage: 100 }],
      skipUnchanged: true,
      verify: undefined,
      stagingPort: 443,
      pruneVersions: undefined,
      deployApi: 'deployment',
      assets: undefined,
      pipeline: 'single-file',
      routine: true,
      buildTimeout: 300_000,
      chunk: undefined,
      dryRun: false,
      timeout: 60_000,
      retries: 3,
      signal: undefined,
      logLevel: 'info',
      logger: undefined,
      cwd: '/work',
    });
  });

  it('uses the region endpoint, then ESA_ENDPOINT, then the option', () => {
    expect(normalizeOptions({ name: 'ab', region: 'ap-southeast-1' }, {}, '/').endpoint).toBe(
      'https://esa.ap-southeast-1.aliyuncs.com',
    );
    expect(normalizeOptions({ name: 'ab' }, { ESA_ENDPOINT: 'http://127.0.0.1:1/' }, '/').endpoint).toBe(
      'http://127.0.0.1:1',
    );
    expect(
      normalizeOptions(
        { name: 'ab', endpoint: 'http://127.0.0.1:2' },
        { ESA_ENDPOINT: 'http://127.0.0.1:1' },
        '/',
      ).endpoint,
    ).toBe('http://127.0.0.1:2');
  });

  it('lets ESA_STAGE_DESCRIPTION and ALIBABA_CLOUD_PROFILE fill in', () => {
    const n = normalizeOptions(
      { name: 'ab', description: 'opt' },
      { ESA_STAGE_DESCRIPTION: 'from env', ALIBABA_CLOUD_PROFILE: 'ci' },
      '/',
    );
    expect(n.description).toBe('from env');
    expect(n.profile).toBe('ci');
    expect(
      normalizeOptions({ name: 'ab', profile: 'mine' }, { ALIBABA_CLOUD_PROFILE: 'ci' }, '/').profile,
    ).toBe('mine');
  });

  it('turns deploy into the environments it reaches, staging first', () => {
    const steps = (deploy: DeployTarget) => normalizeOptions({ name: 'ab', deploy }, {}, '/').deploy;
    expect(steps(false)).toEqual([]);
    expect(steps('production')).toEqual([
      { env: 'staging', percentage: 100 },
      { env: 'production', percentage: 100 },
    ]);
    expect(steps({ env: 'production', percentage: 10 })).toEqual([
      { env: 'staging', percentage: 100 },
      { env: 'production', percentage: 10 },
    ]);
    expect(steps({ env: 'staging', percentage: 50 })).toEqual([{ env: 'staging', percentage: 50 }]);
  });
});
