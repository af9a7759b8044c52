// Mutation check of the artifact and publish guards: removes one guard at a time from the source,
// rebuilds, runs the tests that cover the guards, and reports whether they caught it. Every guard
// must be caught. Run: `node scripts/mutate-guards.mjs` (several minutes; not part of `pnpm test`).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESTS = [
  'packages/core/test/artifact.test.ts',
  'test/artifact-guards.test.ts',
  'test/cli.test.ts',
  'test/plugin-behaviour.test.ts',
];

/** [name, file, the guard's text, what replaces it]. */
const MUTATIONS = [
  [
    'BrowserBuild (index.html)',
    'packages/core/src/artifact/classify.ts',
    'if (html.length > 0) {',
    'if (false) {',
  ],
  [
    'BrowserBuild (page script)',
    'packages/core/src/artifact/classify.ts',
    'if (!hasDefault && facts.usesDom) {',
    'if (false) {',
  ],
  [
    'NotAnEsModule',
    'packages/core/src/artifact/classify.ts',
    'if (!facts.hasModuleSyntax) {',
    'if (false) {',
  ],
  ['NoDefaultExport', 'packages/core/src/artifact/classify.ts', 'if (!hasDefault) {', 'if (false) {'],
  ['ChunkHasImports', 'packages/core/src/artifact/classify.ts', 'if (chunks.length > 0) {', 'if (false) {'],
  ['ExternalImport', 'packages/core/src/artifact/classify.ts', 'if (outside.length > 0) {', 'if (false) {'],
  [
    'ESA node: modules only',
    'packages/core/src/artifact/classify.ts',
    'if (!isRelative(specifier)) outside.push(specifier);',
    'if (!isRelative(specifier)) continue;',
  ],
  [
    'unparsable file',
    'packages/core/src/artifact/check-artifact.ts',
    'parsed = parse(source, chunk.fileName);',
    'parsed = [[], [{ type: "direct", name: "default" }], false, true] as never;',
  ],
  [
    'the check in the pipeline',
    'packages/core/src/publish.ts',
    'checkArtifact(chunk, outputs, ctx.bundler),',
    "Promise.resolve(checkArtifact).then(() => import('./hash-file.js')).then((m) => m.sha256Of(chunk.source)).then((sha256) => ({ computedImports: 0, sha256 })),",
  ],
  [
    'NothingPublished (Rollup closeBundle)',
    'packages/rollup-plugin/src/plugin.ts',
    'session.finish(buildContext(this), () => nothingFrom(written, selector));',
    'void nothingFrom;',
  ],
  [
    'EnvironmentNotBuilt (one environment)',
    'packages/vite-plugin/src/plugin.ts',
    "if (builds === undefined && 'name' in chosen) {",
    "if (builds === undefined && 'name' in chosen && Math.random() > 2) {",
  ],
  [
    'EnvironmentNotBuilt (app build)',
    'packages/vite-plugin/src/plugin.ts',
    'if (!problem) return;',
    'if (problem || !problem) return;',
  ],
  [
    'one Vite instance for every environment',
    'packages/vite-plugin/src/plugin.ts',
    'sharedDuringBuild: true,',
    'sharedDuringBuild: false as true,',
  ],
  ['DuplicatePlugin', 'packages/core/src/plugin/session.ts', 'if (instances > 1) {', 'if (false) {'],
  [
    'no credentials fail in CI',
    'packages/core/src/plugin/session.ts',
    "error.code !== 'CredentialsNotFound' || isCi(this.env)",
    "error.code !== 'CredentialsNotFound' || (isCi(this.env) && false)",
  ],
  ['esbuild prints its warnings', 'packages/esbuild-plugin/src/log.ts', 'if (rank >= 2) {', 'if (false) {'],
  ['skip lines', 'packages/core/src/plugin/session.ts', "if (reason === 'disabled') {", 'if (false) {'],
];

const build = () => execFileSync('pnpm', ['exec', 'tsc', '-b'], { cwd: ROOT, stdio: 'pipe' });
let survived = 0;
for (const [name, file, find, replace] of MUTATIONS) {
  const path = `${ROOT}${file}`;
  const original = readFileSync(path, 'utf8');
  if (!original.includes(find)) {
    console.log(`?  ${name}: guard text not found in ${file}`);
    survived += 1;
    continue;
  }
  writeFileSync(path, original.replace(find, replace));
  try {
    try {
      build();
    } catch (error) {
      console.log(`?  ${name}: the mutant does not compile: ${String(error.stdout).trim()}`);
      survived += 1;
      continue;
    }
    const run = spawnSync('pnpm', ['exec', 'vitest', 'run', '--bail=1', ...TESTS], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const caught = run.status !== 0;
    if (!caught) survived += 1;
    const failed = /(\d+) failed/.exec(run.stdout)?.[1] ?? '0';
    console.log(
      `${caught ? 'caught  ' : 'SURVIVED'} ${name} (${failed} failing test${failed === '1' ? '' : 's'})`,
    );
  } finally {
    writeFileSync(path, original);
  }
}
build();
console.log(`${MUTATIONS.length - survived} of ${MUTATIONS.length} mutations caught`);
process.exitCode = survived > 0 ? 1 : 0;
