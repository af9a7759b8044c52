import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputChunk } from '@esa-stage/core';
import { type HostileCase, ROUTINE_CODE, routineChunk } from '../harness.js';

// What a library caller (or a bundler) can hand over that ESA cannot run, and the chunk option's
// own failures: all refused before a request.

const code = (text: string, fileName = 'index.js') => [routineChunk(text, fileName)];

const REFUSED: readonly [string, () => Promise<OutputChunk[]> | OutputChunk[], string, RegExp?][] = [
  ['CommonJS', () => code('module.exports = { fetch() {} };\n'), 'NotAnEsModule'],
  ['an IIFE', () => code('(() => { const h = { fetch() {} }; })();\n'), 'NotAnEsModule'],
  [
    'UMD',
    () => code('(function (g, f) { f(g.x = {}); })(this, function (e) { e.fetch = 1; });\n'),
    'NotAnEsModule',
  ],
  ['a plain script', () => code('console.log(1);\n'), 'NotAnEsModule'],
  [
    'text that is not JavaScript',
    () => code('export default { fetch() { return "\n'),
    'NotAnEsModule',
    /cannot be read as JavaScript/,
  ],
  [
    'random bytes',
    () => [
      {
        fileName: 'index.js',
        isEntry: true,
        source: { bytes: new Uint8Array([0xff, 0x00, 0x22, 0x2f, 0x2a, 0x60, 0x28]) },
      },
    ],
    'NotAnEsModule',
  ],
  ['a module without a default export', () => code('export const fetch = () => 1;\n'), 'NoDefaultExport'],
  [
    'a bare import',
    () => code(`import x from 'itty-router';\n${ROUTINE_CODE}`),
    'ExternalImport',
    /\(itty-router\)/,
  ],
  ['node:fs', () => code(`import fs from 'node:fs';\n${ROUTINE_CODE}`), 'ExternalImport', /\(node:fs\)/],
  ['a re-export of a package', () => code(`export * from 'pkg';\n${ROUTINE_CODE}`), 'ExternalImport'],
  [
    'a dynamic import of a package',
    () => code(`const m = () => import('pkg');\n${ROUTINE_CODE}`),
    'ExternalImport',
  ],
  [
    // A library caller hands over one file: a relative import is a chunk or a source file alike.
    'an import of a sibling file',
    () => code(`import './x.js';\n${ROUTINE_CODE}`),
    'ChunkHasImports',
    /\(\.\/x\.js\)/,
  ],
  [
    'an import of another chunk',
    () => [
      routineChunk(`import './chunk.js';\n${ROUTINE_CODE}`),
      { ...routineChunk('export {};', 'chunk.js'), isEntry: false },
    ],
    'ChunkHasImports',
  ],
  ['a page script', () => code("document.body.append('x');\n"), 'BrowserBuild'],
  [
    'a build that wrote HTML',
    () => [routineChunk(), { ...routineChunk('<!doctype html>', 'index.html'), isEntry: false }],
    'BrowserBuild',
  ],
  ['an empty file', () => code(''), 'ChunkEmpty'],
  [
    'a missing file',
    () => [{ fileName: 'gone.js', isEntry: true, source: { path: '/nonexistent/gone.js' } }],
    'ChunkUnreadable',
  ],
  [
    'a directory',
    async () => [
      {
        fileName: 'dist.js',
        isEntry: true,
        source: { path: await mkdtemp(join(tmpdir(), 'esa-stage-dir-')) },
      },
    ],
    'ChunkUnreadable',
    /EISDIR/,
  ],
  ['no entry at all', () => [{ ...routineChunk(), isEntry: false }], 'ChunkNotFound'],
  ['two entries', () => [routineChunk(), routineChunk(ROUTINE_CODE, 'other.js')], 'ChunkAmbiguous'],
  ['a TypeScript entry', () => code(ROUTINE_CODE, 'index.ts'), 'ChunkNotFound', /not JavaScript/],
];

export const artifactCases: HostileCase[] = [
  ...REFUSED.map(([label, outputs, code, message]) => ({
    name: label,
    expect: message ? { code, message } : { code },
    run: async (ctx: Parameters<HostileCase['run']>[0]) => {
      const before = ctx.emulator.state.requests.length;
      const outcome = await ctx.publish({}, await outputs());
      if (ctx.emulator.state.requests.length !== before) throw new Error('a refused file reached ESA');
      return outcome;
    },
  })),
  {
    name: 'a chunk function that throws',
    expect: { code: 'ChunkOptionFailed', message: /the `chunk` function threw for index\.js: boom/ },
    run: (ctx) =>
      ctx.publish({
        chunk: () => {
          throw new Error('boom');
        },
      }),
  },
  {
    name: 'a chunk pattern that matches nothing',
    expect: { code: 'ChunkNotFound', message: /matching the `chunk` option/ },
    run: (ctx) => ctx.publish({ chunk: 'worker.js' }),
  },
  {
    name: 'a computed import() is published, with a warning',
    expect: { ok: true },
    run: (ctx) => ctx.publish({}, routineChunk(`const load = (n) => import(n);\n${ROUTINE_CODE}`)),
  },
  {
    name: 'a lone surrogate in the description is published as U+FFFD',
    expect: { ok: true },
    run: async (ctx) => {
      const outcome = await ctx.publish({ description: 'half \ud800 a character' });
      const stored = [...(ctx.emulator.state.routines.get('hostile')?.versions.values() ?? [])][0];
      if (stored?.description !== 'half \ufffd a character') throw new Error(`stored ${stored?.description}`);
      return outcome;
    },
  },
  {
    name: 'a logger that throws after the deploy does not fail the publish',
    expect: { ok: true },
    run: (ctx) =>
      ctx.publish({
        logger: {
          debug: () => undefined,
          info: () => {
            throw new Error('logger down');
          },
          warn: () => undefined,
          error: () => undefined,
        },
        logLevel: 'info',
      }),
  },
];
