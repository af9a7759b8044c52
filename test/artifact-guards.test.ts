import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PublishedResult } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { esaStage as esbuildPlugin } from '@esa-stage/esbuild-plugin';
import { type RollupEsaStageOptions, esaStage as rollupPlugin } from '@esa-stage/rollup-plugin';
import { type ViteEsaStageOptions, esaStage as vitePlugin } from '@esa-stage/vite-plugin';
import * as esbuild from 'esbuild';
import * as rolldown from 'rolldown';
import * as rollup from 'rollup';
import * as vite8 from 'vite';
import * as vite7 from 'vite7';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROUTINE_FILES } from './helpers/bundlers.js';
import { captureStream, withEnv } from './helpers/env.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { collectingViteLogger, emulatorPluginOptions } from './helpers/plugin-setup.js';

// Every way a build once put code on staging that cannot serve a request, or went green with
// nothing published, in real builds of each bundler: the exit, the code, the hint for that bundler,
// and, from the emulator's state, that nothing was uploaded or committed.

const ROUTINE = 'guard-routine';

let emulator: Emulator;
let repo: TempRepo;
beforeAll(async () => {
  for (const name of Object.keys(process.env)) {
    if (/^(ALIBABA_CLOUD|ESA)_(ACCESS_KEY|SECURITY_TOKEN|PROFILE)|^ESA_STAGE_/.test(name))
      delete process.env[name];
  }
  process.env.HOME = await mkdtemp(join(tmpdir(), 'esa-stage-emptyhome-'));
  process.env.CI = 'true';
  emulator = await startEmulator({ routines: [ROUTINE, 'guard-other'], versionQuota: 500 });
  repo = await createTempRepo(
    {
      ...ROUTINE_FILES,
      'src/split.js':
        "export default { async fetch() { const { greeting } = await import('./greeting.js'); return new Response(greeting('x')); } };\n",
      'src/external.js':
        "import { dep } from 'fake-dep';\nexport default { fetch() { return new Response(dep); } };\n",
      'src/lib.js': 'export const handler = { fetch() { return new Response("no default"); } };\n',
      'node_modules/fake-dep/package.json': JSON.stringify({
        name: 'fake-dep',
        version: '1.0.0',
        type: 'module',
        exports: './index.js',
      }),
      'node_modules/fake-dep/index.js': "export const dep = 'from a package';\n",
      'index.html':
        '<!doctype html>\n<html><body><div id="app"></div><script type="module" src="/src/main.js"></script></body></html>\n',
      'src/main.js':
        "document.querySelector('#app').textContent = 'page';\nimport('./greeting.js').then((m) => console.log(m.greeting('x')));\n",
    },
    'feat: guards',
  );
});
afterAll(async () => {
  await emulator.close();
  await repo.remove();
});
beforeEach(async () => {
  emulator.faults.clear();
  await rm(join(repo.dir, 'dist'), { recursive: true, force: true });
});

const options = (extra: Partial<ViteEsaStageOptions> = {}, published: PublishedResult[] = []) => ({
  ...emulatorPluginOptions(emulator, ROUTINE, repo.dir, published),
  ...extra,
});
const src = (file: string) => join(repo.dir, 'src', file);
const dist = (sub = '') => join(repo.dir, 'dist', sub);

/** What reached ESA: versions of the routine, and upload/commit requests. */
function serverState() {
  const requests = emulator.state.requests;
  return {
    versions: emulator.state.routines.get(ROUTINE)?.versions.size ?? 0,
    writes: requests.filter((r) =>
      ['GetRoutineStagingCodeUploadInfo', 'CommitRoutineStagingCode', 'PublishRoutineCodeVersion'].includes(
        r.action ?? '',
      ),
    ).length,
    requests: requests.length,
  };
}

