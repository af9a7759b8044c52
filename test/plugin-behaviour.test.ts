import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishedResult } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { esaStage as esbuildPlugin } from '@esa-stage/esbuild-plugin';
import { type RollupEsaStageOptions, esaStage as rollupPlugin } from '@esa-stage/rollup-plugin';
import { esaStage as vitePlugin } from '@esa-stage/vite-plugin';
import * as esbuild from 'esbuild';
import * as rollup from 'rollup';
import * as vite from 'vite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listFiles, ROUTINE_FILES } from './helpers/bundlers.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { collectingViteLogger, emulatorPluginOptions } from './helpers/plugin-setup.js';

let emulator: Emulator;
let repo: TempRepo;
beforeAll(async () => {
  // Hermetic credentials: this file's process sees none but what a test passes explicitly.
  for (const name of Object.keys(process.env)) {
    if (/^(ALIBABA_CLOUD|ESA)_(ACCESS_KEY|SECURITY_TOKEN|PROFILE)/.test(name)) delete process.env[name];
  }
  process.env.HOME = await mkdtemp(join(tmpdir(), 'esa-stage-emptyhome-'));
  // As in CI, where missing credentials fail a build (outside CI they only warn: see artifact-guards).
  process.env.CI = 'true';
  emulator = await startEmulator({ routines: ['plugin-routine'], versionQuota: 100 });
  repo = await createTempRepo(
    {
      ...ROUTINE_FILES,
      'src/split.js':
        "export default { async fetch() { const { greeting } = await import('./greeting.js'); return new Response(greeting('x')); } };\n",
    },
    'feat: plugin behaviour',
  );
});
afterAll(async () => {
  await emulator.close();
  await repo.remove();
});
beforeEach(async () => {
  await rm(join(repo.dir, 'dist'), { recursive: true, force: true });
});

function options(
  published: PublishedResult[] = [],
  extra: Partial<RollupEsaStageOptions> = {},
): RollupEsaStageOptions {
  return { ...emulatorPluginOptions(emulator, 'plugin-routine', repo.dir, published), ...extra };
}

/** The options with no credentials anywhere: none given, none in env, no ~/.aliyun (HOME is empty). */
function withoutCredentials(): RollupEsaStageOptions {
  const { credentials: _none, ...rest } = options();
  return rest;
}

const storedBytes = (codeVersion: string) =>
  emulator.state.routines.get('plugin-routine')?.versions.get(codeVersion)?.bytes;

describe('esbuild specifics', () => {
  it('publishes from outputFiles with write: false, writing nothing to disk', async () => {
    const published: PublishedResult[] = [];
    const result = await esbuild.build({
      absWorkingDir: repo.dir,
      entryPoints: ['src/index.js'],
      bundle: true,
      format: 'esm',
      outdir: 'dist',
      write: false,
      logLevel: 'silent',
      plugins: [esbuildPlugin(options(published))],
    });
    expect(await listFiles(join(repo.dir, 'dist'))).toEqual([]);
    const [file] = result.outputFiles;
    expect(published).toHaveLength(1);
    expect(storedBytes(published[0]?.codeVersion ?? '')?.equals(Buffer.from(file?.contents ?? []))).toBe(
      true,
    );
    expect(result.metafile).toBeDefined();
  });

  it('rejects code splitting with the fix, as an esbuild error', async () => {
    const error = (await esbuild
      .build({
        absWorkingDir: repo.dir,
        entryPoints: ['src/split.js'],
        bundle: true,
        format: 'esm',
        splitting: true,
        outdir: 'dist',
        logLevel: 'silent',
        plugins: [esbuildPlugin(options())],
      })
      .catch((e: unknown) => e)) as esbuild.BuildFailure;
    expect(error.errors[0]?.text).toMatch(
      /^ChunkHasImports: split\.js imports other chunks \(\.\/[\w.-]+\.js\)/,
    );
    expect(error.errors[0]?.text).toMatch(/splitting: false/);
    expect(error.errors[0]?.pluginName).toBe('esa-stage');
  });

  it('fails at the start of the build when credentials are missing', async () => {
    const error = (await esbuild
      .build({
        absWorkingDir: repo.dir,
        entryPoints: ['src/index.js'],
        bundle: true,
        outdir: 'dist',
        logLevel: 'silent',
        plugins: [esbuildPlugin(withoutCredentials())],
      })
      .catch((e: unknown) => e)) as esbuild.BuildFailure;
    expect(error.errors[0]?.text).toMatch(
      /^CredentialsNotFound: credentials: none found; looked in options\.credentials/,
    );
  });

  it('publishes the first build of a context, and rebuilds only with watch: true and changed bytes', async () => {
    const build = async (watch: boolean) => {
      const published: PublishedResult[] = [];
      const context = await esbuild.context({
        absWorkingDir: repo.dir,
        entryPoints: ['src/index.js'],
        bundle: true,
        format: 'esm',
        outdir: 'dist',
        logLevel: 'silent',
        plugins: [esbuildPlugin(options(published, { watch }))],
      });
      try {
        await context.rebuild();
        await context.rebuild(); // unchanged
        await writeFile(
          join(repo.dir, 'src/greeting.js'),
          "export const greeting = (name) => 'Hi, ' + name + '!';\n",
        );
        await context.rebuild(); // changed
      } finally {
        await writeFile(join(repo.dir, 'src/greeting.js'), ROUTINE_FILES['src/greeting.js'] ?? '');
        await context.dispose();
      }
      return published;
    };
    const watched = await build(true);
    expect(watched).toHaveLength(2);
    expect(storedBytes(watched[1]?.codeVersion ?? '')?.toString()).toContain('Hi, ');
    expect(await build(false)).toHaveLength(1);
  });
});

