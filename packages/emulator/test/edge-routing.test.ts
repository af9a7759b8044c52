// The staging and production edges: routing by TLS SNI and Host, what each environment serves,
// canary splits and the workers' lifetime. Routines, versions and deployments go through the
// official SDK; requests are real HTTPS (undici, raw TLS, curl) trusting only the emulator's CA.
import { execFile, execFileSync } from 'node:child_process';
import { connect as connectTcp } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_VERSION_HEADER, type Emulator, routineHost, startEmulator } from '../src/index.js';
import { resolveEmulatorOptions } from '../src/options.js';
import { EdgeFixture, rawHttps } from './edge-helpers.js';
import { esa } from './esa-helpers.js';

const ECHO = `export default {
  async fetch(request) {
    return Response.json({ routine: 'echo', url: request.url, method: request.method });
  },
};`;
/** Answers its own name, and a counter kept by its worker. */
const named = (label: string) => `let count = 0;
export default { fetch() { count += 1; return new Response('${label} ' + count); } };`;

let emulator: Emulator;
let edge: EdgeFixture;
/** What the edges' random source answers next (then 0.5). */
const randoms: number[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ versionQuota: 20, edgeRandom: () => randoms.shift() ?? 0.5 });
  edge = new EdgeFixture(emulator);
  await edge.routine('echo', ECHO);
  await edge.routine('other', named('other'));
});

afterAll(async () => {
  await emulator.close();
});

/** Whether curl is installed (the README's example is run with it). */
const HAS_CURL = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const last = () => emulator.state.edgeRequests.at(-1);

