import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishRoutine, VerifyError } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupBundler } from './helpers/bundlers.js';
import { startConnectProxy } from './helpers/connect-proxy.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { parseGithubOutput } from './helpers/github-output.js';
import { emulatorPluginOptions } from './helpers/plugin-setup.js';
import { runNode } from './helpers/run-node.js';

// `verify`: publish, prove the new version answers on staging (the emulator's HTTPS staging edge
// runs it), and only then promote. Every case checks what the emulator's environments serve after.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));

const ROUTINES = {
  'good.js': `export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/health') {
      return Response.json({ ok: true, host: request.headers.get('host'), path: url.pathname });
    }
    return new Response('home');
  },
};
`,
  'good-v2.js': 'export default { fetch: () => Response.json({ ok: true, v: 2 }) };\n',
  'fails.js': 'export default { fetch: () => new Response("broken on purpose", { status: 500 }) };\n',
  'throws.js': 'export default { fetch() { throw new Error("boom"); } };\n',
  'hangs.js': 'export default { fetch: () => new Promise(() => {}) };\n',
  // Answers 503 twice (as a version still reaching the edges would), then 200.
  'warms-up.js': `let calls = 0;
export default { fetch: () => (++calls < 3 ? new Response("warming", { status: 503 }) : new Response("ready")) };
`,
};

const NAMES = [
  'promote',
  'fails',
  'throws',
  'hangs',
  'warms',
  'canary',
  'untrusted',
  'plain',
  'spa',
  'plugin',
  'outputs',
  'deploy-cmd',
  'no-ip',
  'proxied',
  'predicate',
] as const;

let emulator: Emulator;
let repo: TempRepo;
beforeAll(async () => {
  emulator = await startEmulator({ routines: [...NAMES], edgeRequestTimeoutMs: 1000 });
  repo = await createTempRepo(ROUTINES, 'feat: verify');
});
afterAll(async () => {
  await emulator?.close();
  await repo?.remove();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ESA_ENDPOINT: emulator.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
    NODE_EXTRA_CA_CERTS: emulator.caPath,
    ESA_STAGE_STAGING_PORT: String(emulator.stagingEdge.port),
    ...extra,
  };
}

const cli = (args: string[], extra: Record<string, string> = {}) =>
  runNode(CLI, args, { cwd: repo.dir, env: env(extra) });

/** `esa-stage publish <file> --name <name> ...flags`. */
const publish = (file: string, name: string, flags: string[], extra: Record<string, string> = {}) =>
  cli(['publish', file, '--name', name, ...flags], extra);

/** The versions an environment of a routine serves, as `version@percent`. */
function serves(name: string, envName: 'staging' | 'production'): string[] {
  const deployment = emulator.state.routines.get(name)?.envs.get(envName);
  return (deployment?.codeVersions ?? []).map((v) => `${v.codeVersion}@${v.percentage}`);
}

/** A first version, promoted to production without verify: what a failed verify must leave alone. */
async function baseline(name: string): Promise<string> {
  const { code, stdout, stderr } = await publish('good.js', name, ['--deploy', 'production', '--json']);
  expect(code, stderr).toBe(0);
  return (JSON.parse(stdout) as { codeVersion: string }).codeVersion;
}

const edgeRequests = (name: string) => emulator.state.edgeRequests.filter((r) => r.routine === name);

