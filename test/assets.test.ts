import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EsaStageError, type PublishedResult, publishRoutine } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { esaStage as esbuildPlugin } from '@esa-stage/esbuild-plugin';
import { esaStage as rollupPlugin } from '@esa-stage/rollup-plugin';
import { esaStage as vitePlugin } from '@esa-stage/vite-plugin';
import * as esbuild from 'esbuild';
import * as rollup from 'rollup';
import * as vite8 from 'vite';
import * as vite7 from 'vite7';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from './helpers/capture-logger.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { emulatorEnv, emulatorPluginOptions } from './helpers/plugin-setup.js';
import { runNode } from './helpers/run-node.js';

// Routines with assets: one version holding the routine and the static files, from real builds of
// every bundler and the CLI, checked file by file in the emulator; the build poll, a failed build,
// unchanged content, SPA fallback, and esa-cli project files.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));
// A PNG header and some bytes: stored, not deflated, and byte-exact either way.
const IMAGE = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(2048, 7),
]);

let emulator: Emulator;
let repo: TempRepo;
let count = 0;
beforeAll(async () => {
  emulator = await startEmulator({ versionQuota: 100 });
  repo = await createTempRepo(
    {
      'src/routine.js':
        "import { greeting } from './greeting.js';\nexport default { async fetch(request) { return new Response(greeting(new URL(request.url).pathname)); } };\n",
      'src/greeting.js': "export const greeting = (path) => 'routine at ' + path;\n",
      'public/index.html': '<!doctype html><title>app</title><script type="module" src="/app.js"></script>\n',
      'public/app.js': "document.title = 'app';\n",
      'public/css/site.css': 'body { color: teal; }\n',
      'index.html':
        '<!doctype html>\n<html><body><img src="/src/logo.png"><script type="module" src="/src/main.js"></script></body></html>\n',
      'src/main.js': "import logo from './logo.png';\ndocument.body.append(logo);\n",
    },
    'feat: app with assets',
  );
  await writeFile(join(repo.dir, 'public/logo.png'), IMAGE);
  await writeFile(join(repo.dir, 'src/logo.png'), Buffer.concat([IMAGE, Buffer.alloc(8192, 1)]));
});
afterAll(async () => {
  await emulator.close();
  await repo.remove();
});
beforeEach(async () => {
  emulator.faults.clear();
  await rm(join(repo.dir, 'dist'), { recursive: true, force: true });
});

function newRoutine(): string {
  count += 1;
  const name = `assets-${count}`;
  emulator.state.createRoutine(name);
  return name;
}

const versionOf = (name: string, codeVersion: string) => {
  const routine = emulator.state.routines.get(name);
  return routine ? emulator.state.settleVersion(routine, codeVersion) : undefined;
};
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file under `dir`, relative, with `/`. */
async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(
      path
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
      await readFile(path),
    );
  }
  return files;
}

/** The stored version holds exactly this routine and these assets. */
async function expectVersion(name: string, codeVersion: string, routineFile: string, assetsDir: string) {
  const version = versionOf(name, codeVersion);
  expect(version?.status).toBe('available');
  expect(version?.routine?.equals(await readFile(routineFile))).toBe(true);
  const expected = await filesUnder(assetsDir);
  expect([...(version?.assets.keys() ?? [])].sort()).toEqual([...expected.keys()].sort());
  for (const [path, bytes] of expected)
    expect(sha(version?.assets.get(path) ?? Buffer.alloc(0)), path).toBe(sha(bytes));
  expect(emulator.state.routines.get(name)?.envs.get('staging')?.codeVersions).toEqual([
    { codeVersion, percentage: 100 },
  ]);
}

