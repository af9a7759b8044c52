// Routines run by the edges: the request and response crossing into each routine's worker, the
// Web APIs inside, failures (throw, no Response, memory, time) answered 5xx without harm to the
// emulator or other routines, and isolation between routines.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoutineWorkerPool } from '../src/edge/worker-pool.js';
import { type Emulator, startEmulator } from '../src/index.js';
import { EdgeFixture } from './edge-helpers.js';

const ECHO = `export default {
  async fetch(request, env, ctx) {
    const body = new Uint8Array(await request.arrayBuffer());
    return new Response(body, {
      status: 201,
      statusText: 'Made It',
      headers: [
        ['x-method', request.method],
        ['x-url', request.url],
        ['x-header', request.headers.get('x-test') ?? '-'],
        ['x-env', JSON.stringify(env)],
        ['x-ctx', typeof ctx.waitUntil + ' ' + typeof ctx.passThroughOnException],
        ['x-body-size', String(body.length)],
        ['set-cookie', 'a=1; Path=/'],
        ['set-cookie', 'b=2; Path=/'],
        ['content-type', 'application/octet-stream'],
      ],
    });
  },
};`;

/** Uses fetch, crypto.subtle and the other Web APIs of an edge routine. */
const WEB_APIS = `export default {
  async fetch(request) {
    const upstream = await fetch(request.headers.get('x-upstream'));
    const text = await upstream.text();
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({
          text, hex, uuid: crypto.randomUUID(), url: new URL('/x?y=1', request.url).href,
          headers: new Headers({ a: '1' }).get('a'), processEnv: Object.keys(process.env).length,
        })));
        controller.close();
      },
    });
    return new Response(stream, { headers: { 'content-type': 'application/json' } });
  },
};`;

/** Fails in the way its path names, or answers with a counter kept by its worker. */
const FAILING = `let count = 0;
export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/throw') throw new Error('boom');
    if (pathname === '/reject') return Promise.reject(new TypeError('rejected'));
    if (pathname === '/string') return 'not a response';
    if (pathname === '/error') return Response.error();
    if (pathname === '/memory') {
      const hoard = [];
      for (;;) hoard.push(new Array(100000).fill(hoard.length));
    }
    if (pathname === '/exit') process.exit(3);
    if (pathname === '/log') console.log('hello from the routine');
    count += 1;
    return new Response('ok ' + count);
  },
};`;

