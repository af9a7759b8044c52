import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Importing @esa-stage/core must cost nothing but its own small modules: undici (~80-150 ms,
// ~20 MB) and @rollup/pluginutils load only when a publish needs them, through dynamic import().

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const STATIC_IMPORT =
  /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

function staticGraph(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier));
      else external.add(specifier);
    }
  };
  visit(join(DIST, entry));
  return { files, external };
}

describe('@esa-stage/core import graph', () => {
  it('statically loads a handful of its own modules and no package or process/network built-in', () => {
    const { files, external } = staticGraph('index.js');
    expect(files.size).toBeLessThanOrEqual(10);
    expect([...external]).toEqual([]);
  });

  it('loads the pipeline, undici and @rollup/pluginutils lazily', () => {
    const entry = [...staticGraph('index.js').files].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(entry).toContain("import('./publish.js')");
    const publish = [...staticGraph('publish.js').files].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(publish).toContain("import('./pipeline/run.js')");
    expect(publish).toContain("import('@rollup/pluginutils')");
    const pipeline = [...staticGraph('pipeline/run.js').files].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(pipeline).toContain("import('undici')");
    expect(staticGraph('publish.js').external).not.toContain('undici');
    expect(staticGraph('pipeline/run.js').external).not.toContain('undici');
  });

  it('offers the signer as its own light entry, @esa-stage/core/signing', () => {
    const { external } = staticGraph('signing/index.js');
    expect([...external].sort()).toEqual(['node:crypto']);
  });

  it('has no top-level await in the entry graph, so require() of the package works', () => {
    const files = new Set([...staticGraph('index.js').files, ...staticGraph('signing/index.js').files]);
    for (const file of files) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/^await\s/m);
    }
  });
});
