import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Esa, { GetRoutineRequest } from '@alicloud/esa20240910';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_ACCESS_KEY, EMULATOR_OIDC_TRUST, EMULATOR_ROLE_ARN } from '../src/index.js';
import { DEFAULT_BIN_PORTS, exportLines, resolveBinPorts, shellQuote } from '../src/shell-env.js';
import { githubClaims, unsignedJwt } from './sts-helpers.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

interface Ready {
  endpoint: string;
  ossEndpoint: string;
  stsEndpoint: string;
  stagingEdge: { host: string; port: number; url: string };
  productionEdge: { host: string; port: number; url: string };
  caPath: string;
  accessKeyId: string;
  accessKeySecret: string;
}

const children: ChildProcessWithoutNullStreams[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function start(command: string, args: string[]): ChildProcessWithoutNullStreams {
  const proc = spawn(command, args, { stdio: 'pipe' });
  children.push(proc);
  return proc;
}

/** Runs a command to its exit; resolves its exit code and what it wrote. */
async function run(
  command: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = start(command, args);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(proc, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const runBin = (args: string[]) => run(process.execPath, [BIN, ...args]);

/** Starts the bin with --json (free ports unless a port is given) and reads its ready line. */
async function startBin(args: string[]): Promise<{ proc: ChildProcessWithoutNullStreams; ready: Ready }> {
  const ports = args.includes('--port') ? [] : ['--port', '0'];
  const proc = start(process.execPath, [BIN, '--json', ...ports, ...args]);
  const lines = createInterface({ input: proc.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  return { proc, ready: JSON.parse(first) as Ready };
}

/** Listens on a port of loopback, to make it busy; resolves the port. */
async function occupy(port = 0): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** A port N with N to N+4 free on loopback (checked, then released): the bin's five ports. */
async function freeRange(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const base = await occupy();
    try {
      for (let offset = 1; offset <= 4; offset += 1) await occupy(base + offset);
      return base;
    } catch {
      // Taken: try another base.
    } finally {
      await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    }
  }
  throw new Error('no five consecutive free ports');
}

async function assumeRoleWithOidc(stsEndpoint: string): Promise<number> {
  const res = await fetch(`${stsEndpoint}/?Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      OIDCProviderArn: EMULATOR_OIDC_TRUST.providerArn,
      RoleArn: EMULATOR_ROLE_ARN,
      OIDCToken: unsignedJwt(githubClaims(Date.now())),
      RoleSessionName: 'bin-test',
    }),
  });
  return res.status;
}

describe('esa-stage-emulator bin', () => {
  it('prints its endpoints and credentials, answers the official SDK, and stops on SIGTERM', async () => {
    const { proc, ready } = await startBin(['--routine', 'hand-started']);
    expect(ready.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.ossEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.stsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const client = new Esa(
      new $OpenApiUtil.Config({
        accessKeyId: ready.accessKeyId,
        accessKeySecret: ready.accessKeySecret,
        endpoint: new URL(ready.endpoint).host,
        protocol: 'http',
      }),
    );
    const routine = await client.getRoutine(new GetRoutineRequest({ name: 'hand-started' }));
    expect(routine.statusCode).toBe(200);
    expect(routine.body?.envs?.map((e) => e.env).sort()).toEqual(['production', 'staging']);
    expect(await assumeRoleWithOidc(ready.stsEndpoint)).toBe(200);

    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.kill('SIGTERM');
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(stderr).toContain('stopped (SIGTERM)');
    expect(stderr).toMatch(/esa GetRoutine 200 /);
    expect(stderr).toMatch(/sts AssumeRoleWithOIDC 200 /);
    expect(stderr).not.toContain(ready.accessKeySecret);
  });

  it('--json reports the HTTPS edges and the CA, which a client trusting only that CA reaches', async () => {
    const caDir = await mkdtemp(join(tmpdir(), 'esa-stage-bin-ca-'));
    try {
      const { proc, ready } = await startBin(['--routine', 'bin-edge', '--ca-dir', caDir, '--quiet']);
      expect(ready.caPath).toBe(join(caDir, 'ca.pem'));
      expect(ready.stagingEdge).toEqual({
        host: '127.0.0.1',
        port: ready.stagingEdge.port,
        url: `https://127.0.0.1:${ready.stagingEdge.port}`,
      });
      expect(ready.productionEdge.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await stat(join(caDir, 'ca-key.pem'))).mode & 0o777).toBe(0o600);
      const ca = await readFile(ready.caPath, 'utf8');
      const host = 'bin-edge.emulator.er.aliyun-esa.net';
      const client = new Client(ready.stagingEdge.url, { connect: { ca, servername: host } });
      try {
        const res = await client.request({ method: 'GET', path: '/', headers: { host } });
        expect(res.statusCode).toBe(404);
        expect(await res.body.text()).toBe(
          'esa-stage emulator staging edge: routine "bin-edge" has no code version deployed to staging (deploy one: CreateRoutineCodeDeployment with Env=staging)\n',
        );
      } finally {
        await client.close();
      }
      proc.kill('SIGTERM');
      await once(proc, 'exit');
      // The next run keeps the same CA (valid for long enough).
      const { ready: again } = await startBin(['--ca-dir', caDir, '--quiet']);
      expect(await readFile(again.caPath, 'utf8')).toBe(ca);
    } finally {
      await rm(caDir, { recursive: true, force: true });
    }
  });

  it('stops on SIGINT', async () => {
    const { proc } = await startBin(['--quiet']);
    proc.kill('SIGINT');
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('listens on --port and the four ports after it, or on --oss-port / --sts-port', async () => {
    const base = await freeRange();
    const { ready } = await startBin(['--port', String(base), '--quiet']);
    expect([ready.endpoint, ready.ossEndpoint, ready.stsEndpoint]).toEqual(
      [base, base + 1, base + 2].map((p) => `http://127.0.0.1:${p}`),
    );
    expect([ready.stagingEdge.url, ready.productionEdge.url]).toEqual(
      [base + 3, base + 4].map((p) => `https://127.0.0.1:${p}`),
    );
    const sts = await occupy();
    await new Promise((r) => servers.splice(0)[0]?.close(r));
    const { ready: other } = await startBin(['--sts-port', String(sts), '--quiet']);
    expect(other.stsEndpoint).toBe(`http://127.0.0.1:${sts}`);
    expect(await assumeRoleWithOidc(other.stsEndpoint)).toBe(200);
  });

  it('fails with one line naming a busy port and the way out', async () => {
    const busy = await occupy();
    const esa = await runBin(['--port', String(busy)]);
    expect(esa.code).toBe(1);
    expect(esa.stderr).toBe(
      `esa-stage-emulator: ESA OpenAPI port ${busy} on 127.0.0.1 is in use; pass --port 0 for free ports, or another --port (is an emulator already running?)\n`,
    );
    expect(esa.stdout).toBe('');
    const sts = await runBin(['--port', '0', '--sts-port', String(busy)]);
    expect(sts.code).toBe(1);
    expect(sts.stderr).toMatch(
      new RegExp(`^esa-stage-emulator: STS port ${busy} on 127\\.0\\.0\\.1 is in use; pass --port 0`),
    );
    expect(sts.stderr.trim().split('\n')).toHaveLength(1);
    const staging = await runBin(['--port', '0', '--staging-edge-port', String(busy)]);
    expect(staging.code).toBe(1);
    expect(staging.stderr).toMatch(new RegExp(`^esa-stage-emulator: staging edge port ${busy} on 127`));
  });

  it('refuses a bad flag with exit code 2 and the usage', async () => {
    const { code, stderr } = await runBin(['--port', 'abc']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port takes a whole number');
    expect(stderr).toContain('Usage: esa-stage-emulator');
    const sts = await runBin(['--sts-port', '1.5']);
    expect(sts.stderr).toContain('--sts-port takes a whole number');
    const both = await runBin(['--json', '--env']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('choose one of --json, --env and --print-env, not --json and --env');
  });

  it('refuses a non-loopback host', async () => {
    const { code, stderr } = await runBin(['--host', '0.0.0.0']);
    expect(code).toBe(2);
    expect(stderr).toContain('host must be a loopback address');
    expect((await runBin(['--host', '0.0.0.0', '--print-env'])).code).toBe(2);
  });

  it('documents the fixed default ports in --help', async () => {
    const { code, stdout } = await runBin(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--port <n>            ESA OpenAPI port (default: 18700)');
    expect(stdout).toContain('--sts-port <n>');
    expect(stdout).toContain('HTTPS staging edge port (default: --port + 3, so 18703');
    expect(stdout).toContain('HTTPS production edge port (default: --port + 4, so 18704');
    expect(stdout).toContain('--ca-dir <dir>');
    expect(stdout).toContain(
      'curl --cacert <CA path> --resolve <host>:18703:127.0.0.1 https://<host>:18703/',
    );
    expect(stdout).toContain('eval "$(npx esa-stage-emulator --print-env)"');
  });
});

describe('the bin in a shell (real bash)', () => {
  const bash = (script: string, ...args: string[]) => run('bash', ['-c', script, 'bash', ...args]);

  it('--env prints only sh export lines once listening, logs on stderr, and bash evals them', async () => {
    const proc = start(process.execPath, [BIN, '--env', '--port', '0']);
    const lines = createInterface({ input: proc.stdout });
    const exported: string[] = [];
    for await (const line of lines) {
      exported.push(line);
      if (exported.length === 6) break;
    }
    expect(exported.map((l) => l.replace(/=.*/, ''))).toEqual([
      'export ESA_ENDPOINT',
      'export ALIBABA_CLOUD_ACCESS_KEY_ID',
      'export ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'export ESA_STAGE_STAGING_PORT',
      'export NODE_EXTRA_CA_CERTS',
      'export ESA_STAGE_STS_ENDPOINT',
    ]);
    const shell = await bash(
      `eval "$1"; printf '%s\\n' "$ESA_ENDPOINT" "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ESA_STAGE_STS_ENDPOINT" "$ESA_STAGE_STAGING_PORT" "$NODE_EXTRA_CA_CERTS"`,
      exported.join('\n'),
    );
    const [endpoint, id, secret, stsEndpoint, stagingPort, caPath] = shell.stdout.trim().split('\n');
    expect([id, secret]).toEqual([EMULATOR_ACCESS_KEY.accessKeyId, EMULATOR_ACCESS_KEY.accessKeySecret]);
    const health = (await (await fetch(`${endpoint}/__emulator/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      ok: true,
      endpoint,
      stsEndpoint,
      stagingEdge: `https://127.0.0.1:${stagingPort}`,
      caPath,
    });
    let stderr = '';
    let rest = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.stdout.on('data', (chunk: Buffer) => {
      rest += chunk.toString();
    });
    expect(await assumeRoleWithOidc(stsEndpoint ?? '')).toBe(200);
    proc.kill('SIGTERM');
    await once(proc, 'exit');
    expect(stderr).toMatch(/sts AssumeRoleWithOIDC 200 /);
    expect(rest).toBe('');
  });

  it('--env to a file works for a script that starts the emulator in the background (README recipe)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'esa-stage-bin-'));
    try {
      // The recipe of the README, with `npx esa-stage-emulator` replaced by this build.
      const script = `
        node "$1" --env --port 0 --quiet > "$2/emulator.env" 2>/dev/null &
        EMULATOR_PID=$!
        until grep -q ESA_STAGE_STS_ENDPOINT "$2/emulator.env" 2>/dev/null; do kill -0 "$EMULATOR_PID" || exit 1; sleep 0.05; done
        . "$2/emulator.env"
        printf '%s\\n' "$ESA_ENDPOINT" "$ESA_STAGE_STS_ENDPOINT" "$EMULATOR_PID"`;
      const { code, stdout } = await bash(script, BIN, dir);
      expect(code).toBe(0);
      const [endpoint, stsEndpoint, pid] = stdout.trim().split('\n');
      try {
        const health = (await (await fetch(`${endpoint}/__emulator/health`)).json()) as Record<
          string,
          unknown
        >;
        expect(health).toMatchObject({ ok: true, endpoint, stsEndpoint });
      } finally {
        process.kill(Number(pid), 'SIGTERM');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--print-env prints the exports for the fixed default ports and CA without starting anything', async () => {
    const shell = await bash(
      `eval "$(node "$1" --print-env)"; printf '%s\\n' "$ESA_ENDPOINT" "$ESA_STAGE_STS_ENDPOINT" "$ESA_STAGE_STAGING_PORT" "$NODE_EXTRA_CA_CERTS"`,
      BIN,
    );
    expect(shell.code).toBe(0);
    expect(shell.stdout).toBe(
      [
        `http://127.0.0.1:${DEFAULT_BIN_PORTS.port}`,
        `http://127.0.0.1:${DEFAULT_BIN_PORTS.stsPort}`,
        '18703',
        // One directory per user, absolute.
        join(tmpdir(), `esa-stage-emulator-ca-${process.getuid?.()}`, 'ca.pem'),
        '',
      ].join('\n'),
    );
    // A relative --ca-dir is made absolute: NODE_EXTRA_CA_CERTS works from any directory.
    const relative = await runBin(['--print-env', '--ca-dir', 'my-ca']);
    expect(relative.stdout).toContain(
      `export NODE_EXTRA_CA_CERTS='${join(process.cwd(), 'my-ca', 'ca.pem')}'\n`,
    );
    const moved = await runBin(['--print-env', '--port', '19100', '--ca-dir', '/some/dir']);
    expect(moved.stdout).toContain(`export ESA_STAGE_STAGING_PORT='19103'\n`);
    expect(moved.stdout).toContain(`export NODE_EXTRA_CA_CERTS='/some/dir/ca.pem'\n`);
  });

  it('--print-env warns on stderr when nothing answers, and takes the running emulator’s STS endpoint when one does', async () => {
    const base = await freeRange();
    const alone = await runBin(['--print-env', '--port', String(base)]);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain(`export ESA_STAGE_STS_ENDPOINT='http://127.0.0.1:${base + 2}'\n`);
    expect(alone.stderr).toBe(
      `esa-stage-emulator: nothing answers at http://127.0.0.1:${base} yet; start it with \`esa-stage-emulator\` and the same --host/--port\n`,
    );

    const sts = await occupy();
    await new Promise((r) => servers.splice(0)[0]?.close(r));
    const caDir = await mkdtemp(join(tmpdir(), 'esa-stage-bin-ca-'));
    try {
      const { ready } = await startBin([
        '--port',
        String(base),
        '--sts-port',
        String(sts),
        '--staging-edge-port',
        '0',
        '--ca-dir',
        caDir,
        '--quiet',
      ]);
      const shell = await bash(
        `eval "$(node "$1" --print-env --port "$2")"; printf '%s\\n' "$ESA_ENDPOINT" "$ESA_STAGE_STS_ENDPOINT" "$ESA_STAGE_STAGING_PORT" "$NODE_EXTRA_CA_CERTS"`,
        BIN,
        String(base),
      );
      expect(shell.stderr).toBe('');
      expect(shell.stdout).toBe(
        `${ready.endpoint}\n${ready.stsEndpoint}\n${ready.stagingEdge.port}\n${join(caDir, 'ca.pem')}\n`,
      );
      expect(ready.stagingEdge.port).not.toBe(base + 3);
    } finally {
      await rm(caDir, { recursive: true, force: true });
    }
  });

  it('--print-env refuses port 0', async () => {
    const { code, stderr } = await runBin(['--print-env', '--port', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('--print-env needs fixed ports');
  });

  it('quotes any value safely for sh', async () => {
    const tricky = `it's $HOME \`id\` "q" \\ ; $(echo no) \n end`;
    const shell = await bash(`eval "$1"; printf '%s' "$TRICKY"`, exportLines({ TRICKY: tricky }));
    expect(shell.stdout).toBe(tricky);
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });
});

describe('resolveBinPorts', () => {
  it('defaults to 18700-18704, follows --port, and makes every default free with --port 0', () => {
    const ports = (port: number, oss: number, sts: number, staging: number, production: number) => ({
      port,
      ossPort: oss,
      stsPort: sts,
      stagingEdgePort: staging,
      productionEdgePort: production,
    });
    expect(resolveBinPorts({})).toEqual(ports(18700, 18701, 18702, 18703, 18704));
    expect(resolveBinPorts({ port: 19000 })).toEqual(ports(19000, 19001, 19002, 19003, 19004));
    expect(resolveBinPorts({ port: 0 })).toEqual(ports(0, 0, 0, 0, 0));
    expect(resolveBinPorts({ port: 0, stsPort: 4000 })).toEqual(ports(0, 0, 4000, 0, 0));
    expect(resolveBinPorts({ stagingEdgePort: 443 })).toEqual(ports(18700, 18701, 18702, 443, 18704));
  });
});
