import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIProfileCredentialsProvider } from '@alicloud/credentials';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCredentials } from '../src/credentials/resolve-credentials.js';
import { ConfigError } from '../src/index.js';

const config = {
  current: 'akprof',
  profiles: [
    {
      name: 'akprof',
      mode: 'AK',
      access_key_id: 'cfgAkId',
      access_key_secret: 'cfgAkSecret',
      region_id: 'cn-hangzhou',
    },
    {
      name: 'stsprof',
      mode: 'StsToken',
      access_key_id: 'STS.cfgId',
      access_key_secret: 'cfgStsSecret',
      sts_token: 'cfgToken',
    },
    {
      name: 'role',
      mode: 'RamRoleArn',
      access_key_id: 'x',
      access_key_secret: 'y',
      ram_role_arn: 'acs:ram::1:role/r',
    },
  ],
  meta_path: '',
};

let home: string;
let emptyHome: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'esa-stage-home-'));
  emptyHome = await mkdtemp(join(tmpdir(), 'esa-stage-empty-'));
  await mkdir(join(home, '.aliyun'));
  await writeFile(join(home, '.aliyun', 'config.json'), JSON.stringify(config));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(emptyHome, { recursive: true, force: true });
});

/** What the official @alicloud/credentials reads from the same file. */
async function oracle(profile: string | undefined) {
  const builder = CLIProfileCredentialsProvider.builder();
  if (profile) builder.withProfileName(profile);
  const provider = builder.build() as unknown as {
    homedir: string;
    getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string }>;
  };
  provider.homedir = home;
  const c = await provider.getCredentials();
  return {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    securityToken: c.securityToken || undefined,
  };
}

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('resolveCredentials', () => {
  it('reads the current AK profile of ~/.aliyun/config.json as @alicloud/credentials does', async () => {
    const ours = await resolveCredentials({
      explicit: undefined,
      profile: undefined,
      env: {},
      homeDir: home,
    });
    const { source, ...creds } = ours;
    expect({ ...creds, securityToken: creds.securityToken ?? undefined }).toEqual(await oracle(undefined));
    expect(source).toBe(`${join(home, '.aliyun', 'config.json')} profile "akprof"`);
  });

  it('reads a named StsToken profile as @alicloud/credentials does', async () => {
    const { source: _source, ...ours } = await resolveCredentials({
      explicit: undefined,
      profile: 'stsprof',
      env: {},
      homeDir: home,
    });
    expect(ours).toEqual(await oracle('stsprof'));
    expect(ours.securityToken).toBe('cfgToken');
  });

  it('prefers explicit, then ALIBABA_CLOUD_*, then ESA_*', async () => {
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'envId',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'envSecret',
      ALIBABA_CLOUD_SECURITY_TOKEN: 'envToken',
      ESA_ACCESS_KEY_ID: 'esaId',
      ESA_ACCESS_KEY_SECRET: 'esaSecret',
    };
    expect(
      await resolveCredentials({
        explicit: { accessKeyId: 'o', accessKeySecret: 'p' },
        profile: undefined,
        env,
        homeDir: home,
      }),
    ).toEqual({ accessKeyId: 'o', accessKeySecret: 'p', source: 'options.credentials' });
    expect(await resolveCredentials({ explicit: undefined, profile: undefined, env, homeDir: home })).toEqual(
      {
        accessKeyId: 'envId',
        accessKeySecret: 'envSecret',
        securityToken: 'envToken',
        source: 'env ALIBABA_CLOUD_ACCESS_KEY_ID',
      },
    );
    const esaOnly = {
      ESA_ACCESS_KEY_ID: 'esaId',
      ESA_ACCESS_KEY_SECRET: 'esaSecret',
      ESA_SECURITY_TOKEN: 'esaTok',
    };
    expect(
      await resolveCredentials({ explicit: undefined, profile: undefined, env: esaOnly, homeDir: home }),
    ).toEqual({
      accessKeyId: 'esaId',
      accessKeySecret: 'esaSecret',
      securityToken: 'esaTok',
      source: 'env ESA_ACCESS_KEY_ID',
    });
  });

  it('refuses half an env pair instead of silently looking further', async () => {
    const error = await failure(
      resolveCredentials({
        explicit: undefined,
        profile: undefined,
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' },
        homeDir: home,
      }),
    );
    expect(error.code).toBe('CredentialsIncomplete');
    expect(error.message).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  });

  it('names every place looked when nothing is found', async () => {
    const error = await failure(
      resolveCredentials({ explicit: undefined, profile: undefined, env: {}, homeDir: emptyHome }),
    );
    expect(error.code).toBe('CredentialsNotFound');
    for (const place of [
      'options.credentials',
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ESA_ACCESS_KEY_ID',
      join(emptyHome, '.aliyun', 'config.json'),
    ]) {
      expect(error.message).toContain(place);
    }
    expect(error.hint).toMatch(/configure-aliyun-credentials-action/);
  });

  it('explains unsupported modes and unknown profiles', async () => {
    const role = await failure(
      resolveCredentials({ explicit: undefined, profile: 'role', env: {}, homeDir: home }),
    );
    expect(role.message).toMatch(/mode RamRoleArn/);
    const missing = await failure(
      resolveCredentials({ explicit: undefined, profile: 'nope', env: {}, homeDir: home }),
    );
    expect(missing.message).toMatch(/no profile "nope" \(profiles: akprof, stsprof, role\)/);
  });

  it('honours ALIBABA_CLOUD_CLI_PROFILE_DISABLED', async () => {
    const error = await failure(
      resolveCredentials({
        explicit: undefined,
        profile: undefined,
        env: { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' },
        homeDir: home,
      }),
    );
    expect(error.message).toContain('skipped: ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true');
  });

  it('reports a config.json that is not JSON', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'esa-stage-bad-'));
    await mkdir(join(bad, '.aliyun'));
    await writeFile(join(bad, '.aliyun', 'config.json'), '{ nope');
    const error = await failure(
      resolveCredentials({ explicit: undefined, profile: undefined, env: {}, homeDir: bad }),
    );
    expect(error.code).toBe('CredentialsInvalid');
    await rm(bad, { recursive: true, force: true });
  });
});
