import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from './helpers/run-node.js';

// The README's main job, as a newcomer runs it (after the build that `pnpm playground` does first).
describe('pnpm playground', () => {
  it('builds with Vite, Rollup and esbuild, publishes each, and GetRoutine confirms staging', async () => {
    const dir = fileURLToPath(new URL('../playground/', import.meta.url));
    const { code, stdout, stderr } = await runNode('run.mjs', [], { cwd: dir, env: {} });
    // The runner's own failure lines (a description taken from git may say anything).
    expect(stderr).not.toMatch(/^(vite|rollup|esbuild|vite-app) +(build failed|published nothing)/m);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((l) => /^(vite|rollup|esbuild|vite-app) +published /.test(l));
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['vite', 'rollup', 'esbuild', 'vite-app']);
    for (const line of lines)
      expect(line).toMatch(
        /published \d+ bytes(?: and \d+ assets)? as (\d{19}); GetRoutine says staging serves \1 \(confirmed\); staging answered GET \/health 200: \{"ok":true,/,
      );
    // The full-stack app: the routine with the page, its script and its image as assets.
    expect(lines[3]).toMatch(/^vite-app +published \d+ bytes and 3 assets as/);
    // Each bundler prints the plugin's line in its own voice (Vite and Rollup to stdout, esbuild to
    // stderr), with the bundler's prefix alone.
    const published = /^\[plugin esa-stage\] esa-stage-playground -> \d{19} on staging/gm;
    expect([...(stdout.match(published) ?? []), ...(stderr.match(published) ?? [])]).toHaveLength(4);
    expect(`${stdout}${stderr}`).not.toMatch(/esa-stage: esa-stage-playground/);
  }, 120_000);
});
