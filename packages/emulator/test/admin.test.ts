import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ routines: ['inspect-me'] });
});
afterAll(async () => {
  await emulator.close();
});

const admin = (path: string, init?: RequestInit) => fetch(`${emulator.endpoint}/__emulator/${path}`, init);

describe('emulator admin routes', () => {
  it('reports health with the three endpoints, the two edges and the CA', async () => {
    const res = await admin('health');
    expect(await res.json()).toEqual({
      ok: true,
      endpoint: emulator.endpoint,
      ossEndpoint: emulator.ossEndpoint,
      stsEndpoint: emulator.stsEndpoint,
      stagingEdge: emulator.stagingEdge.url,
      productionEdge: emulator.productionEdge.url,
      caPath: emulator.caPath,
    });
    expect(emulator.stsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.stagingEdge.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const all = [
      emulator.endpoint,
      emulator.ossEndpoint,
      emulator.stsEndpoint,
      emulator.stagingEdge.url,
      emulator.productionEdge.url,
    ].map((url) => new URL(url).port);
    expect(new Set(all).size).toBe(5);
  });

  it('lists routines and answers 404 for unknown ones and versions', async () => {
    const list = (await (await admin('routines')).json()) as Array<{ name: string }>;
    expect(list.map((r) => r.name)).toEqual(['inspect-me']);
    expect((await admin('routines/nope')).status).toBe(404);
    expect((await admin('routines/inspect-me/versions/123')).status).toBe(404);
    expect((await admin('whatever')).status).toBe(404);
  });

  it('adds, lists and clears faults over HTTP, and the faults apply', async () => {
    const add = await admin('faults', {
      method: 'POST',
      body: JSON.stringify({ oss: true, status: 503, code: 'SlowDown', times: 1 }),
    });
    expect(add.status).toBe(201);
    expect(await add.json()).toEqual({ id: expect.any(Number) });
    expect(emulator.faults.list()).toMatchObject([
      { oss: true, status: 503, code: 'SlowDown', remaining: 1 },
    ]);
    const hit = await fetch(emulator.ossEndpoint, { method: 'POST' });
    expect(hit.status).toBe(503);
    expect(await hit.text()).toContain('<Code>SlowDown</Code>');
    expect((await fetch(emulator.ossEndpoint, { method: 'POST' })).status).not.toBe(503);
    await admin('faults', { method: 'POST', body: JSON.stringify({ action: '*', drop: true }) });
    expect((await (await admin('faults')).json()) as unknown[]).toHaveLength(2);
    expect((await admin('faults', { method: 'DELETE' })).status).toBe(200);
    expect(emulator.faults.list()).toEqual([]);
  });

  it('refuses a bad fault with a 400 that says why', async () => {
    const res = await admin('faults', { method: 'POST', body: JSON.stringify({ oss: true }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { Message: string }).Message).toMatch(
      /needs a status, drop, dropAfterProcessing or delayMs/,
    );
    expect((await admin('faults', { method: 'POST', body: '{oops' })).status).toBe(400);
    const combined = await admin('faults', {
      method: 'POST',
      body: JSON.stringify({ action: 'GetRoutine', dropAfterProcessing: true, status: 500 }),
    });
    expect(combined.status).toBe(400);
    expect(((await combined.json()) as { Message: string }).Message).toMatch(/cannot be combined/);
  });

  it('accepts a dropAfterProcessing fault over HTTP', async () => {
    const add = await admin('faults', {
      method: 'POST',
      body: JSON.stringify({ action: 'CommitRoutineStagingCode', dropAfterProcessing: true, times: 1 }),
    });
    expect(add.status).toBe(201);
    expect(emulator.faults.list()).toMatchObject([
      { action: 'CommitRoutineStagingCode', dropAfterProcessing: true, remaining: 1 },
    ]);
    emulator.faults.clear();
  });

  it('resets state and faults', async () => {
    emulator.faults.inject({ action: 'GetRoutine', status: 500 });
    expect((await admin('reset', { method: 'POST' })).status).toBe(200);
    expect(emulator.state.routines.size).toBe(0);
    expect(emulator.faults.list()).toEqual([]);
    expect(emulator.state.requests).toEqual([]);
  });
});