describe('routing by SNI and Host', () => {
  it('runs the routine whose host is both the SNI servername and the Host header', async () => {
    const res = await edge.call({ name: 'echo', path: '/a/b?c=d' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      routine: 'echo',
      url: `https://${routineHost('echo')}/a/b?c=d`,
      method: 'GET',
    });
    const codeVersion = emulator.state.routines.get('echo')?.envs.get('staging')
      ?.codeVersions[0]?.codeVersion;
    expect(res.headers[CODE_VERSION_HEADER]).toBe(codeVersion);
    expect(last()).toMatchObject({
      env: 'staging',
      sni: routineHost('echo'),
      host: routineHost('echo'),
      hostHeader: routineHost('echo'),
      method: 'GET',
      path: '/a/b?c=d',
      status: 200,
      routine: 'echo',
      codeVersion,
      servedBy: 'routine',
      error: undefined,
    });
    expect(last()?.ms).toBeGreaterThan(0);
  });

  it('compares hosts without case and without the Host header’s port', async () => {
    const host = `${routineHost('echo').toUpperCase()}:${emulator.stagingEdge.port}`;
    const { response } = await rawHttps(
      emulator.stagingEdge.port,
      await edge.ca(),
      `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      routineHost('echo'),
      routineHost('echo'),
    );
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).toContain(`"url":"https://${routineHost('echo')}:${emulator.stagingEdge.port}/"`);
    expect(last()).toMatchObject({
      sni: routineHost('echo'),
      host: routineHost('echo'),
      hostHeader: host,
      routine: 'echo',
      status: 200,
    });
  });

  it('answers 421 when SNI and Host name different routines, and runs neither', async () => {
    // Raw TLS: undici and node's https take the SNI servername from the Host header.
    const before = emulator.state.edgeRequests.length;
    for (const [servername, host] of [
      [routineHost('echo'), routineHost('other')],
      [routineHost('other'), routineHost('echo')],
    ] as const) {
      const { response } = await rawHttps(
        emulator.stagingEdge.port,
        await edge.ca(),
        `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        servername,
        servername,
      );
      expect(response).toMatch(/^HTTP\/1\.1 421 Misdirected Request\r\n/);
      expect(response).toContain(
        `the TLS SNI servername "${servername}" and the Host header "${host}" name different hosts`,
      );
      expect(last()).toMatchObject({
        sni: servername,
        host,
        status: 421,
        routine: undefined,
        servedBy: 'edge',
      });
    }
    expect(emulator.state.edgeRequests.length).toBe(before + 2);
    // Neither routine ran: "other" counts its requests and has had none.
    expect((await edge.call({ name: 'other' })).text).toBe('other 1');
  });

  it('answers 421 to a request without SNI, whatever its Host', async () => {
    const { authorized, response } = await rawHttps(
      emulator.stagingEdge.port,
      await edge.ca(),
      `GET / HTTP/1.1\r\nHost: ${routineHost('echo')}\r\nConnection: close\r\n\r\n`,
      routineHost('echo'),
    );
    // Without SNI the certificate is still the CA's one for the routine host.
    expect(authorized).toBe(true);
    expect(response).toMatch(/^HTTP\/1\.1 421 Misdirected Request\r\n/);
    expect(response).toContain('the TLS handshake named no server (no SNI)');
    expect(last()).toMatchObject({
      sni: undefined,
      host: routineHost('echo'),
      status: 421,
      routine: undefined,
    });
  });

  it('answers 404 for a host that is no routine’s', async () => {
    for (const host of [routineHost('nobody'), 'emulator.er.aliyun-esa.net']) {
      const res = await edge.call({ host });
      expect(res.status).toBe(404);
      expect(res.text).toContain(`no routine has the host "${host}"`);
    }
  });

  it('never serves plain HTTP on an edge port: the connection closes without an HTTP answer', async () => {
    const before = emulator.state.edgeRequests.length;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(emulator.stagingEdge.port, '127.0.0.1', () => {
        socket.write(`GET / HTTP/1.1\r\nHost: ${routineHost('echo')}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    expect(answer).not.toMatch(/HTTP\/1\.[01] /);
    expect(answer).not.toContain('echo');
    expect(emulator.state.edgeRequests.length).toBe(before);
  });

  it('reaches staging at GetRoutineStagingEnvIp’s address and the staging edge port', async () => {
    const ips = await edge.client.getRoutineStagingEnvIp();
    expect(ips.body?.IPV4).toEqual(['127.0.0.1']);
    const ip = ips.body?.IPV4?.[0] ?? '';
    const { response } = await rawHttps(
      emulator.stagingEdge.port,
      await edge.ca(),
      `GET /via-ip HTTP/1.1\r\nHost: ${routineHost('echo')}\r\nConnection: close\r\n\r\n`,
      routineHost('echo'),
      routineHost('echo'),
    );
    expect(emulator.stagingEdge.host).toBe(ip);
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).toContain(`"url":"https://${routineHost('echo')}/via-ip"`);
  });
});

describe('GetRoutineStagingEnvIp', () => {
  it('answers the address the staging edge listens on unless stagingIps says otherwise', () => {
    expect(resolveEmulatorOptions().stagingIps).toEqual(['127.0.0.1']);
    expect(resolveEmulatorOptions({ host: '127.0.0.2' }).stagingIps).toEqual(['127.0.0.2']);
    expect(resolveEmulatorOptions({ host: '::1' }).stagingIps).toEqual(['127.0.0.1']);
    expect(resolveEmulatorOptions({ host: '127.0.0.2', stagingIps: ['10.0.0.1'] }).stagingIps).toEqual([
      '10.0.0.1',
    ]);
  });
});

describe('what each environment serves', () => {
  it('serves the staging deployment on the staging edge and the production one on the production edge', async () => {
    await edge.createRoutine('envs');
    const v1 = await edge.commit('envs', named('one'));
    const v2 = await edge.commit('envs', named('two'));
    const production = await edge.call({ name: 'envs', env: 'production' });
    expect(production.status).toBe(404);
    expect(production.text).toContain('routine "envs" has no code version deployed to production');
    expect(last()).toMatchObject({ env: 'production', routine: 'envs', codeVersion: undefined, status: 404 });

    await edge.deploy('envs', 'production', { [v1]: 100 });
    await edge.deploy('envs', 'staging', { [v2]: 100 });
    const prod = await edge.call({ name: 'envs', env: 'production' });
    const staging = await edge.call({ name: 'envs', env: 'staging' });
    expect([prod.status, prod.text, prod.headers[CODE_VERSION_HEADER]]).toEqual([200, 'one 1', v1]);
    expect([staging.status, staging.text, staging.headers[CODE_VERSION_HEADER]]).toEqual([200, 'two 1', v2]);
    expect(last()).toMatchObject({ env: 'staging', codeVersion: v2 });
  });

  it('records when each request came, after the deployment it was served by (ESA parameters recorded)', async () => {
    await edge.createRoutine('timeline');
    const v1 = await edge.commit('timeline', named('t'));
    await edge.deploy('timeline', 'staging', { [v1]: 100 });
    await edge.call({ name: 'timeline' });
    await edge.deploy('timeline', 'production', { [v1]: 100 });
    const deploys = emulator.state.requests.filter(
      (r) => r.action === 'CreateRoutineCodeDeployment' && r.params?.Name === 'timeline',
    );
    expect(deploys.map((r) => [r.params?.Env, r.params?.Strategy])).toEqual([
      ['staging', 'percentage'],
      ['production', 'percentage'],
    ]);
    expect(Object.keys(deploys[0]?.params ?? {}).some((k) => /signature|secret|token/i.test(k))).toBe(false);
    const request = emulator.state.edgeRequests.find((r) => r.routine === 'timeline');
    const [toStaging, toProduction] = deploys.map((r) => r.at.getTime());
    expect(request?.at.getTime()).toBeGreaterThanOrEqual(toStaging ?? Number.NaN);
    expect(request?.at.getTime()).toBeLessThanOrEqual(toProduction ?? Number.NaN);
  });

  it('serves a new staging deployment from the next request on', async () => {
    await edge.createRoutine('redeploy');
    const v1 = await edge.commit('redeploy', named('first'));
    const v2 = await edge.commit('redeploy', named('second'));
    await edge.deploy('redeploy', 'staging', { [v1]: 100 });
    expect((await edge.call({ name: 'redeploy' })).text).toBe('first 1');
    await edge.deploy('redeploy', 'staging', { [v2]: 100 });
    expect((await edge.call({ name: 'redeploy' })).text).toBe('second 1');
    // The legacy PublishRoutineCodeVersion too.
    await edge.client.publishRoutineCodeVersion(
      new esa.PublishRoutineCodeVersionRequest({ name: 'redeploy', env: 'staging', codeVersion: v1 }),
    );
    expect((await edge.call({ name: 'redeploy' })).text).toBe('first 1');
  });

  it('splits a canary by its percentages, with the injected random source', async () => {
    await edge.createRoutine('canary');
    const v1 = await edge.commit('canary', named('thirty'));
    const v2 = await edge.commit('canary', named('seventy'));
    await edge.deploy('canary', 'staging', { [v1]: 30, [v2]: 70 });
    randoms.push(0, 0.2999, 0.3, 0.99, 0.1);
    const served: string[] = [];
    for (let i = 0; i < 5; i += 1) served.push((await edge.call({ name: 'canary' })).text);
    expect(served).toEqual(['thirty 1', 'thirty 2', 'seventy 1', 'seventy 2', 'thirty 3']);
    expect(emulator.state.edgeRequests.slice(-5).map((r) => r.codeVersion)).toEqual([v1, v1, v2, v2, v1]);
  });

  it('keeps one worker per version while an environment serves it, and stops it when none does', async () => {
    await edge.createRoutine('lifetime');
    const v1 = await edge.commit('lifetime', named('v1'));
    const v2 = await edge.commit('lifetime', named('v2'));
    await edge.deploy('lifetime', 'staging', { [v1]: 100 });
    await edge.deploy('lifetime', 'production', { [v1]: 100 });
    expect((await edge.call({ name: 'lifetime' })).text).toBe('v1 1');
    expect((await edge.call({ name: 'lifetime', env: 'production' })).text).toBe('v1 2');
    // Production still serves v1: its worker (and its counter) stays.
    await edge.deploy('lifetime', 'staging', { [v2]: 100 });
    expect((await edge.call({ name: 'lifetime', env: 'production' })).text).toBe('v1 3');
    // Now nothing serves v1: its worker stops, and a new one starts when it is served again.
    await edge.deploy('lifetime', 'production', { [v2]: 100 });
    await edge.deploy('lifetime', 'staging', { [v1]: 100 });
    expect((await edge.call({ name: 'lifetime' })).text).toBe('v1 1');
  });
});

describe('shutting down', () => {
  it('closes with a connection open that never began its TLS handshake', async () => {
    const own = await startEmulator();
    const socket = connectTcp(own.stagingEdge.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    // Without ending such sockets, close() waited for Node's 120 s handshake timeout.
    await own.close();
    await ended;
  });
});

describe('inspection and tools', () => {
  it('lists edge requests at /__emulator/edge-requests and reports the edges on /__emulator/health', async () => {
    await edge.call({ name: 'echo', path: '/listed' });
    const listed = (await (await fetch(`${emulator.endpoint}/__emulator/edge-requests`)).json()) as unknown[];
    expect(listed.at(-1)).toMatchObject({ env: 'staging', path: '/listed', status: 200, routine: 'echo' });
    const health = (await (await fetch(`${emulator.endpoint}/__emulator/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({
      stagingEdge: emulator.stagingEdge.url,
      productionEdge: emulator.productionEdge.url,
      caPath: emulator.caPath,
    });
    expect(emulator.stagingEdge).toEqual({
      host: '127.0.0.1',
      port: emulator.stagingEdge.port,
      url: `https://127.0.0.1:${emulator.stagingEdge.port}`,
    });
  });

  it.skipIf(!HAS_CURL)(
    'answers curl --cacert <caPath> --resolve <host>:<port>:127.0.0.1 (README)',
    async () => {
      const host = routineHost('echo');
      const { port } = emulator.stagingEdge;
      const run = promisify(execFile);
      const { stdout } = await run('curl', [
        '-sS',
        '--cacert',
        emulator.caPath,
        '--resolve',
        `${host}:${port}:127.0.0.1`,
        `https://${host}:${port}/curl`,
      ]);
      expect(JSON.parse(stdout)).toMatchObject({ url: `https://${host}:${port}/curl` });
      const untrusted = await run('curl', [
        '-sS',
        '--resolve',
        `${host}:${port}:127.0.0.1`,
        `https://${host}:${port}/`,
      ]).catch((error: { code?: number; stderr?: string }) => error);
      expect(untrusted).toMatchObject({ code: 60 });
    },
  );
});
