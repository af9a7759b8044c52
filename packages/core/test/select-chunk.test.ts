import { describe, expect, it } from 'vitest';
import { createChunkMatcher, selectChunk } from '../src/chunk/select-chunk.js';
import { ChunkError, type OutputChunk } from '../src/index.js';

const chunk = (fileName: string, isEntry = false): OutputChunk => ({
  fileName,
  isEntry,
  source: { bytes: new Uint8Array([1]) },
});

async function pick(outputs: OutputChunk[], option?: Parameters<typeof createChunkMatcher>[0]) {
  return selectChunk(outputs, await createChunkMatcher(option), option !== undefined);
}

function codeOf(fn: () => Promise<unknown>): Promise<string> {
  return fn().then(
    () => 'none',
    (e: unknown) => (e instanceof ChunkError ? `${e.code}: ${e.message} | ${e.hint}` : String(e)),
  );
}

describe('chunk selection', () => {
  const outputs = [
    chunk('index.js', true),
    chunk('index.js.map'),
    chunk('assets/logo.svg'),
    chunk('worker.mjs'),
  ];

  it('picks the single entry JavaScript chunk by default', async () => {
    expect((await pick(outputs)).fileName).toBe('index.js');
  });

  it('picks by name, glob, RegExp, list or predicate', async () => {
    expect((await pick(outputs, 'worker.mjs')).fileName).toBe('worker.mjs');
    expect((await pick(outputs, '*.mjs')).fileName).toBe('worker.mjs');
    expect((await pick(outputs, /^work/)).fileName).toBe('worker.mjs');
    expect((await pick(outputs, ['nothing.js', 'worker.mjs'])).fileName).toBe('worker.mjs');
    expect((await pick(outputs, (c) => c.fileName.startsWith('w'))).fileName).toBe('worker.mjs');
  });

  it('matches output-relative names, not paths under the working directory', async () => {
    const nested = [chunk('assets/entry-abc.js'), chunk('index.html')];
    expect((await pick(nested, 'assets/*.js')).fileName).toBe('assets/entry-abc.js');
  });

  it('refuses zero candidates, listing what the build wrote', async () => {
    expect(await codeOf(() => pick([chunk('a.css'), chunk('b.js')]))).toMatch(
      /^ChunkNotFound: no JavaScript output that is an entry; the build wrote a\.css, b\.js \| give the build one entry point/,
    );
    expect(await codeOf(() => pick(outputs, '*.map'))).toMatch(/matched, but not JavaScript: index\.js\.map/);
  });

  it('refuses several candidates', async () => {
    expect(await codeOf(() => pick([chunk('a.js', true), chunk('b.js', true)]))).toMatch(
      /^ChunkAmbiguous: 2 JavaScript outputs that is an entry: a\.js \(entry\), b\.js \(entry\) \| .*`chunk`/,
    );
  });
});
