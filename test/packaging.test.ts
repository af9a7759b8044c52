import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  access,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from './helpers/git-repo.js';

// The packages as users meet them: packed, installed with npm into a project outside the
// workspace, imported from ESM and require()d from CommonJS on this Node, used in real builds,
// and checked by publint and @arethetypeswrong/cli.

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['core', 'emulator', 'rollup-plugin', 'vite-plugin', 'esbuild-plugin'] as const;
const NAMES = PACKAGES.map((p) => `@esa-stage/${p}`);

let project: string;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const tarballs = new Map<string, string>();

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'esa-stage-consumer-'));
  for (const pkg of PACKAGES) {
    const before = new Set(await readdir(project));
    await run('pnpm', ['pack', '--pack-destination', project], { cwd: join(ROOT, 'packages', pkg) });
    const made = (await readdir(project)).find((f) => !before.has(f) && f.endsWith('.tgz'));
    if (!made) throw new Error(`pnpm pack made no tarball for ${pkg}`);
    tarballs.set(`@esa-stage/${pkg}`, made);
  }
  const dependencies = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:./${file}`]));
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'esa-stage-consumer',
      private: true,
      type: 'module',
      dependencies,
      // The tarballs depend on each other by version; point those at the tarballs too.
      overrides: Object.fromEntries(NAMES.map((n) => [n, `$${n}`])),
    }),
  );
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    {
      cwd: project,
      timeout: 240_000,
    },
  );
  // npm installs the plugins' required peers (vite, esbuild) as users get them; a bundler it did
  // not install (rollup is an optional peer) is linked in from the workspace.
  for (const bundler of ['rollup', 'esbuild', 'vite']) {
    const target = join(project, 'node_modules', bundler);
    if (!(await exists(target)))
      await symlink(await realpath(join(ROOT, 'test/node_modules', bundler)), target, 'dir');
  }
}, 300_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

async function node(script: string, source: string): Promise<string> {
  await writeFile(join(project, script), source);
  const { stdout } = await run(process.execPath, [script], {
    cwd: project,
    env: { PATH: process.env.PATH ?? '', HOME: project, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    timeout: 120_000,
  });
  return stdout.trim();
}

describe('packed packages installed outside the workspace', () => {
  it('import from ESM', async () => {
    const out = await node(
      'esm.mjs',
      `const names = ${JSON.stringify(NAMES)};
       const shapes = {};
       for (const name of names) shapes[name] = Object.keys(await import(name)).sort();
       const signing = await import('@esa-stage/core/signing');
       shapes.signing = typeof signing.computeAcs3Signature;
       console.log(JSON.stringify(shapes));`,
    );
    const shapes = JSON.parse(out) as Record<string, unknown>;
    expect(shapes['@esa-stage/core']).toEqual(
      expect.arrayContaining(['publishRoutine', 'checkPublishConfig', 'PublishSession', 'EsaError']),
    );
    expect(shapes['@esa-stage/rollup-plugin']).toEqual(expect.arrayContaining(['esaStage', 'default']));
    expect(shapes['@esa-stage/vite-plugin']).toEqual(expect.arrayContaining(['esaStage', 'default']));
    expect(shapes['@esa-stage/esbuild-plugin']).toEqual(expect.arrayContaining(['esaStage', 'default']));
    expect(shapes['@esa-stage/emulator']).toEqual(expect.arrayContaining(['startEmulator']));
    expect(shapes.signing).toBe('function');
  });

  it(`are require()d from CommonJS on Node ${process.versions.node}`, async () => {
    const out = await node(
      'cjs.cjs',
      `const names = ${JSON.stringify(NAMES)};
       console.log(JSON.stringify(names.map((n) => [n, typeof (require(n).esaStage ?? require(n).publishRoutine ?? require(n).startEmulator)])));`,
    );
    expect(JSON.parse(out)).toEqual(NAMES.map((n) => [n, 'function']));
  });

  it('publish from real Rollup, Vite and esbuild builds to the packed emulator', async () => {
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(
      join(project, 'src/index.js'),
      'export default { fetch: () => new Response("packed") };\n',
    );
    const out = await node(
      'build.mjs',
      `import { startEmulator } from '@esa-stage/emulator';
       import { esaStage as rollupPlugin } from '@esa-stage/rollup-plugin';
       import { esaStage as vitePlugin } from '@esa-stage/vite-plugin';
       import esbuildPlugin from '@esa-stage/esbuild-plugin';
       import { rollup } from 'rollup';
       import { build as viteBuild } from 'vite';
       import { build as esbuild } from 'esbuild';
       const emulator = await startEmulator({ routines: ['packed'] });
       const versions = [];
       const options = { name: 'packed', endpoint: emulator.endpoint, credentials: { accessKeyId: emulator.credentials.accessKeyId, accessKeySecret: emulator.credentials.accessKeySecret }, description: 'packed build', logLevel: 'silent', onPublished: (r) => versions.push(r.codeVersion) };
       const bundle = await rollup({ input: 'src/index.js', plugins: [rollupPlugin(options)] });
       await bundle.write({ dir: 'out/rollup', format: 'es' });
       await bundle.close();
       await viteBuild({ configFile: false, logLevel: 'silent', plugins: [vitePlugin(options)], build: { ssr: 'src/index.js', outDir: 'out/vite' } });
       await esbuild({ entryPoints: ['src/index.js'], bundle: true, format: 'esm', outdir: 'out/esbuild', logLevel: 'silent', plugins: [esbuildPlugin(options)] });
       const routine = emulator.state.routines.get('packed');
       console.log(JSON.stringify({ versions, stored: [...routine.versions.keys()], staging: routine.envs.get('staging')?.codeVersions[0]?.codeVersion }));
       await emulator.close();`,
    );
    const result = JSON.parse(out) as { versions: string[]; stored: string[]; staging: string };
    expect(result.versions).toHaveLength(3);
    expect(result.stored).toEqual(result.versions);
    expect(result.staging).toBe(result.versions[2]);
  });

  it("follows README's npm emulator quick start: start it, eval its exports, publish, inject a fault", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Testing offline'), readme.indexOf('## Troubleshooting'));
    const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap(([, block]) => (block ?? '').replace(/\\\n\s*/g, ' ').split('\n'))
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line !== '');
    const start = commands.find((c) => c.startsWith('npx esa-stage-emulator'));
    const pointShell = commands.find((c) => c.startsWith('eval "$(npx esa-stage-emulator --print-env)"'));
    expect(pointShell).toBeDefined();
    const publishes = commands.filter((c) => c.startsWith('npx esa-stage publish'));
    const fault = /-d '([^']+)'/.exec(commands.find((c) => c.includes('/__emulator/faults')) ?? '')?.[1];
    expect(start).toBeDefined();
    expect(publishes).toHaveLength(2);
    expect(fault).toBeDefined();

    const dir = join(project, 'readme-emulator');
    await mkdir(join(dir, 'dist'), { recursive: true });
    await writeFile(join(dir, 'dist/index.js'), 'export default { fetch: () => new Response("readme") };\n');
    const baseEnv = { PATH: process.env.PATH ?? '', HOME: dir, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' };
    // Its own process group: npx runs the bin as a child and does not pass SIGTERM on, so the group
    // is stopped at the end, as Ctrl-C stops a terminal's foreground group.
    const server = spawn('sh', ['-c', `exec ${start}`], {
      cwd: dir,
      env: baseEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let serverErr = '';
    server.stderr.on('data', (c: Buffer) => {
      serverErr += c.toString();
    });
    try {
      // Terminal 1: the three export lines it prints.
      const exported: Record<string, string> = {};
      for await (const line of createInterface({ input: server.stdout })) {
        const match = /^\s*export ([A-Z_]+)=(\S+)$/.exec(line);
        if (match?.[1] && match[2]) exported[match[1]] = match[2];
        if (line.startsWith('Stop with')) break;
      }
      expect(Object.keys(exported).sort(), serverErr).toEqual([
        'ALIBABA_CLOUD_ACCESS_KEY_ID',
        'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        'ESA_ENDPOINT',
      ]);
      // Terminal 2: the README's commands after its eval line (the fault is POSTed as its curl does).
      const sh = (command: string) =>
        run('sh', ['-c', `${pointShell} && ${command}`], { cwd: dir, env: baseEnv }).then(
          (r) => ({ code: 0, stderr: r.stderr }),
          (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
        );
      const first = await sh(publishes[0] ?? '');
      expect(first.code, first.stderr).toBe(0);
      // The staging edge ran the routine, over TLS trusted through the CA the eval line names.
      expect(first.stderr).toMatch(/staging answered GET \/ with 200 in \d+ ms: "readme"/);
      const injected = await fetch(`${exported.ESA_ENDPOINT}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: fault ?? '',
      });
      expect(injected.ok).toBe(true);
      const denied = await sh(publishes[1] ?? '');
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/Forbidden\.RAM.*Hint: /);
      const routine = (await (
        await fetch(`${exported.ESA_ENDPOINT}/__emulator/routines/my-routine`)
      ).json()) as {
        versions: { description: string }[];
      };
      expect(routine.versions.map((v) => v.description)).toEqual(['first try']);
    } finally {
      if (server.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
    }
  });

  describe('as a new user builds with them, against the emulator', () => {
    let emulator: Emulator;
    beforeAll(async () => {
      emulator = await startEmulator({ routines: ['my-routine'] });
    });
    afterAll(async () => {
      await emulator.close();
    });

    const versions = () => [...(emulator.state.routines.get('my-routine')?.versions.values() ?? [])];

    /** Runs a command of the project's own installed packages, as `npx` would, in `cwd`. */
    const command = (cwd: string, script: string, args: string[]) =>
      run(process.execPath, [join(project, 'node_modules', script), ...args], {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: cwd,
          CI: 'true',
          ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
          ESA_ENDPOINT: emulator.endpoint,
          ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
        },
        timeout: 120_000,
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );

    const SPA_FILES: Record<string, string> = {
      'index.html':
        '<!doctype html>\n<html><body><div id="app"></div><script type="module" src="/src/main.js"></script></body></html>\n',
      'src/main.js': "document.querySelector('#app').textContent = 'Hello from the page';\n",
      'src/greeting.js': "export const greeting = (path) => 'routine at ' + path;\n",
      'src/routine.js':
        "import { greeting } from './greeting.js';\nexport default {\n  async fetch(request) {\n    return new Response(greeting(new URL(request.url).pathname));\n  },\n};\n",
    };

    async function app(name: string, config: string): Promise<string> {
      const dir = join(project, name);
      for (const [path, content] of Object.entries({ ...SPA_FILES, 'vite.config.js': config })) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      git(dir, 'init', '-q', '-b', 'main');
      git(dir, 'add', '.');
      git(dir, 'commit', '-q', '-m', `feat: ${name}`);
      return dir;
    }

    it("README's SPA + routine recipe: one `vite build` publishes the routine with the page as its assets", async () => {
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      const recipe = /<!-- spa-recipe:start[^>]*-->\n```js\n([\s\S]*?)```\n<!-- spa-recipe:end -->/.exec(
        readme,
      )?.[1];
      expect(recipe).toBeDefined();
      expect(readFileSync(join(ROOT, 'packages/vite-plugin/README.md'), 'utf8')).toContain(recipe);
      const dir = await app('spa-routine', recipe ?? '');
      const before = versions().length;
      const { code, stdout, stderr } = await command(dir, 'vite/bin/vite.js', ['build']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/not publishing from Vite environment "client": esa-stage publishes from "ssr"/);
      expect(
        stdout.match(
          /^\[plugin esa-stage\] my-routine -> \d{19} on staging .* "[0-9a-f]{7} feat: spa-routine"$/gm,
        ),
      ).toHaveLength(1);
      const made = versions().slice(before);
      expect(made).toHaveLength(1);
      expect(made[0]?.bytes.equals(await readFile(join(dir, 'dist/routine/index.js')))).toBe(true);
      expect(made[0]?.bytes.toString()).toContain('routine at');
      expect(made[0]?.bytes.toString()).not.toContain('querySelector');
      // The page is the version's assets: every file of dist/client, byte for byte.
      const client = (await readdir(join(dir, 'dist/client'), { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(join(dir, 'dist/client').length + 1));
      expect(client).toContain('index.html');
      expect([...(made[0]?.assets.keys() ?? [])].sort()).toEqual(client.sort());
      for (const file of client) {
        expect(made[0]?.assets.get(file)?.equals(await readFile(join(dir, 'dist/client', file))), file).toBe(
          true,
        );
      }
      expect(
        emulator.state.routines.get('my-routine')?.envs.get('staging')?.codeVersions[0]?.codeVersion,
      ).toBe(made[0]?.codeVersion);
    });

    it('a plain SPA config fails with BrowserBuild and the recipe, and publishes nothing', async () => {
      const dir = await app(
        'spa-only',
        "import { esaStage } from '@esa-stage/vite-plugin';\nimport { defineConfig } from 'vite';\n\nexport default defineConfig({ plugins: [esaStage({ name: 'my-routine' })] });\n",
      );
      const before = versions().length;
      const { code, stderr } = await command(dir, 'vite/bin/vite.js', ['build']);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /BrowserBuild: assets\/index-[\w-]+\.js comes from a browser build \(the build wrote index\.html\)/,
      );
      expect(stderr).toMatch(/Hint: .*`build: \{ ssr: "src\/index\.js" \}`.*SPA \+ routine/);
      expect(stderr).not.toMatch(/inlineDynamicImports|codeSplitting/);
      expect(versions()).toHaveLength(before);
    });

    it('esbuild CommonJS and IIFE output, and the CLI given a script, publish nothing', async () => {
      const dir = await app('esbuild-formats', '');
      const before = versions().length;
      await writeFile(
        join(dir, 'build.mjs'),
        `import { esaStage } from '@esa-stage/esbuild-plugin';
         import { build } from 'esbuild';
         const format = process.argv[2] === 'default' ? {} : { format: process.argv[2] };
         await build({ entryPoints: ['src/routine.js'], bundle: true, ...format, outdir: 'out', logLevel: 'error', plugins: [esaStage({ name: 'my-routine' })] });`,
      );
      for (const format of ['cjs', 'default']) {
        const { code, stderr } = await run(process.execPath, ['build.mjs', format], {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: dir,
            CI: 'true',
            ESA_ENDPOINT: emulator.endpoint,
            ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
          },
        }).then(
          ({ stderr: err }) => ({ code: 0, stderr: err }),
          (error: { code: number; stderr: string }) => error,
        );
        expect(code, format).toBe(1);
        expect(stderr, format).toMatch(
          /NotAnEsModule: routine\.js is not an ES module .*Hint: set `format: "esm"`/,
        );
      }
      const cli = await command(dir, '@esa-stage/core/dist/cli/bin.js', [
        'publish',
        'src/main.js',
        '--name',
        'my-routine',
      ]);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/^esa-stage: error BrowserBuild: main\.js is a page script/);
      expect(versions()).toHaveLength(before);
    });
  });

  it.each(PACKAGES)(
    '%s ships its LICENSE, and every source map points at a file in the package',
    async (pkg) => {
      const installed = join(project, 'node_modules/@esa-stage', pkg);
      expect(await readFile(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
      const maps = (await readdir(join(installed, 'dist'), { recursive: true })).filter((f) =>
        f.endsWith('.map'),
      );
      expect(maps.length).toBeGreaterThan(0);
      const missing: string[] = [];
      for (const map of maps) {
        const { sources } = JSON.parse(await readFile(join(installed, 'dist', map), 'utf8')) as {
          sources: string[];
        };
        for (const source of sources) {
          const target = join(installed, 'dist', map, '..', source);
          if (!(await exists(target))) missing.push(`${map} -> ${source}`);
        }
      }
      expect(missing).toEqual([]);
    },
  );

  it.each(PACKAGES)('%s passes publint and @arethetypeswrong/cli (ESM-only profile)', async (pkg) => {
    const tarball = join(project, tarballs.get(`@esa-stage/${pkg}`) ?? '');
    const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);
    const lint = await run(bin('publint'), [tarball, '--strict'], { cwd: project });
    expect(lint.stdout).toContain('All good!');
    // Exits non-zero on any problem; ESM-only packages are judged for ESM and bundler resolution.
    await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], { cwd: project });
  });
});
