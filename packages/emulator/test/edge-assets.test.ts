// Versions with assets on the edges: files served with their content type, `/` as index.html,
// the routine for the other paths, and the NotFoundStrategy of assets-only versions. Versions
// are made by CreateRoutineWithAssetsCodeVersion and a real zip upload (yazl + form-data).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_VERSION_HEADER, type Emulator, startEmulator } from '../src/index.js';
import type { ZipEntry } from './assets-helpers.js';
import { EdgeFixture } from './edge-helpers.js';

const PNG = randomBytes(2000);
const FILES: Record<string, string | Buffer> = {
  'index.html': '<!doctype html><title>home</title>\n',
  '404.html': '<!doctype html><title>not here</title>\n',
  'app.js': 'console.log("app");\n',
  'style.css': 'body { color: red }\n',
  'data.json': '{"a":1}\n',
  'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
  'img/logo.png': PNG,
  'notes.txt': 'plain\n',
  'docs/index.html': '<!doctype html><title>docs</title>\n',
  '文档/über uns.txt': 'ünïcödé\n',
  'blob.bin': Buffer.from([1, 2, 3]),
};
const CONTENT_TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'data.json': 'application/json; charset=utf-8',
  'logo.svg': 'image/svg+xml',
  'img/logo.png': 'image/png',
  'notes.txt': 'text/plain; charset=utf-8',
  'blob.bin': 'application/octet-stream',
};
const ROUTINE = `export default {
  async fetch(request) {
    return new Response('routine ' + request.method + ' ' + new URL(request.url).pathname, { status: 202 });
  },
};`;

const assetEntries = (): ZipEntry[] =>
  Object.entries(FILES).map(([path, data]) => ({ name: `assets/${path}`, data }));

let emulator: Emulator;
let edge: EdgeFixture;

beforeAll(async () => {
  emulator = await startEmulator();
  edge = new EdgeFixture(emulator);
});

afterAll(async () => {
  await emulator.close();
});

/** A routine whose staging serves one assets version of `entries`. */
async function site(name: string, entries: readonly ZipEntry[], notFoundStrategy?: string): Promise<string> {
  await edge.createRoutine(name, true);
  const codeVersion = await edge.assetsVersion(name, entries, notFoundStrategy);
  await edge.deploy(name, 'staging', { [codeVersion]: 100 });
  return codeVersion;
}

describe('assets', () => {
  it('serves each file with its content type and exact bytes, / and folders as index.html', async () => {
    const codeVersion = await site('files', assetEntries());
    for (const [path, type] of Object.entries(CONTENT_TYPES)) {
      const res = await edge.call({ name: 'files', path: `/${path}` });
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 200, type]);
      const expected = FILES[path] ?? '';
      expect(res.body.equals(Buffer.isBuffer(expected) ? expected : Buffer.from(expected)), path).toBe(true);
      expect(res.headers[CODE_VERSION_HEADER]).toBe(codeVersion);
    }
    const home = await edge.call({ name: 'files', path: '/?utm=1' });
    expect([home.status, home.text, home.headers['content-type']]).toEqual([
      200,
      FILES['index.html'],
      'text/html; charset=utf-8',
    ]);
    expect((await edge.call({ name: 'files', path: '/docs/' })).text).toBe(FILES['docs/index.html']);
    const encoded = await edge.call({
      name: 'files',
      path: `/${encodeURIComponent('文档')}/${encodeURIComponent('über uns.txt')}`,
    });
    expect([encoded.status, encoded.text]).toEqual([200, FILES['文档/über uns.txt']]);
    const head = await edge.call({ name: 'files', method: 'HEAD', path: '/img/logo.png' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([
      200,
      String(PNG.length),
      0,
    ]);
    expect(emulator.state.edgeRequests.at(-1)).toMatchObject({ servedBy: 'asset', codeVersion, status: 200 });
  });

  it('answers a missing path of an assets-only version 404 without a strategy, and refuses POST', async () => {
    const codeVersion = await site('plain', assetEntries());
    const missing = await edge.call({ name: 'plain', path: '/nope' });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe(
      `esa-stage emulator staging edge: /nope is no asset of code version ${codeVersion} of routine "plain"\n`,
    );
    const post = await edge.call({ name: 'plain', method: 'POST', path: '/', body: 'x' });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('answers a missing path with index.html (200) for SinglePageApplication', async () => {
    await site('spa', assetEntries(), 'singlePageApplication');
    for (const path of ['/app/users/42', '/nope.js']) {
      const res = await edge.call({ name: 'spa', path });
      expect([path, res.status, res.text, res.headers['content-type']]).toEqual([
        path,
        200,
        FILES['index.html'],
        'text/html; charset=utf-8',
      ]);
    }
    expect((await edge.call({ name: 'spa', path: '/style.css' })).text).toBe(FILES['style.css']);
  });

  it('answers a missing path with 404.html and status 404 for 404Page', async () => {
    await site('page404', assetEntries(), '404Page');
    const res = await edge.call({ name: 'page404', path: '/missing/page' });
    expect([res.status, res.text, res.headers['content-type']]).toEqual([
      404,
      FILES['404.html'],
      'text/html; charset=utf-8',
    ]);
    expect(emulator.state.edgeRequests.at(-1)).toMatchObject({ status: 404, servedBy: 'asset' });
    expect((await edge.call({ name: 'page404', path: '/' })).status).toBe(200);
  });

  it('runs the routine for what is no asset file and for other methods; a navigation gets the strategy page', async () => {
    await site(
      'hybrid',
      [{ name: 'routine/index.js', data: ROUTINE }, ...assetEntries()],
      'SinglePageApplication',
    );
    const asset = await edge.call({ name: 'hybrid', path: '/app.js' });
    expect([asset.status, asset.text]).toEqual([200, FILES['app.js']]);
    expect(emulator.state.edgeRequests.at(-1)?.servedBy).toBe('asset');
    const dynamic = await edge.call({ name: 'hybrid', path: '/api/items' });
    expect([dynamic.status, dynamic.text]).toEqual([202, 'routine GET /api/items']);
    expect(emulator.state.edgeRequests.at(-1)?.servedBy).toBe('routine');
    const post = await edge.call({ name: 'hybrid', method: 'POST', path: '/app.js', body: '{}' });
    expect([post.status, post.text]).toEqual([202, 'routine POST /app.js']);
    // ESA's rule: a navigation (a browser loading a page) to a path that is no asset gets the
    // strategy's page and does not run the routine.
    const navigation = await edge.call({
      name: 'hybrid',
      path: '/settings/profile',
      headers: { 'sec-fetch-mode': 'navigate' },
    });
    expect([navigation.status, navigation.text]).toEqual([200, FILES['index.html']]);
    expect(emulator.state.edgeRequests.at(-1)?.servedBy).toBe('asset');
  });
});
