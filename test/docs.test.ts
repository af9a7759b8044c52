import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGE_READMES, renderOptionsTable, updatePackageReadme } from '../scripts/options-table.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

describe('README', () => {
  it('has the options table the JSDoc generates (run `pnpm options-table` after changing an option)', () => {
    expect(README).toContain(renderOptionsTable());
  });

  it.each(PACKAGE_READMES)(
    '$file has its options and errors tables, and no link that breaks on npm',
    (pkg) => {
      const readme = readFileSync(join(ROOT, pkg.file), 'utf8');
      expect(readme).toBe(updatePackageReadme(readme, pkg, README));
      expect(readme).toContain('| `name` | `string` |');
      expect(readme).toContain('| `CredentialsNotFound`');
      // A relative link resolves on GitHub but not on npmjs.com.
      expect(readme).not.toMatch(/\]\((?!https?:|#)[^)]*\)/);
    },
  );

  it('lists every error code esa-stage can print in its troubleshooting table', () => {
    const code = ['core', 'rollup-plugin', 'vite-plugin', 'esbuild-plugin']
      .flatMap((pkg) => sources(join(ROOT, 'packages', pkg, 'src')))
      .join('\n');
    const ours = [...code.matchAll(/code: '([A-Za-z.]+)'/g)].map((m) => m[1]);
    const esa = [...code.matchAll(/code === '([A-Z][A-Za-z.]+)'/g)].map((m) => m[1]);
    const codes = new Set([...ours, ...esa, 'InvalidConfig', 'UsageError']);
    expect(codes.size).toBeGreaterThan(25);
    const table = README.slice(README.indexOf('## Troubleshooting'));
    for (const c of codes) expect(table, c).toContain(`\`${c}`);
  });

  it('shows the benchmark table `pnpm bench` wrote last', () => {
    const results = readFileSync(join(ROOT, 'test/bench/results.md'), 'utf8').trim();
    expect(results).toMatch(/^Measured .* by `pnpm bench`\.\n\n\| measure \|/);
    expect(README).toContain(results);
  });

  it('gives the test command that .ci/run runs', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const setup = README.slice(README.indexOf('## Set-up'), README.indexOf('## Quick start'));
    expect(setup).toMatch(/^pnpm test\s+# the test suite$/m);
    expect(ci).toMatch(/^pnpm test \|\| status=\$\?$/m);
    expect(setup).toContain('pnpm playground');
    expect(ci).toContain('PNPM_VERSION=12.21.0');
    expect(setup).toContain('pnpm@12.21.0');
  });
});