/** Runs a build that must fail; returns its error text. Asserts that ESA saw no write. */
async function refused(build: () => Promise<unknown>): Promise<string> {
  const before = serverState();
  const outcome = await build().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, 'the build should have failed').toBeInstanceOf(Error);
  const after = serverState();
  expect(after.versions).toBe(before.versions);
  expect(after.writes).toBe(before.writes);
  const error = outcome as Error & { errors?: { text: string }[] };
  return [error.message, ...(error.errors ?? []).map((e) => e.text)].join('\n');
}

async function rollupBuild(
  input: string,
  outputs: rollup.OutputOptions[],
  plugins: rollup.Plugin[],
  extra: rollup.InputOptions = {},
) {
  const bundle = await rollup.rollup({ input, plugins, onwarn: () => undefined, ...extra });
  try {
    for (const output of outputs) await bundle.write(output);
  } finally {
    await bundle.close();
  }
}

async function rolldownBuild(
  input: string,
  outputs: rolldown.OutputOptions[],
  plugins: rolldown.Plugin[],
  extra: rolldown.InputOptions = {},
) {
  const bundle = await rolldown.rolldown({ input, plugins, logLevel: 'silent', ...extra });
  try {
    for (const output of outputs) await bundle.write(output);
  } finally {
    await bundle.close();
  }
}

type ViteBuild = typeof vite8.build;
const VITES: [string, ViteBuild, typeof vite8.createBuilder][] = [
  [
    'Vite 7',
    vite7.build as unknown as ViteBuild,
    vite7.createBuilder as unknown as typeof vite8.createBuilder,
  ],
  ['Vite 8', vite8.build, vite8.createBuilder],
];

function viteSsr(build: ViteBuild, entry: string, esa: ViteEsaStageOptions, config: vite8.UserConfig = {}) {
  return build({
    root: repo.dir,
    configFile: false,
    logLevel: 'silent',
    plugins: [vitePlugin(esa)],
    ...config,
    build: { ssr: entry, outDir: 'dist', minify: false, ...config.build },
  });
}

const esbuildBuild = (extra: esbuild.BuildOptions, esa = options()) =>
  esbuild.build({
    absWorkingDir: repo.dir,
    entryPoints: ['src/index.js'],
    bundle: true,
    format: 'esm',
    outdir: 'dist',
    logLevel: 'silent',
    plugins: [esbuildPlugin(esa)],
    ...extra,
  });

describe('NotAnEsModule: CommonJS, IIFE and UMD output is refused with the format setting', () => {
  it('Rollup and Rolldown cjs (when the `output` option picks it): output.format "es"', async () => {
    const output = { dir: dist('cjs'), format: 'cjs' as const };
    for (const text of [
      await refused(() =>
        rollupBuild(src('index.js'), [output], [rollupPlugin(options({ output: dist('cjs') }))]),
      ),
      await refused(() =>
        rolldownBuild(
          src('index.js'),
          [output],
          [rollupPlugin(options({ output: dist('cjs') })) as rolldown.Plugin],
        ),
      ),
    ]) {
      expect(text).toMatch(/NotAnEsModule: index\.js is not an ES module .*Hint: set `output\.format: "es"`/);
    }
  });

  it.each(VITES)('%s SSR build with output.format cjs: build.ssr', async (_name, build) => {
    const text = await refused(() =>
      viteSsr(build, 'src/index.js', options({ output: () => true }), {
        build: { rollupOptions: { output: { format: 'cjs', entryFileNames: 'index.js' } } },
      }),
    );
    expect(text).toMatch(
      /NotAnEsModule: index\.js is not an ES module .*Hint: build the routine as an ES module: an SSR build/,
    );
  });

  it.each([
    ['format cjs', { format: 'cjs' }],
    ['the default IIFE', {}],
    ['format iife with a globalName (UMD-like)', { format: 'iife', globalName: 'routine' }],
  ] as const)('esbuild %s: format "esm"', async (_name, extra) => {
    const text = await refused(() => esbuildBuild({ format: undefined, ...extra } as esbuild.BuildOptions));
    expect(text).toMatch(/NotAnEsModule: index\.js is not an ES module .*Hint: set `format: "esm"`/);
  });
});

