import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIProfileCredentialsProvider } from '@alicloud/credentials';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CredentialsLookup,
  type ResolvedCredentials,
  resolveCredentials,
} from '../src/credentials/resolve-credentials.js';
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
    { name: 'ecs', mode: 'EcsRamRole', ram_role_name: 'MyEcsRole' },
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

/** A lookup that found credentials (not a role to assume). */
function found(lookup: CredentialsLookup): ResolvedCredentials {
  if ('exchange' in lookup) throw new Error(`expected credentials, got a role: ${lookup.source}`);
  return lookup;
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
    const ours = found(
      await resolveCredentials({
        explicit: undefined,
        profile: undefined,
        env: {},
        homeDir: home,
      }),
    );
    const { source, ...creds } = ours;
    expect({ ...creds, securityToken: creds.securityToken ?? undefined }).toEqual(await oracle(undefined));
    expect(source).toBe(`${join(home, '.aliyun', 'config.json')} profile "akprof"`);
  });

  it('reads a named StsToken profile as @alicloud/credentials does', async () => {
    const { source: _source, ...ours } = found(
      await resolveCredentials({
        explicit: undefined,
        profile: 'stsprof',
        env: {},
        homeDir: home,
      }),
    );
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
    expect(error.hint).toMatch(/ALIBABA_CLOUD_OIDC_TOKEN_FILE/);
  });

  it('explains unsupported modes and unknown profiles', async () => {
    const ecs = await failure(
      resolveCredentials({ explicit: undefined, profile: 'ecs', env: {}, homeDir: home }),
    );
    expect(ecs.message).toMatch(/mode EcsRamRole; esa-stage reads modes AK, StsToken, RamRoleArn and OIDC/);
    const missing = await failure(
      resolveCredentials({ explicit: undefined, profile: 'nope', env: {}, homeDir: home }),
    );
    expect(missing.message).toMatch(/no profile "nope" \(profiles: akprof, stsprof, role, ecs\)/);
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

describe("esa-cli's global config (~/.esa/config)", () => {
  const resolveIn = (homeDir: string, env: Record<string, string> = {}, profile?: string) =>
    resolveCredentials({ explicit: undefined, profile, env, homeDir });
  let esaHome: string;
  beforeAll(async () => {
    esaHome = await mkdtemp(join(tmpdir(), 'esa-stage-esa-home-'));
  });
  afterAll(async () => {
    await rm(esaHome, { recursive: true, force: true });
  });
  const write = async (files: Record<string, string>, withAliyun = true) => {
    await rm(join(esaHome, '.esa'), { recursive: true, force: true });
    await rm(join(esaHome, '.aliyun'), { recursive: true, force: true });
    await mkdir(join(esaHome, '.esa', 'config'), { recursive: true });
    for (const [name, text] of Object.entries(files))
      await writeFile(join(esaHome, '.esa', 'config', name), text);
    if (withAliyun) {
      await mkdir(join(esaHome, '.aliyun'));
      await writeFile(join(esaHome, '.aliyun', 'config.json'), JSON.stringify(config));
    }
  };

  it('default.toml [auth], as `esa login` writes it, comes after env and before ~/.aliyun', async () => {
    await write({
      'default.toml':
        'endpoint = "esa.cn-hangzhou.aliyuncs.com"\nlang = "en"\n\n[auth]\naccessKeyId = "esaId"\naccessKeySecret = "esaSecret"\n',
    });
    expect(await resolveIn(esaHome)).toMatchObject({
      accessKeyId: 'esaId',
      accessKeySecret: 'esaSecret',
      securityToken: undefined,
      source: expect.stringMatching(/\.esa\/config\/default\.toml \[auth\]$/),
    });
    expect(
      await resolveIn(esaHome, {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'envId',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'envSecret',
      }),
    ).toMatchObject({ accessKeyId: 'envId' });
    // A profile named asks for ~/.aliyun.
    expect(await resolveIn(esaHome, {}, 'stsprof')).toMatchObject({ accessKeyId: 'STS.cfgId' });
  });

  it('default.jsonc wins over default.toml, with its security token; no [auth] falls through', async () => {
    await write({
      'default.jsonc':
        '// esa-cli\n{ "auth": { "accessKeyId": "jsoncId", "accessKeySecret": "jsoncSecret", "securityToken": "tok", }, }\n',
      'default.toml': '[auth]\naccessKeyId = "tomlId"\naccessKeySecret = "tomlSecret"\n',
    });
    expect(await resolveIn(esaHome)).toMatchObject({ accessKeyId: 'jsoncId', securityToken: 'tok' });
    await write({ 'default.toml': 'endpoint = "esa.cn-hangzhou.aliyuncs.com"\n' });
    expect(await resolveIn(esaHome)).toMatchObject({ accessKeyId: 'cfgAkId' });
    await write({ 'default.toml': 'lang = "zh"\n' }, false);
    await expect(resolveIn(esaHome)).rejects.toThrow(/default\.toml \(no \[auth\] credentials\)/);
  });

  it('a broken or half-filled file is a named error, never a silent fall-through', async () => {
    await write({ 'default.toml': '[auth\naccessKeyId = 1\n' });
    await expect(resolveIn(esaHome)).rejects.toMatchObject({ code: 'CredentialsInvalid' });
    await write({ 'default.toml': '[auth]\naccessKeyId = "onlyId"\n' });
    const error = (await resolveIn(esaHome).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('CredentialsIncomplete');
    expect(error.message).toMatch(/auth\.accessKeySecret.*is empty while auth\.accessKeyId is set/);
    await write({ 'default.toml': '[auth]\naccessKeyId = "esa\u200bId"\naccessKeySecret = "s"\n' });
    await expect(resolveIn(esaHome)).rejects.toMatchObject({ code: 'CredentialsInvalid' });
  });
});

describe('config files that exist but cannot be read', () => {
  it('an esa.jsonc, ~/.esa or ~/.aliyun path that is a directory is a named error, not skipped', async () => {
    const { readProjectConfig } = await import('../src/project/project-config.js');
    const dir = await mkdtemp(join(tmpdir(), 'esa-stage-unreadable-'));
    try {
      await mkdir(join(dir, 'esa.jsonc'));
      await expect(readProjectConfig(dir)).rejects.toMatchObject({
        code: 'ProjectConfigInvalid',
        message: expect.stringMatching(/esa\.jsonc.*cannot be read \(EISDIR\)/),
      });
      await mkdir(join(dir, '.esa/config/default.jsonc'), { recursive: true });
      await expect(
        resolveCredentials({ explicit: undefined, profile: undefined, env: {}, homeDir: dir }),
      ).rejects.toMatchObject({
        code: 'CredentialsInvalid',
        message: expect.stringMatching(/default\.jsonc.*cannot be read \(EISDIR\)/),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