describe('verify', () => {
  it('promotes only after staging answered: staging deploy, then the request, then production', async () => {
    const { code, stdout, stderr } = await publish('good.js', 'promote', [
      '--deploy',
      'production',
      '--verify',
      '/health',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as {
      codeVersion: string;
      verify: { status: number; body: string; ms: number; attempts: number; url: string; ip: string };
    };
    const host = 'promote.emulator.er.aliyun-esa.net';
    expect(result.verify).toMatchObject({ status: 200, attempts: 1, ip: '127.0.0.1' });
    // The routine saw the Host header (with the port) and the path.
    expect(JSON.parse(result.verify.body)).toEqual({
      ok: true,
      host: `${host}:${emulator.stagingEdge.port}`,
      path: '/health',
    });
    expect(serves('promote', 'staging')).toEqual([`${result.codeVersion}@100`]);
    expect(serves('promote', 'production')).toEqual([`${result.codeVersion}@100`]);
    // The request really went to the staging edge, over TLS, with the routine's host as SNI and Host.
    const requests = edgeRequests('promote');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      env: 'staging',
      sni: host,
      host,
      hostHeader: `${host}:${emulator.stagingEdge.port}`,
      method: 'GET',
      path: '/health',
      status: 200,
      codeVersion: result.codeVersion,
    });
    // Order: the staging deploy, then the request, then production's deploy.
    const routine = emulator.state.routines.get('promote');
    const asked = requests[0]?.at.getTime() ?? Number.NaN;
    expect(asked).toBeGreaterThanOrEqual(routine?.envs.get('staging')?.creationTime.getTime() ?? Number.NaN);
    expect(asked).toBeLessThanOrEqual(routine?.envs.get('production')?.creationTime.getTime() ?? Number.NaN);
    expect(stderr).toMatch(/staging answered GET \/health with 200 in \d+ ms: "\{\\"ok\\":true/);
    // The printed way to staging works as it is against the emulator: its port and its CA.
    const port = emulator.stagingEdge.port;
    expect(stderr).toContain(
      `reach staging: curl --cacert ${emulator.caPath} --resolve ${host}:${port}:127.0.0.1 https://${host}:${port}/`,
    );
  });

  it.each([
    ['fails', 'fails.js', /last: 500 in \d+ ms: "broken on purpose"/, '2'],
    ['throws', 'throws.js', /last: 500 in \d+ ms/, '2'],
    // Each request waits out the edge's 1 s limit: time for at least two.
    ['hangs', 'hangs.js', /last: 504 in \d+ ms/, '4'],
  ])(
    'refuses a routine that %s: VerifyFailed, and production keeps its version',
    async (name, file, last, seconds) => {
      const before = await baseline(name);
      const { code, stdout, stderr } = await publish(
        file,
        name,
        ['--deploy', 'production', '--verify', '/health', '--verify-timeout', seconds, '--json'],
        {},
      );
      expect(code).toBe(1);
      const { error } = JSON.parse(stdout) as {
        error: { code: string; message: string; hint: string; verifyStatus: string };
      };
      expect(error.code).toBe('VerifyFailed');
      expect(error.message).toMatch(last);
      const staged = serves(name, 'staging')[0]?.split('@')[0];
      expect(staged).not.toBe(before);
      expect(error.message).toContain(`Staging now serves ${staged}; production was not changed`);
      expect(error.hint).toContain(`esa-stage deploy --name ${name} --env staging --version ${before}`);
      expect(serves(name, 'production')).toEqual([`${before}@100`]);
      // Retried while staging answered wrong, for the whole timeout.
      expect(edgeRequests(name).length).toBeGreaterThan(1);
      expect(stderr).toContain('VerifyFailed');
    },
  );

  it('waits out a version that answers 503 before it is ready', async () => {
    const { code, stdout, stderr } = await publish('warms-up.js', 'warms', ['--verify', '/', '--json']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout).verify).toMatchObject({ status: 200, body: 'ready', attempts: 3 });
    expect(edgeRequests('warms').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('verifies a canary on staging before production changes at all', async () => {
    const before = await baseline('canary');
    const failed = await publish('fails.js', 'canary', [
      '--deploy',
      'production',
      '--percentage',
      '10',
      '--verify',
      '/',
      '--verify-timeout',
      '2',
    ]);
    expect(failed.code).toBe(1);
    expect(serves('canary', 'production')).toEqual([`${before}@100`]);
    const good = await publish('good-v2.js', 'canary', [
      '--deploy',
      'production',
      '--percentage',
      '10',
      '--verify',
      '/',
      '--json',
    ]);
    expect(good.code, good.stderr).toBe(0);
    const { codeVersion } = JSON.parse(good.stdout) as { codeVersion: string };
    expect(serves('canary', 'production').sort()).toEqual([`${before}@90`, `${codeVersion}@10`].sort());
  });

  it('never trusts a certificate it cannot verify: no NODE_EXTRA_CA_CERTS, VerifyUntrusted at once', async () => {
    const before = await baseline('untrusted');
    // An hour to wait: a retried certificate error would outlast the test.
    const { code, stdout } = await publish(
      'good-v2.js',
      'untrusted',
      ['--deploy', 'production', '--verify', '/health', '--verify-timeout', '3600', '--json'],
      { NODE_EXTRA_CA_CERTS: '' },
    );
    expect(code).toBe(1);
    const { error } = JSON.parse(stdout) as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe('VerifyUntrusted');
    expect(error.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(serves('untrusted', 'production')).toEqual([`${before}@100`]);
  });

  it('never verifies over plain HTTP: a plain server answering 200 on the staging port does not pass', async () => {
    let plainRequests = 0;
    const plain = createServer((_req, res) => {
      plainRequests++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const before = await baseline('plain');
      const { code, stdout } = await publish(
        'good-v2.js',
        'plain',
        ['--deploy', 'production', '--verify', '/', '--verify-timeout', '2', '--json'],
        { ESA_STAGE_STAGING_PORT: String((plain.address() as AddressInfo).port) },
      );
      expect(code).toBe(1);
      expect((JSON.parse(stdout) as { error: { code: string } }).error.code).toBe('VerifyFailed');
      expect(plainRequests).toBe(0);
      expect(serves('plain', 'production')).toEqual([`${before}@100`]);
    } finally {
      plain.close();
    }
  });

  it('verifies a single-page app: a client route is answered by index.html from the assets', async () => {
    const dist = join(repo.dir, 'spa-dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>spa shell</title>');
    await writeFile(join(dist, 'assets/app.js'), 'console.log("app");\n');
    // A static site (assets alone), through the library API, in this process.
    const result = await publishRoutine(
      {
        name: 'spa',
        endpoint: emulator.endpoint,
        credentials: emulator.credentials,
        routine: false,
        assets: { directory: dist, notFoundStrategy: 'singlePageApplication' },
        verify: '/settings/profile',
        logLevel: 'silent',
        cwd: repo.dir,
      },
      [],
      { env: env() },
    );
    expect(result.dryRun === false && result.verify).toMatchObject({
      status: 200,
      body: '<!doctype html><title>spa shell</title>',
    });
    expect(edgeRequests('spa').map((r) => [r.path, r.servedBy, r.status])).toEqual([
      ['/settings/profile', 'asset', 200],
    ]);
  });

  it('under a plugin with failOnError: false, a failed verify is a warning and production keeps its version', async () => {
    const before = await baseline('plugin');
    const project = await createTempRepo(
      { 'src/index.js': 'export default { fetch: () => new Response("nope", { status: 502 }) };\n' },
      'feat: a routine that fails',
    );
    const saved = { port: process.env.ESA_STAGE_STAGING_PORT, ca: process.env.NODE_EXTRA_CA_CERTS };
    process.env.ESA_STAGE_STAGING_PORT = String(emulator.stagingEdge.port);
    process.env.NODE_EXTRA_CA_CERTS = emulator.caPath;
    try {
      const run = await rollupBundler.build(project.dir, {
        ...emulatorPluginOptions(emulator, 'plugin', project.dir),
        deploy: 'production',
        verify: { path: '/', timeout: 1000 },
        failOnError: false,
        logLevel: 'warn',
      });
      expect(run.warnings.join('\n')).toMatch(
        /publish failed, and failOnError is false so the build goes on: VerifyFailed: staging did not answer GET https:\/\/plugin\.emulator\.er\.aliyun-esa\.net:\d+\/ with 2xx within 1 s .*last: 502 in \d+ ms: "nope"/,
      );
      expect(serves('plugin', 'production')).toEqual([`${before}@100`]);
      expect(serves('plugin', 'staging')).not.toEqual([`${before}@100`]);
    } finally {
      process.env.ESA_STAGE_STAGING_PORT = saved.port;
      process.env.NODE_EXTRA_CA_CERTS = saved.ca;
      if (saved.port === undefined) delete process.env.ESA_STAGE_STAGING_PORT;
      if (saved.ca === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      await project.remove();
    }
  });

  it('reports verify_status to GitHub Actions: the status staging answered, on success and failure', async () => {
    const output = join(repo.dir, 'github-output.txt');
    const github = { GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output };
    const ok = await publish('good.js', 'outputs', ['--verify', '/health'], github);
    expect(ok.code, ok.stderr).toBe(0);
    expect(parseGithubOutput(await readFile(output, 'utf8'))).toMatchObject({
      status: 'published',
      verify_status: '200',
    });
    await rm(output);
    const failed = await publish(
      'fails.js',
      'outputs',
      ['--verify', '/health', '--verify-timeout', '1'],
      github,
    );
    expect(failed.code).toBe(1);
    expect(parseGithubOutput(await readFile(output, 'utf8'))).toMatchObject({
      status: 'failed',
      error_code: 'VerifyFailed',
      verify_status: '500',
    });
  });

  it('gates a promotion by `esa-stage deploy --verify`: staging serves the version and answers first', async () => {
    const before = await baseline('deploy-cmd');
    // Versions committed but deployed nowhere.
    const commit = async (file: string) => {
      const r = await publish(file, 'deploy-cmd', ['--deploy', 'none', '--json']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { codeVersion: string }).codeVersion;
    };
    const broken = await commit('fails.js');
    const refused = await cli([
      'deploy',
      '--name',
      'deploy-cmd',
      '--version',
      broken,
      '--env',
      'production',
      '--verify',
      '/health',
      '--verify-timeout',
      '1',
      '--json',
    ]);
    expect(refused.code).toBe(1);
    const { error } = JSON.parse(refused.stdout) as { error: { code: string; hint: string } };
    expect(error.code).toBe('VerifyFailed');
    expect(error.hint).toContain(`esa-stage deploy --name deploy-cmd --env staging --version ${before}`);
    expect(serves('deploy-cmd', 'staging')).toEqual([`${broken}@100`]);
    expect(serves('deploy-cmd', 'production')).toEqual([`${before}@100`]);

    const fixed = await commit('good-v2.js');
    const promoted = await cli([
      'deploy',
      '--name',
      'deploy-cmd',
      '--version',
      fixed,
      '--env',
      'production',
      '--verify',
      '/',
      '--json',
    ]);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(JSON.parse(promoted.stdout)).toMatchObject({
      env: 'production',
      changed: true,
      verify: { status: 200, body: '{"ok":true,"v":2}' },
    });
    expect(serves('deploy-cmd', 'staging')).toEqual([`${fixed}@100`]);
    expect(serves('deploy-cmd', 'production')).toEqual([`${fixed}@100`]);
    // A staging canary cannot be verified: which version answered would be a coin toss.
    const canary = await cli([
      'deploy',
      '--name',
      'deploy-cmd',
      '--version',
      before,
      '--env',
      'staging',
      '--percentage',
      '50',
      '--verify',
      '/',
    ]);
    expect(canary.code).toBe(1);
    expect(canary.stderr).toMatch(/InvalidConfig: .*verify: needs staging to serve the new version alone/);
  });

  it('refuses before anything is made when staging cannot be reached to verify', async () => {
    emulator.faults.inject({ action: 'GetRoutineStagingEnvIp', status: 403, code: 'NoPermission', times: 1 });
    const { code, stdout } = await publish('good.js', 'no-ip', ['--verify', '/health', '--json']);
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as { error: { code: string } }).error.code).toBe('NoPermission');
    expect(emulator.state.routines.get('no-ip')?.versions.size).toBe(0);
    expect(serves('no-ip', 'staging')).toEqual([]);
  });

  it('asks staging through HTTPS_PROXY, as every other request: a tunnel to the staging IP, TLS inside', async () => {
    // Nothing listens on port 1: only the proxy (which maps it to the staging edge) reaches staging.
    const proxy = await startConnectProxy({
      map: { '127.0.0.1:1': `127.0.0.1:${emulator.stagingEdge.port}` },
    });
    try {
      const { code, stdout, stderr } = await publish(
        'good.js',
        'proxied',
        ['--verify', '/health', '--json'],
        {
          HTTPS_PROXY: proxy.url,
          ESA_STAGE_STAGING_PORT: '1',
        },
      );
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout).verify).toMatchObject({ status: 200, attempts: 1 });
      expect(proxy.tunnels.map((t) => t.target)).toEqual(['127.0.0.1:1']);
      // The TLS handshake went through the tunnel with the routine's host as SNI.
      expect(edgeRequests('proxied')).toMatchObject([
        { sni: 'proxied.emulator.er.aliyun-esa.net', path: '/health', status: 200 },
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('fails the verify at once when a status function throws, naming it', async () => {
    const error = await publishRoutine(
      {
        name: 'predicate',
        endpoint: emulator.endpoint,
        credentials: emulator.credentials,
        description: 'predicate',
        verify: {
          path: '/health',
          status: () => {
            throw new Error('no status is good enough');
          },
          // An hour: retried, it would outlast the test.
          timeout: 3_600_000,
        },
        logLevel: 'silent',
      },
      {
        fileName: 'index.js',
        isEntry: true,
        source: { bytes: new TextEncoder().encode(ROUTINES['good.js']) },
      },
      { env: env() },
    ).catch((e: unknown) => e);
    // A library caller can tell it apart, and read what staging serves.
    expect(error).toBeInstanceOf(VerifyError);
    expect(error).toMatchObject({ code: 'VerifyFailed', lastStatus: undefined });
    expect((error as VerifyError).stagingVersion).toBe(serves('predicate', 'staging')[0]?.split('@')[0]);
    expect((error as Error).message).toMatch(
      /^the verify\.status function threw for status 200: no status is good enough/,
    );
    expect(edgeRequests('predicate')).toHaveLength(1);
  });
});
