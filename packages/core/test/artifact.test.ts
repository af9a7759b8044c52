import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundlerInfo } from '../src/artifact/bundler.js';
import { checkArtifact } from '../src/artifact/check-artifact.js';
import { ChunkError, type OutputChunk } from '../src/index.js';

const ROUTINE = 'export default { async fetch(request) { return new Response("ok"); } };\n';

const file = (fileName: string, code: string, isEntry = true): OutputChunk => ({
  fileName,
  isEntry,
  source: { bytes: new TextEncoder().encode(code) },
});

const ROLLUP: BundlerInfo = { kind: 'rollup', version: '4.68.8' };
const ROLLDOWN: BundlerInfo = { kind: 'rolldown', version: '1.3.3' };
const VITE7: BundlerInfo = { kind: 'vite', version: '7.3.8' };
const VITE8: BundlerInfo = { kind: 'vite', version: '8.4.0' };
const ESBUILD: BundlerInfo = { kind: 'esbuild', version: '0.28.2' };
const CLI: BundlerInfo = { kind: 'cli' };

/** `code | message | hint` of the refusal, or 'ok'. */
async function verdict(
  code: string,
  bundler: BundlerInfo = ROLLUP,
  others: OutputChunk[] = [],
  fileName = 'index.js',
): Promise<string> {
  const chunk = file(fileName, code);
  try {
    await checkArtifact(chunk, [chunk, ...others], bundler);
    return 'ok';
  } catch (error) {
    if (!(error instanceof ChunkError)) throw error;
    return `${error.code} | ${error.message} | ${error.hint}`;
  }
}

