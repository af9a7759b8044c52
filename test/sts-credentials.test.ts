import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PublishedResult, type PublishOptions, publishRoutine } from '@esa-stage/core';
import {
  EMULATOR_OIDC_TRUST,
  EMULATOR_ROLE_ARN,
  type Emulator,
  type RequestRecord,
  startEmulator,
} from '@esa-stage/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runNode } from './helpers/run-node.js';

// Credentials from STS: the OIDC trio in env (what a GitHub Actions job with `id-token: write`
// has), and ~/.aliyun/config.json RamRoleArn and OIDC profiles. Each publish runs as a new process
// (or, for the cache, in this one) and must reach ESA as the assumed role, never as anyone else.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));
const ROUTINE = 'export default { fetch: () => new Response("sts") };\n';

let emulator: Emulator;
let dir: string;

/** An unsigned JWT, as the emulator's STS checks it (claims only). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.${Buffer.from('not-checked').toString('base64url')}`;
}

const GITHUB_CLAIMS = {
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/site:ref:refs/heads/main',
  aud: 'sts.aliyuncs.com',
};

/** A token valid for 10 minutes, unique (its `jti`), so no test meets another's cached credentials. */
function futureToken(extra: Record<string, unknown> = {}): string {
  return jwt({ ...GITHUB_CLAIMS, exp: Math.floor(Date.now() / 1000) + 600, jti: randomUUID(), ...extra });
}

