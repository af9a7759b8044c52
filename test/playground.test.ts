import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from './helpers/run-node.js';

// The README's main job, as a newcomer runs it (after the build that `pnpm playground` does first).
describe('pnpm playground', () => {
  it('builds with Vite, Rollup and esbuild, publishes each, and GetRoutine confirms staging', async () => {
    const dir = fileURLToPath(new URL('../playground/', import.meta.url));
    const { code, stdout, stderr } = await runNode('run.mjs', [], { cwd: dir, env: {} });
    expect(stderr).not.toMatch(/failed|published nothing/);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['vite', 'rollup', 'esbuild']);
    for (const line of lines)
      expect(line).toMatch(
        /published \d+ bytes as (\d{19}); GetRoutine says staging serves \1 \(confirmed\)$/,
      );
    expect(stderr.match(/^esa-stage: esa-stage-playground -> \d{19} on staging/gm)).toHaveLength(3);
  }, 120_000);
});
