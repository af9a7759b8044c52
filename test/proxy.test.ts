import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PublishedResult } from '@esa-stage/core';
import { EMULATOR_OIDC_TRUST, type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectProxy, startConnectProxy } from './helpers/connect-proxy.js';
import { runNode } from './helpers/run-node.js';

// HTTPS_PROXY / HTTP_PROXY / NO_PROXY, proven with a CONNECT proxy on loopback: the CLI in a new
// process publishes a 3 MB routine; every ESA call and the OSS upload went through the tunnel.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));
/** Nothing listens on port 1: only the proxy (which maps it to the emulator) can reach this endpoint. */
const UNREACHABLE_ESA = 'http://127.0.0.1:1';

let emulator: Emulator;
let dir: string;
let routine: Buffer;
let proxy: ConnectProxy | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ routines: ['proxied'] });
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-proxy-'));
  // 3 MB that compress badly: the flat-memory ring of the upload turns over many times in the tunnel.
  const filler = randomBytes(1_500_000).toString('hex');
  routine = Buffer.from(
    `const filler = "${filler}";\nexport default { fetch: () => new Response(filler.slice(0, 8)) };\n`,
  );
  await writeFile(join(dir, 'routine.js'), routine);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function esaPort(): string {
  return new URL(emulator.endpoint).port;
}

function publish(env: Record<string, string>, description: string) {
  return runNode(
    CLI,
    ['publish', 'routine.js', '--name', 'proxied', '-d', description, '--force', '--json'],
    {
      cwd: dir,
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
        ...env,
      },
    },
  );
}

function stagedCode(codeVersion: string): Buffer | undefined {
  const version = emulator.state.routines.get('proxied')?.versions.get(codeVersion);
  return version?.bytes === undefined ? undefined : Buffer.from(version.bytes);
}

describe('a publish through a proxy', () => {
  it('sends every ESA call and the upload through HTTP_PROXY, and the bytes arrive intact', async () => {
    proxy = await startConnectProxy({ map: { '127.0.0.1:1': `127.0.0.1:${esaPort()}` } });
    const before = emulator.state.requests.length;
    const run = await publish({ HTTP_PROXY: proxy.url, ESA_ENDPOINT: UNREACHABLE_ESA }, 'through the proxy');
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PublishedResult;
    expect(
      createHash('sha256')
        .update(stagedCode(result.codeVersion) ?? '')
        .digest('hex'),
    ).toBe(createHash('sha256').update(routine).digest('hex'));
    const seen = emulator.state.requests.slice(before);
    const ossPort = new URL(emulator.ossEndpoint).port;
    const esaTunnels = proxy.tunnels.filter((t) => t.target === '127.0.0.1:1');
    const ossTunnels = proxy.tunnels.filter((t) => t.target === `127.0.0.1:${ossPort}`);
    // Every tunnel is one of the two; at most three keep-alive connections carried every ESA call.
    expect(esaTunnels.length + ossTunnels.length).toBe(proxy.tunnels.length);
    expect(esaTunnels.length).toBeGreaterThanOrEqual(1);
    expect(esaTunnels.length).toBeLessThanOrEqual(3);
    expect(esaTunnels.flatMap((t) => t.requestLines)).toHaveLength(
      seen.filter((r) => r.service === 'esa').length,
    );
    expect(ossTunnels.flatMap((t) => t.requestLines)).toHaveLength(
      seen.filter((r) => r.service === 'oss').length,
    );
    expect(ossTunnels.reduce((n, t) => n + t.sent, 0)).toBeGreaterThan(routine.length);
    expect(proxy.forwarded).toEqual([]);
  });

  it('sends the STS exchange of OIDC credentials through the proxy too', async () => {
    proxy = await startConnectProxy({
      map: {
        '127.0.0.1:1': `127.0.0.1:${esaPort()}`,
        '127.0.0.1:2': `127.0.0.1:${new URL(emulator.stsEndpoint).port}`,
      },
    });
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${part({ alg: 'none' })}.${part({ iss: 'https://token.actions.githubusercontent.com', sub: 'ci', aud: 'sts', exp: Math.floor(Date.now() / 1000) + 600 })}.x`;
    await writeFile(join(dir, 'token'), token);
    const sessions = emulator.state.stsSessions.length;
    const run = await runNode(
      CLI,
      ['publish', 'routine.js', '--name', 'proxied', '-d', 'oidc via proxy', '--force'],
      {
        cwd: dir,
        env: {
          HTTP_PROXY: proxy.url,
          ESA_ENDPOINT: UNREACHABLE_ESA,
          ESA_STAGE_STS_ENDPOINT: 'http://127.0.0.1:2',
          ALIBABA_CLOUD_ROLE_ARN: EMULATOR_OIDC_TRUST.roleArn,
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: EMULATOR_OIDC_TRUST.providerArn,
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: join(dir, 'token'),
        },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(emulator.state.stsSessions).toHaveLength(sessions + 1);
    const sts = proxy.tunnels.filter((t) => t.target === '127.0.0.1:2');
    expect(sts.flatMap((t) => t.requestLines)).toEqual([
      expect.stringMatching(/^POST \/\?Action=AssumeRoleWithOIDC&.* HTTP\/1\.1$/),
    ]);
  });

  it('goes direct for a host in NO_PROXY', async () => {
    proxy = await startConnectProxy();
    const run = await publish(
      { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1', ESA_ENDPOINT: emulator.endpoint },
      'direct',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(proxy.tunnels).toEqual([]);
  });

  it('sends the proxy URL credentials as Proxy-Authorization, and never prints them', async () => {
    const wanted = `Basic ${Buffer.from('deploy:pr0xy-s3cret').toString('base64')}`;
    proxy = await startConnectProxy({
      requireAuthorization: wanted,
      map: { '127.0.0.1:1': `127.0.0.1:${esaPort()}` },
    });
    const authorized = new URL(proxy.url);
    authorized.username = 'deploy';
    authorized.password = 'pr0xy-s3cret';
    const ok = await publish({ http_proxy: authorized.href, ESA_ENDPOINT: UNREACHABLE_ESA }, 'authorized');
    expect(ok.code, ok.stderr).toBe(0);
    expect(proxy.tunnels.every((t) => t.authorization === wanted)).toBe(true);

    authorized.password = 'wrong-pr0xy-pass';
    const refused = await publish({ HTTP_PROXY: authorized.href, ESA_ENDPOINT: UNREACHABLE_ESA }, 'refused');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ProxyAuthRequired: .*the proxy answered 407/);
    // Not retried: a proxy that wants other credentials will not change its mind.
    expect(refused.stderr).not.toMatch(/retry 1\//);
    expect(`${refused.stdout}${refused.stderr}${ok.stdout}${ok.stderr}`).not.toMatch(/pr0xy/);
  });

  it('refuses a proxy variable that is not a URL before any request, hiding its password', async () => {
    const before = emulator.state.requests.length;
    const run = await publish(
      { HTTPS_PROXY: 'proxy.example:3128 with:s3cret@junk', ESA_ENDPOINT: emulator.endpoint },
      'bad proxy',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/InvalidConfig: env HTTPS_PROXY: is not an http\(s\) proxy URL/);
    expect(run.stderr).not.toContain('s3cret');
    expect(emulator.state.requests.length).toBe(before);
  });
});