describe('the artifact check', () => {
  it('accepts an ES module with a default export, and the node: modules ESA provides', async () => {
    expect(await verdict(ROUTINE)).toBe('ok');
    expect(
      await verdict(`import { Buffer } from 'node:buffer';\nimport crypto from 'node:crypto';\n${ROUTINE}`),
    ).toBe('ok');
    expect(await verdict('const handler = { fetch() {} };\nexport { handler as default };\n')).toBe('ok');
    // Strings, comments and regexes that look like imports are not imports.
    expect(
      await verdict(
        `// import x from 'y'\nconst s = "import('z')";\nconst r = /import a from 'b'/;\n${ROUTINE}`,
      ),
    ).toBe('ok');
  });

  it.each([
    ['CommonJS', 'module.exports = { fetch() {} };\n'],
    ['IIFE', '(() => { var handler = { fetch() {} }; })();\n'],
    [
      'UMD',
      '(function (g, f) { typeof exports === "object" ? f(exports) : f(g.x = {}); })(this, function (e) { e.fetch = 1; });\n',
    ],
    ['a plain script', 'console.log("hello");\n'],
  ])('refuses %s as NotAnEsModule, with the format setting of each tool', async (_kind, code) => {
    expect(await verdict(code, ROLLUP)).toMatch(
      /^NotAnEsModule \| index\.js is not an ES module .*\| set `output\.format: "es"`/,
    );
    expect(await verdict(code, ESBUILD)).toMatch(/^NotAnEsModule .*\| set `format: "esm"`/);
    expect(await verdict(code, VITE8)).toMatch(/^NotAnEsModule .*`build\.ssr/);
    expect(await verdict(code, CLI)).toMatch(/^NotAnEsModule .*--format=esm/);
  });

  it('refuses text that is not JavaScript, saying where', async () => {
    expect(await verdict('export default { fetch() {\n  return "unterminated;\n', ROLLUP)).toMatch(
      /^NotAnEsModule \| index\.js cannot be read as JavaScript \(.*near line \d+\)/,
    );
  });

  it('refuses an ES module without a default export, naming what it exports', async () => {
    expect(await verdict('export const fetch = () => {};\nexport function x() {}\n')).toMatch(
      /^NoDefaultExport \| index\.js has no default export \(it exports fetch, x\) \| .*export default \{ async fetch/,
    );
    expect(await verdict("import 'node:buffer';\n")).toMatch(/^NoDefaultExport .*it exports nothing/);
  });

  it('refuses a page script as BrowserBuild, and never suggests a setting that would publish it', async () => {
    const page = 'import "./vendor.js";\ndocument.querySelector("#app").textContent = "hi";\n';
    for (const bundler of [ROLLUP, VITE7, VITE8, ESBUILD, CLI]) {
      const result = await verdict(page, bundler, [file('vendor.js', ROUTINE, false)]);
      expect(result).toMatch(/^BrowserBuild \| index\.js is a page script/);
      expect(result).not.toMatch(/inlineDynamicImports|codeSplitting|splitting: false/);
    }
    expect(await verdict(page, VITE8)).toMatch(/build: \{ ssr: "src\/index\.js" \}.*SPA \+ routine/);
  });

  it('refuses any file of a build that wrote HTML as BrowserBuild, even with a default export', async () => {
    const html = file('index.html', '<!doctype html>', false);
    expect(await verdict(ROUTINE, VITE7, [html], 'assets/index-abc.js')).toMatch(
      /^BrowserBuild \| assets\/index-abc\.js comes from a browser build \(the build wrote index\.html\)/,
    );
  });

  it('refuses imports of other chunks with the setting of each tool and version', async () => {
    const split = `const m = () => import('./chunk-abc.js');\n${ROUTINE}`;
    const chunk = [file('chunk-abc.js', 'export const a = 1;\n', false)];
    const hint = async (bundler: BundlerInfo) => (await verdict(split, bundler, chunk)).split(' | ')[2];
    expect(await verdict(split, ROLLUP, chunk)).toMatch(
      /^ChunkHasImports \| index\.js imports other chunks \(\.\/chunk-abc\.js\)/,
    );
    expect(await hint(ROLLUP)).toMatch(/`output\.inlineDynamicImports: true`/);
    expect(await hint(ROLLDOWN)).toMatch(/`output\.codeSplitting: false`/);
    expect(await hint(VITE7)).toMatch(/`build\.rollupOptions\.output\.inlineDynamicImports: true`/);
    expect(await hint(VITE8)).toMatch(/`build\.rolldownOptions\.output\.codeSplitting: false`/);
    expect(await hint(ESBUILD)).toMatch(/`splitting: false`/);
    // Chunks in a sub-directory resolve against the importer's directory.
    expect(
      await verdict(
        `import './shared-1.js';\n${ROUTINE}`,
        ROLLUP,
        [file('assets/shared-1.js', '', false)],
        'assets/index.js',
      ),
    ).toMatch(/^ChunkHasImports/);
  });

  it('refuses bare imports as ExternalImport, naming them, with the bundling setting of each tool', async () => {
    const external = `import { Router } from 'itty-router';\nimport fs from 'node:fs';\nexport * from '@scope/pkg';\n${ROUTINE}`;
    expect(await verdict(external, ROLLUP)).toMatch(
      /^ExternalImport \| index\.js imports modules that are not in the bundle \(itty-router, node:fs, @scope\/pkg\).*\| .*@rollup\/plugin-node-resolve/,
    );
    expect(await verdict(external, VITE8)).toMatch(/ssr: \{ noExternal: true \}/);
    expect(await verdict(external, ROLLDOWN)).toMatch(/remove these from `external`/);
    expect(await verdict(external, ESBUILD)).toMatch(/set `bundle: true`/);
    const hint = (await verdict(external, ROLLUP)).split(' | ')[2];
    expect(hint).not.toMatch(/inlineDynamicImports/);
  });

  it('tells an unbundled source file (esbuild bundle: false) from a chunk of the build', async () => {
    expect(await verdict(`import { greeting } from './greeting.js';\n${ROUTINE}`, ESBUILD)).toMatch(
      /^ExternalImport \| .*\(\.\/greeting\.js\).*\| set `bundle: true`/,
    );
    // The CLI sees one file: a relative import is fixed by bundling into one file either way.
    expect(await verdict(`import { greeting } from './greeting.js';\n${ROUTINE}`, CLI)).toMatch(
      /^ChunkHasImports .*one self-contained file/,
    );
  });

  it('says nothing of import.meta, and lets a computed import() through for a warning', async () => {
    const chunk = file('index.js', `const u = import.meta.url;\nconst load = (n) => import(n);\n${ROUTINE}`);
    expect(await checkArtifact(chunk, [chunk], ROLLUP)).toMatchObject({
      computedImports: 1,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  describe('from disk', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'esa-stage-artifact-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('names a directory or a missing file as ChunkUnreadable', async () => {
      const chunk: OutputChunk = { fileName: 'dist', isEntry: true, source: { path: dir } };
      await expect(checkArtifact(chunk, [chunk], CLI)).rejects.toMatchObject({ code: 'ChunkUnreadable' });
    });

    const PAD = 'globalThis.pad = (globalThis.pad ?? 0) + 1; // a line of padding\n';
    const PAD_LINES = Math.ceil((6 * 1024 * 1024) / PAD.length);
    /** A file of 6 MB (many pieces): `head`, code lines, then `tail`. */
    async function large(name: string, head: string, tail: string): Promise<OutputChunk> {
      const path = join(dir, name);
      await writeFile(path, `${head}${PAD.repeat(PAD_LINES)}${tail}`);
      return { fileName: name, isEntry: true, source: { path } };
    }

    it('reads a 6 MB file in pieces, with the same verdicts and sha256', async () => {
      const ok = await large('big.js', "import { Buffer } from 'node:buffer';\n", ROUTINE);
      const notes = await checkArtifact(ok, [ok], CLI);
      const bytes = await readFile((ok.source as { path: string }).path);
      expect(bytes.length).toBeGreaterThan(6 * 1024 * 1024);
      expect(notes.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      // The same bytes in memory take the same path.
      const inMemory: OutputChunk = { fileName: 'big.js', isEntry: true, source: { bytes } };
      expect(await checkArtifact(inMemory, [inMemory], CLI)).toEqual(notes);

      const refusal = (chunk: OutputChunk) =>
        checkArtifact(chunk, [chunk], ESBUILD).then(
          () => 'ok',
          (e: ChunkError) => `${e.code} | ${e.message}`,
        );
      expect(await refusal(await large('cjs.js', '', 'module.exports = { fetch() {} };\n'))).toMatch(
        /^NotAnEsModule \| cjs\.js is not an ES module/,
      );
      expect(await refusal(await large('named.js', '', 'export const fetch = () => 1;\n'))).toMatch(
        /^NoDefaultExport \| named\.js has no default export \(it exports fetch\)/,
      );
      expect(await refusal(await large('ext.js', '', `import x from 'itty-router';\n${ROUTINE}`))).toMatch(
        /^ExternalImport \| .*\(itty-router\)/,
      );
      expect(await refusal(await large('page.js', '', 'document.body.textContent = "hi";\n'))).toMatch(
        /^BrowserBuild \| page\.js is a page script/,
      );
      // The one-line routine, the padding, then the broken string.
      expect(await refusal(await large('broken.js', ROUTINE, 'const s = "open;\n'))).toBe(
        `NotAnEsModule | broken.js cannot be read as JavaScript (unterminated string near line ${PAD_LINES + 2})`,
      );
    });
  });
});
