import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PublishedResult } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { esaStage } from '@esa-stage/rollup-plugin';
import { rollup } from 'rollup';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROUTINE_FILES } from './helpers/bundlers.js';
import { emulatorPluginOptions } from './helpers/plugin-setup.js';

// A plugin makes one read-only call while the bundler works, so undici's WebAssembly parser is
// compiled (and optimized) before the build ends instead of holding the process at its exit.

let emulator: Emulator;
let dir: string;
beforeAll(async () => {
  emulator = await startEmulator({ routines: ['warm'] });
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-warm-'));
  for (const [file, text] of Object.entries(ROUTINE_FILES)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const getRoutines = () =>
  emulator.state.requests.filter((r) => r.service === 'esa' && r.action === 'GetRoutine');

/** A Rollup build whose bundling lasts until `holdUntil` says so (or 3 s), as a large build would. */
async function build(extra: Record<string, unknown>, holdUntil: () => boolean) {
  const published: PublishedResult[] = [];
  const slowBundling = {
    name: 'slow-bundling',
    async renderChunk() {
      for (let waited = 0; !holdUntil() && waited < 3000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return null;
    },
  };
  const bundle = await rollup({
    input: join(dir, 'src/index.js'),
    plugins: [
      esaStage({ ...emulatorPluginOptions(emulator, 'warm', dir, published), ...extra }),
      slowBundling,
    ],
  });
  await bundle.write({ dir: join(dir, 'dist'), format: 'es' });
  await bundle.close();
  return published;
}

it('makes its GetRoutine while the bundler works, before anything is written, then publishes', async () => {
  const before = getRoutines().length;
  let seenWhileBundling = 0;
  const published = await build({}, () => {
    seenWhileBundling = getRoutines().length - before;
    return seenWhileBundling > 0;
  });
  expect(seenWhileBundling).toBe(1);
  expect(published).toHaveLength(1);
  // The warm-up call and the publish's own.
  expect(getRoutines().length - before).toBe(2);
  expect(emulator.state.routines.get('warm')?.envs.get('staging')?.codeVersions).toEqual([
    { codeVersion: published[0]?.codeVersion, percentage: 100 },
  ]);
});

it('makes no call at all in a dry run', async () => {
  const before = emulator.state.requests.length;
  const published = await build({ dryRun: true }, () => true);
  // Time for a stray warm-up to arrive, had one been started.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(published).toEqual([]);
  expect(emulator.state.requests.length).toBe(before);
});
