import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
       console.log(JSON.stringify({ versions, stored: [...routine.versions.keys()], staging: routine.envs.get('staging')?.codeVersion }));
       await emulator.close();`,
    );
    const result = JSON.parse(out) as { versions: string[]; stored: string[]; staging: string };
    expect(result.versions).toHaveLength(3);
    expect(result.stored).toEqual(result.versions);
    expect(result.staging).toBe(result.versions[2]);
  });

  it.each(PACKAGES)('%s passes publint and @arethetypeswrong/cli (ESM-only profile)', async (pkg) => {
    const tarball = join(project, tarballs.get(`@esa-stage/${pkg}`) ?? '');
    const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);
    const lint = await run(bin('publint'), [tarball, '--strict'], { cwd: project });
    expect(lint.stdout).toContain('All good!');
    // Exits non-zero on any problem; ESM-only packages are judged for ESM and bundler resolution.
    await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], { cwd: project });
  });
});