describe('one version with the routine and its static files', () => {
  it('Rollup with assets: { directory }', async () => {
    const name = newRoutine();
    const published: PublishedResult[] = [];
    const before = emulator.state.requests.length;
    const bundle = await rollup.rollup({
      input: join(repo.dir, 'src/routine.js'),
      plugins: [
        rollupPlugin({
          ...emulatorPluginOptions(emulator, name, repo.dir, published),
          assets: { directory: 'public' },
        }),
      ],
    });
    await bundle.write({ dir: join(repo.dir, 'dist'), format: 'es' });
    await bundle.close();
    const [result] = published;
    expect(result?.assets).toMatchObject({ files: 4 });
    await expectVersion(
      name,
      result?.codeVersion ?? '',
      join(repo.dir, 'dist/routine.js'),
      join(repo.dir, 'public'),
    );
    // The assets path: a version named up front, no staging slot, no commit.
    const actions = emulator.state.requests.slice(before).map((r) => r.action);
    expect(actions).toContain('CreateRoutineWithAssetsCodeVersion');
    expect(actions).not.toContain('CommitRoutineStagingCode');
  });

  it('esbuild, and the CLI in a new process with --assets and --not-found-strategy', async () => {
    const name = newRoutine();
    const published: PublishedResult[] = [];
    await esbuild.build({
      absWorkingDir: repo.dir,
      entryPoints: ['src/routine.js'],
      bundle: true,
      format: 'esm',
      outdir: 'dist',
      logLevel: 'silent',
      plugins: [
        esbuildPlugin({
          ...emulatorPluginOptions(emulator, name, repo.dir, published),
          assets: { directory: 'public' },
        }),
      ],
    });
    await expectVersion(
      name,
      published[0]?.codeVersion ?? '',
      join(repo.dir, 'dist/routine.js'),
      join(repo.dir, 'public'),
    );

    await writeFile(join(repo.dir, 'public/extra.txt'), 'one more\n');
    try {
      const run = await runNode(
        CLI,
        [
          'publish',
          'dist/routine.js',
          '--name',
          name,
          '--assets',
          'public',
          '--not-found-strategy',
          'singlePageApplication',
          '--json',
        ],
        {
          cwd: repo.dir,
          env: emulatorEnv(emulator),
        },
      );
      expect(run.stderr).not.toMatch(/error/);
      const result = JSON.parse(run.stdout) as PublishedResult;
      expect(result.status).toBe('published');
      await expectVersion(
        name,
        result.codeVersion,
        join(repo.dir, 'dist/routine.js'),
        join(repo.dir, 'public'),
      );
      expect(versionOf(name, result.codeVersion)?.notFoundStrategy).toMatch(/^singlepageapplication$/i);
    } finally {
      await rm(join(repo.dir, 'public/extra.txt'));
    }
  });

  it.each([
    ['Vite 7', vite7.createBuilder as unknown as typeof vite8.createBuilder],
    ['Vite 8', vite8.createBuilder],
  ])(
    '%s: one app build (client + ssr) publishes the client build as assets, with no extra option',
    async (_name, createBuilder) => {
      const name = newRoutine();
      const published: PublishedResult[] = [];
      const builder = await createBuilder({
        root: repo.dir,
        configFile: false,
        logLevel: 'silent',
        builder: {},
        plugins: [vitePlugin(emulatorPluginOptions(emulator, name, repo.dir, published))],
        environments: {
          client: { build: { outDir: join(repo.dir, 'dist/client') } },
          ssr: {
            resolve: { noExternal: true },
            build: {
              outDir: join(repo.dir, 'dist/routine'),
              rollupOptions: {
                input: join(repo.dir, 'src/routine.js'),
                output: { entryFileNames: 'index.js' },
              },
            },
          },
        },
      });
      await builder.buildApp();
      expect(published).toHaveLength(1);
      const client = await filesUnder(join(repo.dir, 'dist/client'));
      expect([...client.keys()].some((p) => p.endsWith('.png'))).toBe(true);
      expect(client.has('index.html')).toBe(true);
      await expectVersion(
        name,
        published[0]?.codeVersion ?? '',
        join(repo.dir, 'dist/routine/index.js'),
        join(repo.dir, 'dist/client'),
      );
    },
  );
});

describe('assets alone (routine: false)', () => {
  it('a Vite SPA publishes its build as a version of assets only, with the SPA fallback', async () => {
    const name = newRoutine();
    const published: PublishedResult[] = [];
    await vite8.build({
      root: repo.dir,
      configFile: false,
      logLevel: 'silent',
      plugins: [
        vitePlugin({ ...emulatorPluginOptions(emulator, name, repo.dir, published), routine: false }),
      ],
      build: { outDir: join(repo.dir, 'dist/spa') },
    });
    expect(published).toHaveLength(1);
    const version = versionOf(name, published[0]?.codeVersion ?? '');
    expect(version?.status).toBe('available');
    expect(version?.routine).toBeUndefined();
    const built = await filesUnder(join(repo.dir, 'dist/spa'));
    expect([...(version?.assets.keys() ?? [])].sort()).toEqual([...built.keys()].sort());
    expect(version?.assets.get('index.html')?.equals(built.get('index.html') ?? Buffer.alloc(1))).toBe(true);
  });

  it('routine: false without assets, or with the single-file pipeline, is refused', async () => {
    const name = newRoutine();
    const base = { name, endpoint: emulator.endpoint, logLevel: 'silent' as const };
    const chunk = { fileName: 'x.js', isEntry: true, source: { bytes: new Uint8Array([1]) } };
    await expect(publishRoutine({ ...base, routine: false }, chunk, { cwd: repo.dir })).rejects.toMatchObject(
      {
        code: 'AssetsEmpty',
      },
    );
    await expect(
      publishRoutine(
        { ...base, routine: false, pipeline: 'single-file', assets: { directory: 'public' } },
        chunk,
        {
          cwd: repo.dir,
        },
      ),
    ).rejects.toMatchObject({ code: 'InvalidConfig' });
  });
});

