import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type EsbuildEsaStageOptions, esaStage as esbuildPlugin } from '@esa-stage/esbuild-plugin';
import { type RollupEsaStageOptions, esaStage as rollupPlugin } from '@esa-stage/rollup-plugin';
import { type ViteEsaStageOptions, esaStage as vitePlugin } from '@esa-stage/vite-plugin';
import * as esbuild from 'esbuild';
import * as rolldown from 'rolldown';
import * as rollup from 'rollup';
import * as vite8 from 'vite';
import * as vite7 from 'vite7';
import { collectingViteLogger } from './plugin-setup.js';

/** The routine every bundler builds: an entry that imports a local module, so bundling matters. */
export const ROUTINE_FILES: Record<string, string> = {
  'src/greeting.js': "export const greeting = (name) => 'Hello, ' + name + '!';\n",
  'src/index.js':
    "import { greeting } from './greeting.js';\nexport default {\n  async fetch(request) {\n    return new Response(greeting(new URL(request.url).searchParams.get('name') ?? 'edge'));\n  },\n};\n",
  'README.md': '# fixture\n',
};

export interface BuildRun {
  /** Absolute path of the routine file the bundler wrote. */
  readonly written: string;
  /** Warnings the bundler reported for the build. */
  readonly warnings: string[];
}

export type Bundler = {
  readonly name: string;
  build(dir: string, options: ViteEsaStageOptions): Promise<BuildRun>;
};

const rollupWarnings = (warnings: string[]) => (warning: { message: string }) => {
  warnings.push(warning.message);
};

export const rollupBundler: Bundler = {
  name: 'Rollup 4',
  async build(dir, options) {
    const warnings: string[] = [];
    const bundle = await rollup.rollup({
      input: join(dir, 'src/index.js'),
      plugins: [rollupPlugin(options as RollupEsaStageOptions)],
      onwarn: rollupWarnings(warnings),
    });
    try {
      await bundle.write({ dir: join(dir, 'dist'), format: 'es' });
    } finally {
      await bundle.close();
    }
    return { written: join(dir, 'dist/index.js'), warnings };
  },
};

export const rolldownBundler: Bundler = {
  name: 'Rolldown 1',
  async build(dir, options) {
    const warnings: string[] = [];
    const bundle = await rolldown.rolldown({
      input: join(dir, 'src/index.js'),
      // The Rollup plugin, unchanged.
      plugins: [rollupPlugin(options as RollupEsaStageOptions)],
      onwarn: rollupWarnings(warnings),
      logLevel: 'warn',
    });
    try {
      await bundle.write({ dir: join(dir, 'dist'), format: 'es' });
    } finally {
      await bundle.close();
    }
    return { written: join(dir, 'dist/index.js'), warnings };
  },
};

function viteBundler(name: string, build: typeof vite8.build): Bundler {
  return {
    name,
    async build(dir, options) {
      const warnings: string[] = [];
      await build({
        root: dir,
        configFile: false,
        logLevel: 'warn',
        customLogger: collectingViteLogger(warnings, false),
        plugins: [vitePlugin(options)],
        build: {
          ssr: 'src/index.js',
          outDir: 'dist',
          emptyOutDir: true,
          minify: false,
          rollupOptions: { output: { entryFileNames: 'index.js' } },
        },
      });
      return { written: join(dir, 'dist/index.js'), warnings };
    },
  };
}

export const vite7Bundler = viteBundler('Vite 7', vite7.build as unknown as typeof vite8.build);
export const vite8Bundler = viteBundler('Vite 8', vite8.build);

export const esbuildBundler: Bundler = {
  name: 'esbuild',
  async build(dir, options) {
    const result = await esbuild.build({
      absWorkingDir: dir,
      entryPoints: ['src/index.js'],
      bundle: true,
      format: 'esm',
      outdir: 'dist',
      logLevel: 'silent',
      plugins: [esbuildPlugin(options as EsbuildEsaStageOptions)],
    });
    return { written: join(dir, 'dist/index.js'), warnings: result.warnings.map((w) => w.text) };
  },
};

export const ALL_BUNDLERS: readonly Bundler[] = [
  rollupBundler,
  rolldownBundler,
  vite7Bundler,
  vite8Bundler,
  esbuildBundler,
];

/** Files under a directory, relative, sorted; [] when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true })).sort();
  } catch {
    return [];
  }
}