let emulator: Emulator;
let edge: EdgeFixture;
let upstream: Server;
const logs: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ edgeMemoryLimitMb: 32, log: (line) => logs.push(line) });
  edge = new EdgeFixture(emulator);
  // A gzip origin for /gzip, as most are: fetch decodes its body and keeps the header.
  upstream = createServer((req, res) => {
    if (req.url === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
      res.end(gzipSync('compressed upstream'));
    } else res.end('from upstream');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('a routine answering', () => {
  it('gets the method, URL, headers and body, and its status, headers and body reach the client', async () => {
    await edge.routine('echo', ECHO);
    const body = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const res = await edge.call({
      name: 'echo',
      method: 'POST',
      path: '/p/%C3%A4?q=1&r=%20',
      headers: { 'x-test': 'yes' },
      body,
    });
    expect(res.status).toBe(201);
    expect(res.body.equals(body)).toBe(true);
    expect(res.headers).toMatchObject({
      'x-method': 'POST',
      'x-url': 'https://echo.emulator.er.aliyun-esa.net/p/%C3%A4?q=1&r=%20',
      'x-header': 'yes',
      'x-env': '{}',
      'x-ctx': 'function function',
      'x-body-size': '7',
      'set-cookie': ['a=1; Path=/', 'b=2; Path=/'],
      'content-type': 'application/octet-stream',
      'content-length': '7',
    });
    const put = await edge.call({ name: 'echo', method: 'PUT', body: 'x'.repeat(100_000) });
    expect([put.status, put.headers['x-body-size']]).toEqual([201, '100000']);
    const head = await edge.call({ name: 'echo', method: 'HEAD' });
    expect([head.status, head.headers['x-method'], head.body.length]).toEqual([201, 'HEAD', 0]);
  });

  it('has fetch, crypto.subtle, streams, URL, Headers and TextEncoder, and an empty process.env', async () => {
    await edge.routine('web-apis', WEB_APIS);
    const { port } = upstream.address() as AddressInfo;
    const res = await edge.call({ name: 'web-apis', headers: { 'x-upstream': `http://127.0.0.1:${port}/` } });
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.text) as Record<string, unknown>;
    expect(answer).toMatchObject({
      text: 'from upstream',
      hex: createHash('sha256').update('from upstream').digest('hex'),
      url: 'https://web-apis.emulator.er.aliyun-esa.net/x?y=1',
      headers: '1',
      processEnv: 0,
    });
    expect(answer.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('passes a compressed origin through: a fetch() Response is sent as its Content-Encoding says', async () => {
    await edge.routine(
      'proxy',
      'export default { fetch: (request) => fetch(request.headers.get("x-upstream")) };',
    );
    const { port } = upstream.address() as AddressInfo;
    const res = await edge.call({
      name: 'proxy',
      headers: { 'x-upstream': `http://127.0.0.1:${port}/gzip` },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    // Decodable as the header says (the decoded bytes labelled gzip would not be).
    expect(gunzipSync(res.body).toString()).toBe('compressed upstream');
  });

  it('sends the routine’s console to the emulator log', async () => {
    await edge.routine('logger', FAILING);
    expect((await edge.call({ name: 'logger', path: '/log' })).status).toBe(200);
    await expect
      .poll(() => logs.find((l) => l.includes('hello from the routine')))
      .toMatch(/^edge logger@\d+ console: hello from the routine$/);
  });
});

describe('a routine failing', () => {
  it('answers 500 when it throws, rejects, answers no Response or Response.error(), and keeps its worker', async () => {
    await edge.routine('failing', FAILING);
    expect((await edge.call({ name: 'failing' })).text).toBe('ok 1');
    const cases = [
      ['/throw', 'the routine threw Error: boom'],
      ['/reject', 'the routine threw TypeError: rejected'],
      ['/string', "the routine's fetch answered string not a response, not a Response"],
      ['/error', "the routine's fetch answered Response.error()"],
    ] as const;
    for (const [path, message] of cases) {
      const res = await edge.call({ name: 'failing', path });
      expect([path, res.status]).toEqual([path, 500]);
      expect(res.text).toBe(`esa-stage emulator staging edge: ${message}\n`);
      expect(emulator.state.edgeRequests.at(-1)).toMatchObject({
        status: 500,
        routine: 'failing',
        servedBy: 'routine',
        error: message,
      });
    }
    // Same worker: its counter went on.
    expect((await edge.call({ name: 'failing' })).text).toBe('ok 2');
  });

  it('answers 500 for a module that does not load or has no default fetch', async () => {
    await edge.routine('syntax', 'export default { fetch() { return new Response("x") }');
    const syntax = await edge.call({ name: 'syntax' });
    expect(syntax.status).toBe(500);
    expect(syntax.text).toContain('the routine failed to load: SyntaxError');
    await edge.routine('no-fetch', 'export default { hello() {} };');
    const noFetch = await edge.call({ name: 'no-fetch' });
    expect(noFetch.status).toBe(500);
    expect(noFetch.text).toContain('the module has no `export default { fetch(request, env, ctx) }`');
  });

  it('stops a routine over its memory limit with 500, then serves it and others from fresh workers', async () => {
    await edge.routine('hoarder', FAILING);
    await edge.routine('bystander', FAILING);
    expect((await edge.call({ name: 'hoarder' })).text).toBe('ok 1');
    expect((await edge.call({ name: 'bystander' })).text).toBe('ok 1');
    const res = await edge.call({ name: 'hoarder', path: '/memory' });
    expect(res.status).toBe(500);
    expect(res.text).toContain('the routine ran out of memory (limit 32 MB) and was stopped');
    expect((await edge.call({ name: 'hoarder' })).text).toBe('ok 1');
    expect((await edge.call({ name: 'bystander' })).text).toBe('ok 2');
    // A routine that ends its own thread too.
    const exited = await edge.call({ name: 'hoarder', path: '/exit' });
    expect([exited.status, exited.text]).toEqual([
      500,
      "esa-stage emulator staging edge: the routine's worker exited (code 3)\n",
    ]);
    expect((await edge.call({ name: 'hoarder' })).text).toBe('ok 1');
  });

  it('isolates routines: a global one sets is not seen by another, nor by the emulator', async () => {
    await edge.routine(
      'setter',
      'export default { fetch() { globalThis.sharedSecret = "set"; globalThis.fetch = null; return new Response(String(globalThis.sharedSecret)); } };',
    );
    await edge.routine(
      'reader',
      'export default { fetch() { return new Response(typeof globalThis.sharedSecret + " " + typeof globalThis.fetch); } };',
    );
    expect((await edge.call({ name: 'setter' })).text).toBe('set');
    expect((await edge.call({ name: 'reader' })).text).toBe('undefined function');
    expect(Reflect.get(globalThis, 'sharedSecret')).toBeUndefined();
    expect(typeof globalThis.fetch).toBe('function');
  });
});

describe('the time limit', () => {
  let fast: Emulator;
  let fastEdge: EdgeFixture;
  const HANG = `let count = 0;
export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/pending') return new Promise(() => {});
    if (pathname === '/loop') for (;;) {}
    count += 1;
    return new Response('ok ' + count);
  },
};`;

  beforeAll(async () => {
    fast = await startEmulator({ edgeRequestTimeoutMs: 1000 });
    fastEdge = new EdgeFixture(fast);
    await fastEdge.routine('hang', HANG);
    await fastEdge.routine('steady', HANG);
  });
  afterAll(async () => {
    await fast.close();
  });

  it('answers 504 to a request that never settles or loops forever, while other routines answer', async () => {
    expect((await fastEdge.call({ name: 'hang' })).text).toBe('ok 1');
    for (const path of ['/pending', '/loop']) {
      const started = Date.now();
      const hung = fastEdge.call({ name: 'hang', path });
      // While it hangs (even in a busy loop), another routine answers at once.
      expect((await fastEdge.call({ name: 'steady' })).status).toBe(200);
      const res = await hung;
      expect([path, res.status]).toEqual([path, 504]);
      expect(res.text).toBe('esa-stage emulator staging edge: the routine did not answer within 1000 ms\n');
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
      expect(fast.state.edgeRequests.at(-1)).toMatchObject({ status: 504, routine: 'hang', path });
      // The hung worker was replaced: a fresh one (its counter restarted) answers.
      expect((await fastEdge.call({ name: 'hang' })).text).toBe('ok 1');
    }
    expect((await fastEdge.call({ name: 'steady' })).text).toBe('ok 3');
  });
});

describe('the worker pool', () => {
  it('stops a worker started for a version no environment serves any more (the deployment moved on meanwhile)', async () => {
    let served = true;
    const pool = new RoutineWorkerPool({
      memoryLimitMb: 32,
      timeoutMs: 5000,
      log: undefined,
      isServed: () => served,
    });
    const code = Buffer.from(FAILING);
    const ask = async () => {
      const outcome = await pool.run('moved', '1', code, {
        method: 'GET',
        url: 'https://h/',
        headers: [],
        body: undefined,
      });
      return outcome.kind === 'response' ? Buffer.from(outcome.body).toString() : outcome.message;
    };
    try {
      expect(await ask()).toBe('ok 1');
      expect(await ask()).toBe('ok 2');
      served = false;
      // The request is answered, then its worker stops: the next one starts afresh.
      expect(await ask()).toBe('ok 3');
      expect(await ask()).toBe('ok 1');
    } finally {
      await pool.close();
    }
  });
});