describe('Rollup specifics', () => {
  it('publishes once from the ES output of an es + cjs build, naming the skipped one', async () => {
    const published: PublishedResult[] = [];
    const warnings: string[] = [];
    const bundle = await rollup.rollup({
      input: join(repo.dir, 'src/index.js'),
      plugins: [rollupPlugin(options(published))],
      onwarn: (w) => {
        warnings.push(w.message);
      },
    });
    await Promise.all([
      bundle.write({ file: join(repo.dir, 'dist/cjs/index.cjs'), format: 'cjs', exports: 'auto' }),
      bundle.write({ dir: join(repo.dir, 'dist/esm'), format: 'es' }),
    ]);
    await bundle.close();
    expect(published).toHaveLength(1);
    expect(
      storedBytes(published[0]?.codeVersion ?? '')?.equals(
        await readFile(join(repo.dir, 'dist/esm/index.js')),
      ),
    ).toBe(true);
    expect(warnings.join('\n')).toMatch(
      /skipped output .*dist\/cjs\/index\.cjs \(format cjs\): ESA runs ES modules only; esa-stage publishes once per build, from .*dist\/esm \(format es\)/,
    );
  });

  it('publishes from the output the `output` option names', async () => {
    const published: PublishedResult[] = [];
    const bundle = await rollup.rollup({
      input: join(repo.dir, 'src/index.js'),
      plugins: [rollupPlugin(options(published, { output: join(repo.dir, 'dist/b') }))],
      onwarn: () => undefined,
    });
    await bundle.write({ dir: join(repo.dir, 'dist/a'), format: 'es', banner: '// a' });
    await bundle.write({ dir: join(repo.dir, 'dist/b'), format: 'es', banner: '// b' });
    await bundle.close();
    expect(published).toHaveLength(1);
    expect(storedBytes(published[0]?.codeVersion ?? '')?.toString()).toMatch(/^\/\/ b/);
  });

  it('rejects code splitting with the fix', async () => {
    const bundle = await rollup.rollup({
      input: join(repo.dir, 'src/split.js'),
      plugins: [rollupPlugin(options())],
    });
    const error = (await bundle
      .write({ dir: join(repo.dir, 'dist'), format: 'es' })
      .catch((e: unknown) => e)) as Error & {
      code: string;
      plugin: string;
    };
    await bundle.close();
    expect(error.message).toMatch(
      /ChunkHasImports: split\.js imports other chunks \(\.\/greeting-[\w-]+\.js\)/,
    );
    expect(error.message).toMatch(/inlineDynamicImports: true/);
    expect(error.plugin).toBe('esa-stage');
  });

  it('fails in buildStart, before any output exists, when credentials are missing', async () => {
    const error = (await rollup
      .rollup({ input: join(repo.dir, 'src/index.js'), plugins: [rollupPlugin(withoutCredentials())] })
      .catch((e: unknown) => e)) as Error & { hook: string };
    expect(error.message).toMatch(/CredentialsNotFound: credentials: none found/);
    expect(error.hook).toBe('buildStart');
    expect(await listFiles(join(repo.dir, 'dist'))).toEqual([]);
  });

  it('dry-runs without credentials: checks the options, sends nothing', async () => {
    const before = emulator.state.requests.length;
    const bundle = await rollup.rollup({
      input: join(repo.dir, 'src/index.js'),
      plugins: [rollupPlugin({ ...withoutCredentials(), dryRun: true })],
    });
    await bundle.write({ dir: join(repo.dir, 'dist'), format: 'es' });
    await bundle.close();
    expect(emulator.state.requests.length).toBe(before);
  });

  describe('in watch mode', () => {
    let watcher: rollup.RollupWatcher | undefined;
    afterEach(async () => {
      await watcher?.close();
      await writeFile(join(repo.dir, 'src/greeting.js'), ROUTINE_FILES['src/greeting.js'] ?? '');
    });

    /** Runs rollup.watch, waits for each build to end, applying `changes` in turn. */
    async function watchBuilds(pluginOptions: RollupEsaStageOptions, changes: string[]): Promise<void> {
      watcher = rollup.watch({
        input: join(repo.dir, 'src/index.js'),
        output: { dir: join(repo.dir, 'dist'), format: 'es' },
        plugins: [rollupPlugin(pluginOptions)],
        watch: { buildDelay: 20, skipWrite: false },
      });
      const pending = [...changes];
      await new Promise<void>((resolve, reject) => {
        watcher?.on('event', (event) => {
          if (event.code === 'ERROR') reject(event.error);
          if (event.code === 'BUNDLE_END') void event.result.close();
          if (event.code !== 'END') return;
          const next = pending.shift();
          if (next === undefined) return resolve();
          // Give the watcher a moment before touching the file again.
          setTimeout(() => void writeFile(join(repo.dir, 'src/greeting.js'), next), 150);
        });
      });
    }

    it('publishes once per change with watch: true, and not for an unchanged rebuild', async () => {
      const published: PublishedResult[] = [];
      const same = ROUTINE_FILES['src/greeting.js'] ?? '';
      await watchBuilds(options(published, { watch: true }), [
        same,
        "export const greeting = (n) => 'Yo, ' + n + '!';\n",
      ]);
      expect(published).toHaveLength(2);
      expect(storedBytes(published[1]?.codeVersion ?? '')?.toString()).toContain('Yo, ');
    });

    it('does not publish in watch mode by default', async () => {
      const published: PublishedResult[] = [];
      const before = emulator.state.requests.length;
      await watchBuilds(options(published), []);
      expect(published).toEqual([]);
      expect(emulator.state.requests.length).toBe(before);
    });
  });
});