describe('the build of a version with assets', () => {
  const publish = (name: string, extra: Record<string, unknown> = {}, env = emulator) => {
    const logger = captureLogger();
    return {
      logger,
      run: publishRoutine(
        {
          name,
          endpoint: env.endpoint,
          credentials: {
            accessKeyId: env.credentials.accessKeyId,
            accessKeySecret: env.credentials.accessKeySecret,
          },
          cwd: repo.dir,
          logger,
          logLevel: 'info',
          assets: { directory: join(repo.dir, 'public') },
          ...extra,
        },
        {
          fileName: 'routine.js',
          isEntry: true,
          source: {
            bytes: new TextEncoder().encode('export default { fetch() { return new Response("r"); } };\n'),
          },
        },
        { cwd: repo.dir },
      ),
    };
  };

  it('waits while ESA builds the version (init), then deploys it', async () => {
    const slow = await startEmulator({ routines: ['slow'], assetsReadyDelayMs: 700 });
    try {
      const started = Date.now();
      const result = (await publish('slow', {}, slow).run) as PublishedResult;
      expect(Date.now() - started).toBeGreaterThanOrEqual(650);
      const infos = slow.state.requests.filter((r) => r.action === 'GetRoutineCodeVersionInfo');
      expect(infos.length).toBeGreaterThanOrEqual(2);
      expect(slow.state.routines.get('slow')?.envs.get('staging')?.codeVersions[0]?.codeVersion).toBe(
        result.codeVersion,
      );
    } finally {
      await slow.close();
    }
  });

  it('a build ESA fails is a clear failure: the version is deleted and nothing deployed', async () => {
    const name = newRoutine();
    emulator.faults.inject({ assetsBuild: true, message: 'bad asset', times: 1 });
    const error = (await publish(name).run.catch((e: unknown) => e)) as EsaStageError;
    expect(error.code).toBe('VersionBuildFailed');
    expect(error.message).toMatch(
      /its status is failed .*so far: this publish created version (\d{19}); it deleted version \1/i,
    );
    expect(emulator.state.routines.get(name)?.versions.size).toBe(0);
    expect(emulator.state.routines.get(name)?.envs.size).toBe(0);
  });

  it('a poll that fails for a moment is asked again, not read as a failed build', async () => {
    const name = newRoutine();
    emulator.faults.inject({
      action: 'GetRoutineCodeVersionInfo',
      status: 503,
      code: 'ServiceUnavailable',
      times: 5,
    });
    const result = (await publish(name, { retries: 1 }).run) as PublishedResult;
    expect(result.status).toBe('published');
  });

  it('the same content again makes no version; a changed asset does', async () => {
    const name = newRoutine();
    const first = (await publish(name).run) as PublishedResult;
    const again = (await publish(name).run) as PublishedResult;
    expect(again).toMatchObject({ status: 'unchanged', codeVersion: first.codeVersion, versionsCreated: [] });
    await writeFile(join(repo.dir, 'public/css/site.css'), 'body { color: red; }\n');
    try {
      const changed = (await publish(name).run) as PublishedResult;
      expect(changed.status).toBe('published');
      expect(changed.codeVersion).not.toBe(first.codeVersion);
    } finally {
      await writeFile(join(repo.dir, 'public/css/site.css'), 'body { color: teal; }\n');
    }
  });

  it("pipeline: 'assets' publishes a lone routine without the shared staging slot", async () => {
    const name = newRoutine();
    const before = emulator.state.requests.length;
    const result = (await publish(name, { assets: undefined, pipeline: 'assets' }).run) as PublishedResult;
    const actions = emulator.state.requests.slice(before).map((r) => r.action);
    expect(actions).toContain('CreateRoutineWithAssetsCodeVersion');
    expect(actions).not.toContain('GetRoutineStagingCodeUploadInfo');
    expect(versionOf(name, result.codeVersion)?.assets.size).toBe(0);
    expect(versionOf(name, result.codeVersion)?.routine?.toString()).toContain('Response("r")');
  });
});