beforeAll(async () => {
  emulator = await startEmulator({ routines: ['sts-routine'] });
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-sts-'));
  await writeFile(join(dir, 'routine.js'), ROUTINE);
});
beforeEach(() => {
  freshRoutine();
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** Forgets every routine, version, request and STS session, and makes the routines again. */
function freshRoutine(...names: string[]): void {
  emulator.state.reset();
  for (const name of ['sts-routine', ...names]) emulator.state.createRoutine(name);
}

function oidcEnv(tokenFile: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ESA_ENDPOINT: emulator.endpoint,
    ESA_STAGE_STS_ENDPOINT: emulator.stsEndpoint,
    ALIBABA_CLOUD_ROLE_ARN: EMULATOR_OIDC_TRUST.roleArn,
    ALIBABA_CLOUD_OIDC_PROVIDER_ARN: EMULATOR_OIDC_TRUST.providerArn,
    ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
    ...extra,
  };
}

function esaRequests(): RequestRecord[] {
  return emulator.state.requests.filter((r) => r.service === 'esa');
}

/** Everything secret the exchange involved: the token, and the issued secret and security token. */
function secretsOfSessions(token?: string): string[] {
  const issued = [...emulator.state.issuedCredentials.values()].flatMap((c) => [
    c.accessKeySecret,
    c.securityToken ?? '',
  ]);
  return [...issued, ...(token ? [token] : [])].filter((s) => s.length > 0);
}

describe('OIDC in env (a GitHub Actions job with id-token: write, no stored secret)', () => {
  it('exchanges the token once and reaches ESA as the assumed role; outputs say so', async () => {
    const token = futureToken();
    const tokenFile = join(dir, 'oidc-token');
    await writeFile(tokenFile, `${token}\n`);
    const outputs = join(dir, 'github-output');
    await writeFile(outputs, '');
    const run = await runNode(
      CLI,
      ['publish', 'routine.js', '--name', 'sts-routine', '-d', 'oidc', '--json', '--verbose'],
      {
        cwd: dir,
        env: oidcEnv(tokenFile, {
          ALIBABA_CLOUD_ROLE_SESSION_NAME: 'gha-run-42',
          GITHUB_ACTIONS: 'true',
          GITHUB_OUTPUT: outputs,
        }),
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PublishedResult;
    const sessions = emulator.state.stsSessions;
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(session).toMatchObject({
      action: 'AssumeRoleWithOIDC',
      roleArn: EMULATOR_ROLE_ARN,
      roleSessionName: 'gha-run-42',
      oidcProviderArn: EMULATOR_OIDC_TRUST.providerArn,
      subject: GITHUB_CLAIMS.sub,
      durationSeconds: 3600,
    });
    const principal = 'acs:ram::1234567890123456:assumed-role/esa-stage-ci/gha-run-42';
    expect(session?.principal).toBe(principal);
    // Every ESA call of the publish, and only these, signed with the issued key.
    expect(esaRequests().length).toBeGreaterThan(3);
    for (const request of esaRequests()) {
      expect(request).toMatchObject({ accessKeyId: session?.accessKeyId, principal, status: 200 });
    }
    expect(emulator.state.routines.get('sts-routine')?.envs.get('staging')?.codeVersions).toEqual([
      { codeVersion: result.codeVersion, percentage: 100 },
    ]);
    expect(run.stderr).toMatch(
      /credentials from env ALIBABA_CLOUD_OIDC_TOKEN_FILE \(STS AssumeRoleWithOIDC as acs:ram::1234567890123456:role\/esa-stage-ci\) as acs:ram::1234567890123456:assumed-role\/esa-stage-ci\/gha-run-42, valid until /,
    );
    const written = await readFile(outputs, 'utf8');
    expect(written).toMatch(/status<<.*\npublished\n/);
    for (const secret of secretsOfSessions(token)) {
      expect(`${run.stdout}${run.stderr}${written}`).not.toContain(secret);
    }
  });

  it("is what README's GitHub Actions recipe sets up: id-token, the role, a token file, no secret", async () => {
    const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const recipe = /```yaml\n(jobs:(?:(?!```)[\s\S])*?github-script[\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(recipe).toMatch(/permissions: \{ id-token: write/);
    expect([...recipe.matchAll(/^\s+(ALIBABA_CLOUD_[A-Z_]+):/gm)].map((m) => m[1])).toEqual([
      'ALIBABA_CLOUD_ROLE_ARN',
      'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
      'ALIBABA_CLOUD_ROLE_SESSION_NAME',
    ]);
    expect(recipe).toContain("core.exportVariable('ALIBABA_CLOUD_OIDC_TOKEN_FILE', file)");
    expect(recipe).not.toMatch(/secrets\./);
    // The test above runs with exactly these variables (and the emulator's endpoints).
    expect(
      Object.keys(oidcEnv('f', { ALIBABA_CLOUD_ROLE_SESSION_NAME: 's' }))
        .filter((k) => k.startsWith('ALIBABA_CLOUD_'))
        .sort(),
    ).toEqual([
      'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
      'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
      'ALIBABA_CLOUD_ROLE_ARN',
      'ALIBABA_CLOUD_ROLE_SESSION_NAME',
    ]);
  });

  it('names the role in a dry run and exchanges nothing', async () => {
    const tokenFile = join(dir, 'oidc-token-dry');
    await writeFile(tokenFile, futureToken());
    const run = await runNode(CLI, ['publish', 'routine.js', '--name', 'sts-routine', '--dry-run'], {
      cwd: dir,
      env: oidcEnv(tokenFile),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /credentials: env ALIBABA_CLOUD_OIDC_TOKEN_FILE \(STS AssumeRoleWithOIDC as acs:ram::1234567890123456:role\/esa-stage-ci\)/,
    );
    expect(emulator.state.requests).toEqual([]);
  });

  it.each([
    [
      'an expired token',
      () => jwt({ ...GITHUB_CLAIMS, exp: Math.floor(Date.now() / 1000) - 60 }),
      {},
      /AuthenticationFail\.OIDCToken\.Expired.*Hint: the OIDC token is expired, malformed or for another audience/,
    ],
    [
      'a role that does not trust the provider',
      () => futureToken(),
      { ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1234567890123456:role/someone-else' },
      /StsError|EntityNotExist\.Role|AuthenticationFail\.NoPermission|NoPermission/,
    ],
  ])(
    'fails with STS code, request id and hint for %s, before any ESA call',
    async (_what, token, extra, expected) => {
      const tokenFile = join(dir, 'oidc-token-bad');
      const value = token();
      await writeFile(tokenFile, value);
      const run = await runNode(CLI, ['publish', 'routine.js', '--name', 'sts-routine'], {
        cwd: dir,
        env: oidcEnv(tokenFile, extra),
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(expected);
      expect(run.stderr).toMatch(/RequestId /);
      expect(run.stderr).not.toContain(value);
      expect(esaRequests()).toEqual([]);
      expect(emulator.state.requests.filter((r) => r.service === 'sts')).toHaveLength(1); // not retried
    },
  );

  it('retries STS throttling after the Retry-After it asks for', async () => {
    const tokenFile = join(dir, 'oidc-token-throttled');
    await writeFile(tokenFile, futureToken());
    emulator.faults.inject({
      stsAction: 'AssumeRoleWithOIDC',
      status: 400,
      code: 'Throttling.User',
      retryAfterSeconds: 1,
      times: 1,
    });
    const run = await runNode(CLI, ['publish', 'routine.js', '--name', 'sts-routine', '-d', 'throttled'], {
      cwd: dir,
      env: oidcEnv(tokenFile),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /STS AssumeRoleWithOIDC failed \(Throttling\.User: .*\); retry 1\/3 in 1000 ms/,
    );
    expect(emulator.state.requests.filter((r) => r.service === 'sts').map((r) => r.status)).toEqual([
      400, 200,
    ]);
  });

  it('refuses a missing token file or half the variables before any request', async () => {
    const missing = await runNode(CLI, ['publish', 'routine.js', '--name', 'sts-routine'], {
      cwd: dir,
      env: oidcEnv(join(dir, 'no-such-token')),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /CredentialsInvalid: .*no-such-token cannot be read \(ENOENT\).*id-token: write/,
    );
    const half = await runNode(CLI, ['publish', 'routine.js', '--name', 'sts-routine'], {
      cwd: dir,
      env: { ESA_ENDPOINT: emulator.endpoint, ALIBABA_CLOUD_OIDC_TOKEN_FILE: join(dir, 'oidc-token') },
    });
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(
      /CredentialsIncomplete: env ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN: not set/,
    );
    expect(emulator.state.requests).toEqual([]);
  });
});

describe('~/.aliyun/config.json role profiles', () => {
  async function writeConfig(home: string, profile: Record<string, unknown>): Promise<void> {
    await mkdir(join(home, '.aliyun'), { recursive: true });
    await writeFile(
      join(home, '.aliyun/config.json'),
      JSON.stringify({ current: 'ci', profiles: [{ name: 'ci', ...profile }] }),
    );
  }

  it('RamRoleArn: assumes the role with the profile AccessKey (signed AssumeRole), then publishes as it', async () => {
    const home = await mkdtemp(join(dir, 'home-'));
    await writeFile(join(home, 'routine.js'), ROUTINE);
    await writeConfig(home, {
      mode: 'RamRoleArn',
      access_key_id: emulator.credentials.accessKeyId,
      access_key_secret: emulator.credentials.accessKeySecret,
      ram_role_arn: EMULATOR_ROLE_ARN,
      ram_session_name: 'laptop',
      expired_seconds: 900,
    });
    const run = await runNode(CLI, ['publish', 'routine.js', '--name', 'sts-routine', '-d', 'role'], {
      cwd: home,
      env: { ESA_ENDPOINT: emulator.endpoint, ESA_STAGE_STS_ENDPOINT: emulator.stsEndpoint },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(emulator.state.stsSessions).toHaveLength(1);
    expect(emulator.state.stsSessions[0]).toMatchObject({
      action: 'AssumeRole',
      callerAccessKeyId: emulator.credentials.accessKeyId,
      roleSessionName: 'laptop',
      durationSeconds: 900,
    });
    for (const request of esaRequests()) {
      expect(request.principal).toBe('acs:ram::1234567890123456:assumed-role/esa-stage-ci/laptop');
    }
    // A wrong secret in the profile is refused by STS's signature check.
    await writeConfig(home, {
      mode: 'RamRoleArn',
      access_key_id: emulator.credentials.accessKeyId,
      access_key_secret: 'not-the-secret',
      ram_role_arn: EMULATOR_ROLE_ARN,
    });
    const wrong = await runNode(CLI, ['publish', 'routine.js', '--name', 'sts-routine', '--force'], {
      cwd: home,
      env: { ESA_ENDPOINT: emulator.endpoint, ESA_STAGE_STS_ENDPOINT: emulator.stsEndpoint },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/SignatureDoesNotMatch.*Hint: the profile's access_key_id/);
    expect(wrong.stderr).not.toContain('not-the-secret');
  });

  it('OIDC: exchanges the profile token file', async () => {
    const home = await mkdtemp(join(dir, 'home-'));
    await writeFile(join(home, 'routine.js'), ROUTINE);
    await writeFile(join(home, 'token'), futureToken({ sub: 'repo:acme/site:environment:staging' }));
    await writeConfig(home, {
      mode: 'OIDC',
      ram_role_arn: EMULATOR_OIDC_TRUST.roleArn,
      oidc_provider_arn: EMULATOR_OIDC_TRUST.providerArn,
      oidc_token_file: join(home, 'token'),
      ram_session_name: 'profile-oidc',
    });
    const run = await runNode(CLI, ['publish', 'routine.js', '--name', 'sts-routine', '-d', 'profile'], {
      cwd: home,
      env: { ESA_ENDPOINT: emulator.endpoint, ESA_STAGE_STS_ENDPOINT: emulator.stsEndpoint },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(emulator.state.stsSessions).toMatchObject([
      {
        action: 'AssumeRoleWithOIDC',
        subject: 'repo:acme/site:environment:staging',
        roleSessionName: 'profile-oidc',
      },
    ]);
    expect(esaRequests().every((r) => r.principal?.endsWith('/profile-oidc'))).toBe(true);
  });
});

describe('the credentials cache of one process', () => {
  /**
   * A publisher that runs in this process (where the cache lives), with a fresh OIDC token file:
   * `publish(options, now?)`.
   */
  async function inProcess(sessionName?: string) {
    const home = await mkdtemp(join(dir, 'home-'));
    await writeFile(join(home, 'token'), futureToken());
    const env = {
      ...oidcEnv(join(home, 'token')),
      ...(sessionName && { ALIBABA_CLOUD_ROLE_SESSION_NAME: sessionName }),
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    };
    const file = {
      fileName: 'routine.js',
      isEntry: true,
      source: { bytes: new TextEncoder().encode(ROUTINE) },
    };
    return (options: Partial<PublishOptions> & { name: string }, now?: () => Date) =>
      publishRoutine({ description: options.name, logLevel: 'silent', ...options }, file, {
        env,
        homeDir: home,
        cwd: home,
        ...(now && { now }),
      });
  }

  it('shares one exchange among concurrent publishes and exchanges again near expiry', async () => {
    freshRoutine('sts-a', 'sts-b', 'sts-c');
    const inCache = await inProcess('cache');
    const publish = (name: string, now?: () => Date) => inCache({ name }, now);
    await Promise.all(['sts-a', 'sts-b', 'sts-c'].map((name) => publish(name)));
    expect(emulator.state.stsSessions).toHaveLength(1);
    await publish('sts-a');
    expect(emulator.state.stsSessions).toHaveLength(1);
    // 46 minutes on: within 15 minutes of the hour's expiry, so a fresh exchange.
    await publish('sts-b', () => new Date(Date.now() + 46 * 60_000));
    expect(emulator.state.stsSessions).toHaveLength(2);
  });

  it('lets a publish that was not aborted make its own exchange when the shared one was aborted', async () => {
    freshRoutine('sts-a', 'sts-b');
    const publish = await inProcess('abort');
    // The first exchange is slow, and its publish is cancelled while it waits.
    emulator.faults.inject({ stsAction: 'AssumeRoleWithOIDC', delayMs: 400, times: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const [cancelled, kept] = await Promise.allSettled([
      publish({ name: 'sts-a', signal: controller.signal }),
      publish({ name: 'sts-b' }),
    ]);
    expect(cancelled.status).toBe('rejected');
    expect((cancelled as PromiseRejectedResult).reason).toMatchObject({ code: 'Aborted' });
    expect(kept.status, String((kept as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(emulator.state.routines.get('sts-b')?.envs.get('staging')?.codeVersions).toHaveLength(1);
  });

  it('exchanges again after ESA refused the cached credentials (revoked or expired early)', async () => {
    const inRoutine = await inProcess();
    const publish = (description: string) => inRoutine({ name: 'sts-routine', description, retries: 0 });
    await publish('first');
    // The emulator forgets every credential it issued: the cached ones are now refused.
    freshRoutine();
    await expect(publish('refused')).rejects.toMatchObject({
      code: expect.stringMatching(/^InvalidAccessKeyId/),
    });
    expect(emulator.state.stsSessions).toHaveLength(0);
    await publish('again');
    expect(emulator.state.stsSessions).toHaveLength(1);
    expect(emulator.state.routines.get('sts-routine')?.envs.get('staging')?.codeVersions).toHaveLength(1);
  });
});