describe('Vite specifics', () => {
  it('publishes from one environment only when several are built', async () => {
    const published: PublishedResult[] = [];
    const notes: string[] = [];
    const builder = await vite.createBuilder({
      root: repo.dir,
      configFile: false,
      logLevel: 'info',
      customLogger: collectingViteLogger(notes),
      plugins: [vitePlugin({ ...options(published), environment: 'edge' })],
      environments: {
        client: {
          build: { outDir: 'dist/client', rollupOptions: { input: join(repo.dir, 'src/index.js') } },
        },
        edge: {
          consumer: 'server',
          build: {
            outDir: 'dist/edge',
            ssr: join(repo.dir, 'src/index.js'),
            rollupOptions: { output: { entryFileNames: 'index.js' } },
          },
        },
      },
    });
    await builder.buildApp();
    expect(published).toHaveLength(1);
    expect(
      storedBytes(published[0]?.codeVersion ?? '')?.equals(
        await readFile(join(repo.dir, 'dist/edge/index.js')),
      ),
    ).toBe(true);
    expect(notes.join('\n')).toMatch(
      /not publishing from Vite environment "client": esa-stage publishes from "edge"/,
    );
  });

  it('does not run for vite dev (apply: build)', () => {
    const plugin = vitePlugin(options());
    expect(plugin.apply).toBe('build');
    expect(plugin.enforce).toBe('post');
  });
});

describe('a bundle written nowhere', () => {
  it('lists what the build produced when no entry chunk exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'esa-stage-noentry-'));
    await writeFile(join(dir, 'a.css'), 'a{}');
    const error = (await esbuild
      .build({
        absWorkingDir: dir,
        entryPoints: ['a.css'],
        bundle: true,
        outdir: 'out',
        logLevel: 'silent',
        plugins: [esbuildPlugin({ ...options(), cwd: dir })],
      })
      .catch((e: unknown) => e)) as esbuild.BuildFailure;
    await rm(dir, { recursive: true, force: true });
    expect(error.errors[0]?.text).toMatch(
      /^ChunkNotFound: no JavaScript output that is an entry \(matched, but not JavaScript: a\.css \(entry\)\); the build wrote a\.css/,
    );
  });
});