describe('esa-cli projects need no options', () => {
  it.each([
    [
      'esa.jsonc',
      '// esa-cli project\n{ "name": "NAME", "entry": "./dist/routine.js", "assets": { "directory": "./public", "notFoundStrategy": "404Page" }, }\n',
    ],
    [
      'esa.toml',
      'name = "NAME"\nentry = "./dist/routine.js"\n\n[assets]\ndirectory = "./public"\nnotFoundStrategy = "404Page"\n',
    ],
  ])('%s gives the CLI the routine, the entry and the assets', async (file, text) => {
    const name = newRoutine();
    const dir = await mkdtemp(join(tmpdir(), 'esa-stage-project-'));
    try {
      await mkdir(join(dir, 'dist'));
      await writeFile(
        join(dir, 'dist/routine.js'),
        'export default { fetch() { return new Response("p"); } };\n',
      );
      await mkdir(join(dir, 'public'));
      await writeFile(join(dir, 'public/404.html'), 'not here\n');
      await writeFile(join(dir, file), text.replace('NAME', name));
      const run = await runNode(CLI, ['publish', '--json'], {
        cwd: dir,
        env: emulatorEnv(emulator),
      });
      expect(run.stderr).not.toMatch(/error/);
      const result = JSON.parse(run.stdout) as PublishedResult;
      expect(result.name).toBe(name);
      await expectVersion(name, result.codeVersion, join(dir, 'dist/routine.js'), join(dir, 'public'));
      expect(versionOf(name, result.codeVersion)?.notFoundStrategy).toMatch(/^404page$/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the project file's endpoint is where requests go, after the option and ESA_ENDPOINT", async () => {
    const name = newRoutine();
    const dir = await mkdtemp(join(tmpdir(), 'esa-stage-project-'));
    const { ESA_ENDPOINT: _unset, ...credentials } = emulatorEnv(emulator);
    const cli = (args: string[], env: Record<string, string> = credentials) =>
      runNode(CLI, [...args, '--json'], { cwd: dir, env });
    try {
      await mkdir(join(dir, 'dist'));
      await writeFile(
        join(dir, 'dist/index.js'),
        'export default { fetch() { return new Response("e"); } };\n',
      );
      // No ESA_ENDPOINT: without the file's endpoint this would go to cn-hangzhou and fail offline.
      await writeFile(
        join(dir, 'esa.jsonc'),
        `{ "name": "${name}", "entry": "./dist/index.js", "endpoint": "${emulator.endpoint}/" }\n`,
      );
      const published = await cli(['publish', '-d', 'project endpoint']);
      expect(published.code, published.stderr).toBe(0);
      const result = JSON.parse(published.stdout) as PublishedResult;
      expect(result.endpoint).toBe(emulator.endpoint);
      expect(emulator.state.routines.get(name)?.versions.has(result.codeVersion)).toBe(true);
      const listed = await cli(['versions', 'list']);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain(result.codeVersion);

      // esa-cli writes a bare host, which means https; ESA_ENDPOINT and the option win over it.
      await rm(join(dir, 'esa.jsonc'));
      await writeFile(
        join(dir, 'esa.toml'),
        `name = "${name}"\nendpoint = "esa.ap-southeast-1.aliyuncs.com"\n`,
      );
      const plan = async (args: string[], env?: Record<string, string>) =>
        (
          JSON.parse((await cli(['publish', 'dist/index.js', '--dry-run', ...args], env)).stdout) as {
            endpoint: string;
          }
        ).endpoint;
      expect(await plan([])).toBe('https://esa.ap-southeast-1.aliyuncs.com');
      expect(await plan([], emulatorEnv(emulator))).toBe(emulator.endpoint);
      expect(await plan(['--endpoint', 'https://esa.cn-hangzhou.aliyuncs.com'])).toBe(
        'https://esa.cn-hangzhou.aliyuncs.com',
      );

      await writeFile(join(dir, 'esa.toml'), `name = "${name}"\nendpoint = "http://esa.example.com"\n`);
      const refused = await runNode(CLI, ['publish', 'dist/index.js', '--dry-run'], {
        cwd: dir,
        env: credentials,
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /ProjectConfigInvalid: .*esa\.toml endpoint.*plain http to a non-loopback host/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