describe('NoDefaultExport', () => {
  it('Rollup and esbuild: an ES module that exports no handler', async () => {
    const hint =
      /NoDefaultExport: lib\.js has no default export \(it exports handler\).*export default \{ async fetch/;
    expect(
      await refused(() =>
        rollupBuild(src('lib.js'), [{ dir: dist(), format: 'es' }], [rollupPlugin(options())]),
      ),
    ).toMatch(hint);
    expect(await refused(() => esbuildBuild({ entryPoints: ['src/lib.js'] }))).toMatch(hint);
  });
});

describe('ExternalImport: a dependency left out of the bundle, with the bundling setting', () => {
  it.each(VITES)('%s SSR build without noExternal: ssr.noExternal', async (_name, build) => {
    const text = await refused(() => viteSsr(build, 'src/external.js', options()));
    expect(text).toMatch(
      /ExternalImport: external\.m?js imports modules that are not in the bundle \(fake-dep\)/,
    );
    expect(text).toMatch(/Hint: bundle dependencies into the routine: `ssr: \{ noExternal: true \}`/);
    expect(text).not.toMatch(/inlineDynamicImports|codeSplitting/);
  });

  it('Rollup without node-resolve: @rollup/plugin-node-resolve', async () => {
    const text = await refused(() =>
      rollupBuild(src('external.js'), [{ dir: dist(), format: 'es' }], [rollupPlugin(options())]),
    );
    expect(text).toMatch(
      /ExternalImport: .*\(fake-dep\).*Hint: let Rollup resolve packages: add `@rollup\/plugin-node-resolve`/,
    );
  });

  it('Rolldown with the package in `external`: remove it from external', async () => {
    const text = await refused(() =>
      rolldownBuild(
        src('external.js'),
        [{ dir: dist(), format: 'es' }],
        [rollupPlugin(options()) as rolldown.Plugin],
        {
          external: ['fake-dep'],
        },
      ),
    );
    expect(text).toMatch(/ExternalImport: .*\(fake-dep\).*Hint: remove these from `external`/);
  });

  it('esbuild bundle: false (imports left as written) and external packages: bundle: true', async () => {
    const unbundled = await refused(() => esbuildBuild({ bundle: false }));
    expect(unbundled).toMatch(
      /ExternalImport: index\.js imports modules that are not in the bundle \(\.\/greeting\.js\).*Hint: set `bundle: true`/,
    );
    const external = await refused(() =>
      esbuildBuild({ entryPoints: ['src/external.js'], external: ['fake-dep'] }),
    );
    expect(external).toMatch(
      /ExternalImport: .*\(fake-dep\).*Hint: set `bundle: true`, and keep these out of `external`/,
    );
  });
});

describe('ChunkHasImports: code splitting, with the setting of each bundler and version', () => {
  it('Rollup: output.inlineDynamicImports; Rolldown: output.codeSplitting false', async () => {
    const output = { dir: dist(), format: 'es' as const };
    expect(await refused(() => rollupBuild(src('split.js'), [output], [rollupPlugin(options())]))).toMatch(
      /ChunkHasImports: split\.js imports other chunks \(\.\/greeting-[\w-]+\.js\).*Hint: put everything in one file: `output\.inlineDynamicImports: true`/,
    );
    expect(
      await refused(() =>
        rolldownBuild(src('split.js'), [output], [rollupPlugin(options()) as rolldown.Plugin]),
      ),
    ).toMatch(
      /ChunkHasImports: split\.js imports other chunks .*Hint: put everything in one file: `output\.codeSplitting: false`/,
    );
  });

  it('Vite 7: build.rollupOptions.output.inlineDynamicImports; Vite 8: build.rolldownOptions.output.codeSplitting', async () => {
    const [[, build7], [, build8]] = VITES as [[string, ViteBuild, unknown], [string, ViteBuild, unknown]];
    expect(await refused(() => viteSsr(build7, 'src/split.js', options()))).toMatch(
      /ChunkHasImports: .*Hint: put everything in one file: `build\.rollupOptions\.output\.inlineDynamicImports: true`/,
    );
    expect(await refused(() => viteSsr(build8, 'src/split.js', options()))).toMatch(
      /ChunkHasImports: .*Hint: put everything in one file: `build\.rolldownOptions\.output\.codeSplitting: false`/,
    );
  });

  it('esbuild: splitting false', async () => {
    expect(await refused(() => esbuildBuild({ entryPoints: ['src/split.js'], splitting: true }))).toMatch(
      /ChunkHasImports: split\.js imports other chunks .*Hint: put everything in one file: `splitting: false`/,
    );
  });
});

describe('BrowserBuild: a page is never published as the routine', () => {
  it.each(VITES)(
    '%s client build of an SPA, before and after following the old hint',
    async (_name, build) => {
      const spa =
        (rollupOptions: vite8.BuildEnvironmentOptions['rollupOptions'] = {}) =>
        () =>
          build({
            root: repo.dir,
            configFile: false,
            logLevel: 'silent',
            plugins: [vitePlugin(options())],
            build: { outDir: 'dist', rollupOptions },
          });
      for (const text of [
        await refused(spa()),
        await refused(spa({ output: { inlineDynamicImports: true } })),
        await refused(spa({ output: { codeSplitting: false } as vite8.Rollup.OutputOptions })),
      ]) {
        expect(text).toMatch(
          /BrowserBuild: assets\/[\w-]+\.js comes from a browser build \(the build wrote index\.html\)/,
        );
        expect(text).toMatch(
          /Hint: this is Vite's client build\. Build the routine as an SSR entry instead: `build: \{ ssr: "src\/index\.js" \}`.*SPA \+ routine/,
        );
        expect(text).not.toMatch(/inlineDynamicImports|codeSplitting/);
      }
    },
  );

  it('a page script built by Rollup or esbuild', async () => {
    const pattern =
      /BrowserBuild: main\.js is a page script \(it uses document\/window and has no default export\)/;
    expect(
      await refused(() =>
        rollupBuild(
          src('main.js'),
          [{ dir: dist(), format: 'es', inlineDynamicImports: true }],
          [rollupPlugin(options())],
        ),
      ),
    ).toMatch(pattern);
    expect(await refused(() => esbuildBuild({ entryPoints: ['src/main.js'] }))).toMatch(pattern);
  });
});

describe('nothing published is a failure, not a green build', () => {
  it('Rollup and Rolldown whose only output is cjs: NothingPublished', async () => {
    const output = { file: dist('index.cjs'), format: 'cjs' as const };
    for (const text of [
      await refused(() => rollupBuild(src('index.js'), [output], [rollupPlugin(options())])),
      await refused(() =>
        rolldownBuild(src('index.js'), [output], [rollupPlugin(options()) as rolldown.Plugin]),
      ),
    ]) {
      expect(text).toMatch(
        /NothingPublished: nothing was published to guard-routine: no ES-module output; the build wrote .*dist\/index\.cjs \(format cjs\).*Hint: add an output with `format: "es"`/,
      );
    }
  });

  it('a Rollup build that is generated and never written, or written where `output` does not point', async () => {
    expect(
      await refused(async () => {
        const bundle = await rollup.rollup({ input: src('index.js'), plugins: [rollupPlugin(options())] });
        await bundle.generate({ format: 'es' });
        await bundle.close();
      }),
    ).toMatch(/NothingPublished: .*no ES-module output; the build wrote no output/);
    expect(
      await refused(() =>
        rollupBuild(
          src('index.js'),
          [{ dir: dist(), format: 'es' }],
          [rollupPlugin(options({ output: dist('elsewhere') }))],
        ),
      ),
    ).toMatch(/NothingPublished: .*no output matched the `output` option .*Hint: point the `output` option/);
  });

  it.each(VITES)('%s SSR build whose only output is cjs: NothingPublished', async (_name, build) => {
    expect(
      await refused(() =>
        viteSsr(build, 'src/index.js', options(), {
          build: { rollupOptions: { output: { format: 'cjs' } } },
        }),
      ),
    ).toMatch(
      /NothingPublished: nothing was published to guard-routine: no ES-module output; the build wrote .*\(format cjs\)/,
    );
  });

  it.each(VITES)(
    '%s: an `environment` the build does not build fails, naming the ones built',
    async (_name, build, createBuilder) => {
      expect(await refused(() => viteSsr(build, 'src/index.js', options({ environment: 'edge' })))).toMatch(
        /EnvironmentNotBuilt: nothing was published to guard-routine: this build builds only the "ssr" environment, and esa-stage publishes from "edge"/,
      );
      const app = async (
        esa: ViteEsaStageOptions,
        environments: Record<string, vite8.EnvironmentOptions>,
      ) => {
        const builder = await createBuilder({
          root: repo.dir,
          configFile: false,
          logLevel: 'silent',
          builder: {},
          plugins: [vitePlugin(esa)],
          environments,
        });
        await builder.buildApp();
      };
      const server = (entry: string, outDir: string) => ({
        consumer: 'server' as const,
        build: { outDir, ssr: src(entry), rollupOptions: { output: { entryFileNames: 'index.js' } } },
      });
      const notBuilt = await refused(() =>
        app(options({ environment: 'edge' }), {
          client: { build: { outDir: dist('client') } },
          ssr: server('index.js', dist('ssr')),
        }),
      );
      expect(notBuilt).toMatch(
        /EnvironmentNotBuilt: nothing was published to guard-routine: this `vite build` builds "client", "ssr", not "edge"/,
      );
      expect(notBuilt).toMatch(/Hint: set the `environment` option to one of: client, ssr/);
      const ambiguous = await refused(() =>
        app(options(), { client: {}, a: server('index.js', dist('a')), b: server('index.js', dist('b')) }),
      );
      expect(ambiguous).toMatch(
        /EnvironmentAmbiguous: .*several server environments \(a, b\).*Hint: set the `environment` option/,
      );
    },
  );
});

describe('DuplicatePlugin: one routine, two instances in one build', () => {
  const pattern =
    /DuplicatePlugin: plugins: esa-stage is listed 2 times for routine guard-routine.*Hint: keep one esaStage\(\)/;

  it('Rollup (two instances, or one listed twice) and Rolldown', async () => {
    const once = rollupPlugin(options());
    const output = [{ dir: dist(), format: 'es' as const }];
    expect(
      await refused(() =>
        rollupBuild(src('index.js'), output, [rollupPlugin(options()), rollupPlugin(options())]),
      ),
    ).toMatch(pattern);
    expect(await refused(() => rollupBuild(src('index.js'), output, [once, once]))).toMatch(pattern);
    expect(
      await refused(() =>
        rolldownBuild(src('index.js'), output, [
          rollupPlugin(options()),
          rollupPlugin(options()),
        ] as rolldown.Plugin[]),
      ),
    ).toMatch(pattern);
  });

  it.each(VITES)('%s', async (_name, build) => {
    expect(
      await refused(() =>
        build({
          root: repo.dir,
          configFile: false,
          logLevel: 'silent',
          plugins: [vitePlugin(options()), vitePlugin(options())],
          build: { ssr: 'src/index.js', outDir: 'dist' },
        }),
      ),
    ).toMatch(pattern);
  });

  it('esbuild', async () => {
    expect(
      await refused(() => esbuildBuild({ plugins: [esbuildPlugin(options()), esbuildPlugin(options())] })),
    ).toMatch(pattern);
  });

  it('two instances for two routines both publish, once each', async () => {
    const before = serverState();
    const published: PublishedResult[] = [];
    await rollupBuild(
      src('index.js'),
      [{ dir: dist(), format: 'es' }],
      [
        rollupPlugin(options({}, published)),
        rollupPlugin({ ...options({}, published), name: 'guard-other' }),
      ],
    );
    expect(published.map((p) => p.name).sort()).toEqual(['guard-other', ROUTINE]);
    expect(serverState().versions).toBe(before.versions + 1);
  });
});

describe('Vite app builds publish once, from the SSR environment', () => {
  it.each(VITES)(
    '%s: client (index.html) + ssr in one build publishes the routine only',
    async (_name, _build, createBuilder) => {
      const before = serverState();
      const published: PublishedResult[] = [];
      const lines: string[] = [];
      const builder = await createBuilder({
        root: repo.dir,
        configFile: false,
        logLevel: 'info',
        customLogger: collectingViteLogger(lines),
        builder: {},
        plugins: [vitePlugin(options({}, published))],
        environments: {
          client: { build: { outDir: dist('client') } },
          ssr: {
            resolve: { noExternal: true },
            build: {
              outDir: dist('routine'),
              rollupOptions: { input: src('index.js'), output: { entryFileNames: 'index.js' } },
            },
          },
        },
      });
      await builder.buildApp();
      expect(published).toHaveLength(1);
      expect(serverState().versions).toBe(before.versions + 1);
      const stored = emulator.state.routines.get(ROUTINE)?.versions.get(published[0]?.codeVersion ?? '');
      expect(stored?.bytes.equals(await readFile(dist('routine/index.js')))).toBe(true);
      expect(lines.join('\n')).toMatch(
        /not publishing from Vite environment "client": esa-stage publishes from "ssr"/,
      );
    },
  );
});

describe('Vite app builds from a config file', () => {
  // A config file is loaded again for each environment, so each gets its own plugin instances
  // unless the plugin is shared (`sharedDuringBuild`): the way one `vite build` used to publish twice.
  it.each(VITES)(
    '%s: one `vite build` of client + ssr publishes once',
    async (_name, _build, createBuilder) => {
      // Inside the workspace, so the config file resolves @esa-stage/vite-plugin as a project would.
      const root = await mkdtemp(join(fileURLToPath(new URL('.', import.meta.url)), '.tmp-vite-app-'));
      try {
        await mkdir(join(root, 'src'));
        await writeFile(join(root, 'src/routine.js'), ROUTINE_FILES['src/index.js'] ?? '');
        await writeFile(join(root, 'src/greeting.js'), ROUTINE_FILES['src/greeting.js'] ?? '');
        await writeFile(join(root, 'src/main.js'), "document.body.append('page');\n");
        await writeFile(join(root, 'index.html'), '<script type="module" src="/src/main.js"></script>\n');
        await writeFile(
          join(root, 'vite.config.mjs'),
          `import { esaStage } from '@esa-stage/vite-plugin';
export default {
  builder: {},
  logLevel: 'silent',
  plugins: [esaStage({ name: '${ROUTINE}', description: 'app build', logLevel: 'silent' })],
  environments: {
    client: { build: { outDir: 'dist/client' } },
    ssr: { resolve: { noExternal: true }, build: { outDir: 'dist/routine', rollupOptions: { input: ${JSON.stringify(join(root, 'src/routine.js'))}, output: { entryFileNames: 'index.js' } } } },
  },
};
`,
        );
        const before = serverState();
        await withEnv(
          {
            ESA_ENDPOINT: emulator.endpoint,
            ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
          },
          async () => {
            const builder = await createBuilder({ root, configFile: join(root, 'vite.config.mjs') });
            await builder.buildApp();
          },
        );
        const after = serverState();
        expect(after.versions).toBe(before.versions + 1);
        const stored = [...(emulator.state.routines.get(ROUTINE)?.versions.values() ?? [])].at(-1);
        expect(stored?.bytes.equals(await readFile(join(root, 'dist/routine/index.js')))).toBe(true);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );
});

describe('in the bundler’s own voice', () => {
  it('Rollup: the publish line and retries are info logs of the plugin, without a second prefix', async () => {
    emulator.faults.inject({
      action: 'GetRoutineStagingCodeUploadInfo',
      status: 503,
      code: 'ServiceUnavailable',
      times: 1,
    });
    const logs: { level: string; message: string; plugin: string | undefined }[] = [];
    await rollupBuild(
      src('index.js'),
      [{ dir: dist(), format: 'es' }],
      [rollupPlugin({ ...options(), logLevel: 'info' })],
      {
        onLog: (level, log) => {
          logs.push({ level, message: log.message, plugin: log.plugin });
        },
      },
    );
    const ours = logs.filter((l) => l.plugin === 'esa-stage');
    expect(ours.map((l) => l.level)).toEqual(['info', 'info', 'info']);
    expect(ours[0]?.message).toMatch(
      /^\[plugin esa-stage\] GetRoutineStagingCodeUploadInfo failed \(ServiceUnavailable: .+\); retry 1\/3 in \d+ ms$/,
    );
    expect(ours[1]?.message).toMatch(/^\[plugin esa-stage\] guard-routine -> \d{19} on staging \(/);
    expect(ours[2]?.message).toMatch(/^\[plugin esa-stage\] reach staging: curl --resolve guard-routine\./);
  });

  it.each(VITES)(
    '%s: lines reach customLogger once with one prefix, and logLevel silent silences them',
    async (_name, build) => {
      const lines: string[] = [];
      await viteSsr(
        build,
        'src/index.js',
        { ...options(), logLevel: 'info' },
        { logLevel: 'info', customLogger: collectingViteLogger(lines) },
      );
      const ours = lines.filter((l) => l.includes('guard-routine ->'));
      expect(ours).toHaveLength(1);
      expect(ours[0]).toMatch(/\[plugin esa-stage\] guard-routine -> \d{19} on staging/);
      expect(ours[0]).not.toMatch(/esa-stage: /);
      const silent = await captureStream(process.stdout, () =>
        captureStream(process.stderr, () =>
          viteSsr(build, 'src/index.js', { ...options(), logLevel: 'info' }, { logLevel: 'silent' }),
        ),
      );
      expect(`${silent.text}${silent.value.text}`).not.toMatch(/esa-stage/);
    },
  );

  it('esbuild: info at its default level, none at logLevel warning, and a failOnError: false failure printed', async () => {
    const shown = await captureStream(process.stderr, () =>
      esbuildBuild({ logLevel: 'info' }, { ...options(), logLevel: 'info' }),
    );
    expect(shown.text).toMatch(/^\[plugin esa-stage\] guard-routine -> \d{19} on staging/m);
    const quiet = await captureStream(process.stderr, () =>
      esbuildBuild({ logLevel: 'warning' }, { ...options(), logLevel: 'info' }),
    );
    expect(quiet.text).toBe('');
    const before = serverState();
    const soft = await captureStream(process.stderr, () =>
      esbuildBuild(
        { format: 'cjs', logLevel: 'warning' },
        { ...options(), failOnError: false, logLevel: 'warn' },
      ),
    );
    expect(soft.text).toMatch(
      /\[WARNING\] publish failed, and failOnError is false so the build goes on: NotAnEsModule: .*\[plugin esa-stage\]/,
    );
    expect(soft.value.warnings.map((w) => w.text).join('\n')).toMatch(/NotAnEsModule/);
    expect(serverState().versions).toBe(before.versions);
  });
});

describe('a build that does not publish says why, in one line', () => {
  const rollupInfos = async (esa: RollupEsaStageOptions) => {
    const infos: string[] = [];
    await rollupBuild(src('index.js'), [{ dir: dist(), format: 'es' }], [rollupPlugin(esa)], {
      onLog: (level, log) => {
        if (log.plugin === 'esa-stage') infos.push(`${level}: ${log.message}`);
      },
    });
    return infos;
  };

  it('enabled: false and ESA_STAGE_DISABLED=1 send nothing and say so', async () => {
    const before = serverState();
    expect(await rollupInfos(options({ enabled: false, logLevel: 'info' }))).toEqual([
      'info: [plugin esa-stage] not publishing guard-routine: publishing is off (enabled: false)',
    ]);
    expect(
      await withEnv({ ESA_STAGE_DISABLED: '1' }, () => rollupInfos(options({ logLevel: 'info' }))),
    ).toEqual([
      'info: [plugin esa-stage] not publishing guard-routine: publishing is off (ESA_STAGE_DISABLED is set)',
    ]);
    expect(serverState().requests).toBe(before.requests);
  });

  it('an esbuild rebuild in a context without watch: true', async () => {
    const context = await esbuild.context({
      absWorkingDir: repo.dir,
      entryPoints: ['src/index.js'],
      bundle: true,
      format: 'esm',
      outdir: 'dist',
      logLevel: 'info',
      plugins: [esbuildPlugin({ ...options(), logLevel: 'info' })],
    });
    try {
      const { text } = await captureStream(process.stderr, async () => {
        await context.rebuild();
        await context.rebuild();
      });
      expect(text).toMatch(/\[plugin esa-stage\] guard-routine -> \d{19} on staging/);
      expect(text).toMatch(
        /\[plugin esa-stage\] not publishing guard-routine from a watch-mode build \(`watch: true` publishes each changed rebuild\)/,
      );
    } finally {
      await context.dispose();
    }
  });
});

describe('a fresh clone builds: no credentials outside CI warn once and publish nothing', () => {
  const noCredentials = () => {
    const { credentials: _none, ...rest } = options();
    return { ...rest, logLevel: 'warn' as const };
  };

  it('Rollup, Vite and esbuild succeed with one warning each; in CI the same build fails', async () => {
    const before = serverState();
    await withEnv({ CI: undefined }, async () => {
      const warnings: string[] = [];
      const plugin = rollupPlugin(noCredentials());
      for (let i = 0; i < 2; i++) {
        await rollupBuild(src('index.js'), [{ dir: dist(), format: 'es' }], [plugin], {
          onwarn: (w) => {
            warnings.push(w.message);
          },
        });
      }
      expect(warnings).toEqual([
        expect.stringMatching(
          /^\[plugin esa-stage\] no credentials found, so builds do not publish to guard-routine \(outside CI this is a warning; in CI it fails the build\)\. Set ALIBABA_CLOUD_ACCESS_KEY_ID/,
        ),
      ]);
      const viteLines: string[] = [];
      await viteSsr(vite8.build, 'src/index.js', noCredentials(), {
        logLevel: 'warn',
        customLogger: collectingViteLogger(viteLines),
      });
      expect(viteLines.filter((l) => l.includes('no credentials found'))).toHaveLength(1);
      const { text } = await captureStream(process.stderr, () =>
        esbuildBuild({ logLevel: 'warning' }, noCredentials()),
      );
      expect(text).toMatch(/\[WARNING\] no credentials found, so builds do not publish to guard-routine/);
    });
    expect(serverState().requests).toBe(before.requests);
    const inCi = await refused(() =>
      rollupBuild(src('index.js'), [{ dir: dist(), format: 'es' }], [rollupPlugin(noCredentials())]),
    );
    expect(inCi).toMatch(/CredentialsNotFound: /);
  });

  it('ESA_STAGE_DRY_RUN=1 turns a build into a dry run; a value it does not understand is named', async () => {
    const before = serverState();
    const infos: string[] = [];
    await withEnv({ ESA_STAGE_DRY_RUN: '1' }, () =>
      rollupBuild(
        src('index.js'),
        [{ dir: dist(), format: 'es' }],
        [rollupPlugin({ ...options(), logLevel: 'info' })],
        {
          onLog: (_level, log) => {
            if (log.plugin === 'esa-stage') infos.push(log.message);
          },
        },
      ),
    );
    expect(infos).toEqual([expect.stringMatching(/^\[plugin esa-stage\] dry run: would publish index\.js /)]);
    expect(serverState().requests).toBe(before.requests);
    const text = await withEnv({ ESA_STAGE_DRY_RUN: 'maybe' }, () =>
      refused(() => rollupBuild(src('index.js'), [{ dir: dist(), format: 'es' }], [rollupPlugin(options())])),
    );
    expect(text).toMatch(
      /InvalidConfig: env ESA_STAGE_DRY_RUN: must be 1 or 0 \(true\/false, yes\/no\), got "maybe"/,
    );
  });
});
