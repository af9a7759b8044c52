import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from './helpers/git-repo.js';

// The release flow of docs/releasing.md, run for real in a copy of the workspace: a changeset for
// @esa-stage/core, `changeset version` (plus the version-packages sync step), then `changeset
// publish` to a registry on 127.0.0.1 that keeps what it is sent. No network, no npm account.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PUBLIC = ['core', 'emulator', 'rollup-plugin', 'vite-plugin', 'esbuild-plugin'] as const;
const PRIVATE = ['playground', 'test'] as const;
/** The `fixed` group of .changeset/config.json: always released together, at one version. */
const FIXED = ['core', 'rollup-plugin', 'vite-plugin', 'esbuild-plugin'];
const SUMMARY = 'Retry a dropped OSS upload once more (release test).';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}
interface PublishBody {
  name: string;
  access?: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, Manifest>;
  _attachments: Record<string, { data: string }>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const pkgDir = (name: string) => (name === 'playground' || name === 'test' ? name : `packages/${name}`);

/** The files of a .tgz, by path inside it (npm tarballs are plain ustar under `package/`). */
function untar(tgz: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(tgz);
  const files = new Map<string, Buffer>();
  let paxPath: string | undefined;
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const field = (start: number, length: number) =>
      tar.toString('utf8', at + start, at + start + length).replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = tar.subarray(at + 512, at + 512 + size);
    if (type === 'x') paxPath = /^\d+ path=(.*)$/m.exec(body.toString('utf8'))?.[1];
    else if (type === '0' || type === '') {
      const prefix = field(345, 155);
      files.set(paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100)), body);
      paxPath = undefined;
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** An npm registry that knows no package (GET: 404) and accepts every publish (PUT: 200). */
async function startRegistry() {
  const published = new Map<string, PublishBody>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
      res.setHeader('content-type', 'application/json');
      if (req.method === 'PUT') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PublishBody;
        published.set(body.name, body);
        res.end('{"ok":true}');
      } else {
        res.statusCode = 404;
        res.end('{"error":"Not found"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    published,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let dir: string;
let registry: Awaited<ReturnType<typeof startRegistry>>;
let before: string;
let next: string;
let emulatorBefore: string;
let commitSha: string;
const original = new Map<string, string>();

/** Runs a command in the copy, without blocking the registry this process serves. */
function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: dir,
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          npm_config_registry: registry.url,
          pnpm_config_registry: registry.url,
          npm_config_update_notifier: 'false',
          GIT_AUTHOR_NAME: 'esa-stage test',
          GIT_AUTHOR_EMAIL: 'test@example.com',
          GIT_COMMITTER_NAME: 'esa-stage test',
          GIT_COMMITTER_EMAIL: 'test@example.com',
          GIT_CONFIG_NOSYSTEM: '1',
        },
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

const copied = (path: string) => readFileSync(join(dir, path), 'utf8');
const changeset = join(ROOT, 'node_modules/.bin/changeset');

beforeAll(async () => {
  for (const pkg of PUBLIC) {
    if (!existsSync(join(ROOT, 'packages', pkg, 'dist/index.js')))
      throw new Error(`packages/${pkg}/dist is not built: run \`pnpm build\` (pnpm test does) first`);
  }
  registry = await startRegistry();
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-release-'));
  // What changesets and pnpm read: the workspace, the lockfile (how changesets knows to publish
  // with pnpm), the config (not pending changesets: this test writes its own), and each package as
  // it would be published. node_modules is the root's, for the changeset CLI and its changelog.
  for (const file of ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml']) {
    await cp(join(ROOT, file), join(dir, file));
  }
  for (const file of ['config.json', 'README.md', 'sync-core-version.mjs']) {
    await cp(join(ROOT, '.changeset', file), join(dir, '.changeset', file));
  }
  for (const pkg of [...PUBLIC, ...PRIVATE]) {
    await mkdir(join(dir, pkgDir(pkg)), { recursive: true });
    await cp(join(ROOT, pkgDir(pkg), 'package.json'), join(dir, pkgDir(pkg), 'package.json'));
  }
  for (const pkg of PUBLIC) {
    for (const file of ['CHANGELOG.md', 'README.md', 'LICENSE']) {
      await cp(join(ROOT, 'packages', pkg, file), join(dir, 'packages', pkg, file));
    }
    await cp(join(ROOT, 'packages', pkg, 'dist'), join(dir, 'packages', pkg, 'dist'), {
      recursive: true,
      filter: (src) => !src.endsWith('.tsbuildinfo'),
    });
  }
  await cp(join(ROOT, 'packages/core/src/version.ts'), join(dir, 'packages/core/src/version.ts'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, '.gitignore'), 'node_modules\ndist/\n.npmrc\n.npm/\n.cache/\n.local/\n');
  // pnpm 12 reads its registry from .npmrc (or pnpm_config_*), not from the npm_config_registry
  // that changesets sets for it; npm (`npm info`) is given it on its command line.
  await writeFile(
    join(dir, '.npmrc'),
    `registry=${registry.url}\n//127.0.0.1:${new URL(registry.url).port}/:_authToken=test\n`,
  );
  for (const path of [
    ...[...PUBLIC, ...PRIVATE].map((p) => `${pkgDir(p)}/package.json`),
    ...PUBLIC.map((p) => `packages/${p}/CHANGELOG.md`),
    'pnpm-lock.yaml',
  ]) {
    original.set(path, copied(path));
  }
  before = readJson<Manifest>(join(dir, 'packages/core/package.json')).version;
  emulatorBefore = readJson<Manifest>(join(dir, 'packages/emulator/package.json')).version;
  expect(before).toMatch(/^\d+\.\d+\.\d+$/);
  const [major, minor, patch] = before.split('.');
  next = `${major}.${minor}.${Number(patch) + 1}`;

  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'chore: the workspace');
  // As a pull request adds it (`pnpm changeset`): committed, so the changelog can name the commit.
  await writeFile(
    join(dir, '.changeset/release-test.md'),
    `---\n'@esa-stage/core': patch\n---\n\n${SUMMARY}\n`,
  );
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'fix(core): a patch with its changeset');
  commitSha = git(dir, 'rev-parse', '--short', 'HEAD');

  // `pnpm version-packages` without its `pnpm install --lockfile-only` (which asks the registry).
  const version = await run(changeset, ['version']);
  expect(version.code, version.stderr).toBe(0);
  const sync = await run(process.execPath, ['.changeset/sync-core-version.mjs']);
  expect(sync.code, sync.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await registry?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('changeset version (a patch changeset for @esa-stage/core)', () => {
  it('bumps core and the plugins of its fixed group to the next patch; the emulator and private packages are untouched', () => {
    for (const pkg of FIXED) {
      expect(readJson<Manifest>(join(dir, 'packages', pkg, 'package.json')).version, pkg).toBe(next);
    }
    for (const path of ['packages/emulator/package.json', 'packages/emulator/CHANGELOG.md']) {
      expect(copied(path), path).toBe(original.get(path));
    }
    for (const pkg of PRIVATE) {
      const path = `${pkg}/package.json`;
      expect(copied(path), path).toBe(original.get(path));
      expect(readJson<Manifest>(join(dir, path)).private).toBe(true);
    }
  });

  it("writes core's CHANGELOG entry, with the changeset's commit, above the previous one", () => {
    const log = copied('packages/core/CHANGELOG.md');
    expect(
      log.startsWith(`# @esa-stage/core\n\n## ${next}\n\n### Patch Changes\n\n- ${commitSha}: ${SUMMARY}\n`),
    ).toBe(true);
    expect(log.indexOf(`## ${next}`)).toBeLessThan(log.indexOf(`## ${before}`));
    const previous = original.get('packages/core/CHANGELOG.md') ?? '';
    expect(log.endsWith(previous.slice(previous.indexOf('\n## ')))).toBe(true);
    // The plugins say which release of core they moved with.
    for (const pkg of FIXED.filter((p) => p !== 'core')) {
      const entry = copied(`packages/${pkg}/CHANGELOG.md`);
      expect(entry, pkg).toMatch(
        new RegExp(`^# @esa-stage/${pkg}\\n\\n## ${next}\\n\\n### Patch Changes\\n`),
      );
      expect(entry, pkg).toContain(`  - @esa-stage/core@${next}\n`);
    }
  });

  it("consumes the changeset, keeps the workspace:^ ranges, and sets core's VERSION", () => {
    expect(existsSync(join(dir, '.changeset/release-test.md'))).toBe(false);
    for (const pkg of PUBLIC) {
      const deps = readJson<Manifest>(join(dir, 'packages', pkg, 'package.json')).dependencies ?? {};
      for (const [name, range] of Object.entries(deps)) {
        if (name.startsWith('@esa-stage/')) expect(range, `${pkg} -> ${name}`).toBe('workspace:^');
      }
    }
    expect(copied('packages/core/src/version.ts')).toContain(`export const VERSION = '${next}';`);
    // The lockfile holds workspace links, not their versions, so a version bump leaves it as it is.
    expect(copied('pnpm-lock.yaml')).toBe(original.get('pnpm-lock.yaml'));
  });
});

describe('changeset publish (to a registry on 127.0.0.1)', () => {
  let publish: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'chore: version packages');
    // Never let a mistake here publish to the real registry.
    for (const cwd of ['.', 'packages/core']) {
      const configured = await run('pnpm', ['--dir', cwd, 'config', 'get', 'registry']);
      if (configured.stdout.trim() !== registry.url)
        throw new Error(`pnpm would publish to ${configured.stdout}`);
    }
    publish = await run(changeset, ['publish']);
  }, 60_000);

  it('publishes the five public packages, with pnpm, and tags each release in git', () => {
    expect(publish.code, publish.stdout + publish.stderr).toBe(0);
    expect([...registry.published.keys()].sort()).toEqual(PUBLIC.map((p) => `@esa-stage/${p}`).sort());
    expect(registry.requests.every((r) => r.endsWith(' Bearer test'))).toBe(true);
    expect(registry.requests.filter((r) => r.startsWith('PUT'))).toHaveLength(PUBLIC.length);
    const versions = Object.fromEntries(PUBLIC.map((p) => [p, p === 'emulator' ? emulatorBefore : next]));
    for (const [pkg, version] of Object.entries(versions)) {
      const body = registry.published.get(`@esa-stage/${pkg}`);
      expect(body?.access, pkg).toBe('public');
      expect(body?.['dist-tags'], pkg).toEqual({ latest: version });
    }
    expect(git(dir, 'tag', '-l').split('\n').sort()).toEqual(
      Object.entries(versions)
        .map(([pkg, version]) => `@esa-stage/${pkg}@${version}`)
        .sort(),
    );
  });

  it('rewrote every workspace:^ range to ^<version> in the tarballs, and left the sources alone', () => {
    for (const pkg of PUBLIC) {
      const body = registry.published.get(`@esa-stage/${pkg}`);
      const tarball = Object.values(body?._attachments ?? {})[0];
      expect(tarball, pkg).toBeDefined();
      const files = untar(Buffer.from(tarball?.data ?? '', 'base64'));
      const packed = files.get('package/package.json')?.toString('utf8') ?? '';
      expect(packed, pkg).not.toContain('workspace:');
      const manifest = JSON.parse(packed) as Manifest;
      // The registry's copy of the manifest says the same.
      expect(JSON.stringify(Object.values(body?.versions ?? {})), pkg).not.toContain('workspace:');
      const source = readJson<Manifest>(join(dir, 'packages', pkg, 'package.json'));
      for (const name of Object.keys(source.dependencies ?? {}).filter((n) => n.startsWith('@esa-stage/'))) {
        expect(source.dependencies?.[name], `${pkg} source -> ${name}`).toBe('workspace:^');
        const version = readJson<Manifest>(
          join(dir, 'packages', name.slice('@esa-stage/'.length), 'package.json'),
        ).version;
        expect(manifest.dependencies?.[name], `${pkg} -> ${name}`).toBe(`^${version}`);
      }
      expect(files.get('package/CHANGELOG.md')?.toString('utf8'), pkg).toBe(
        copied(`packages/${pkg}/CHANGELOG.md`),
      );
    }
    const core = registry.published.get('@esa-stage/core');
    expect(Object.values(core?.versions ?? {})[0]?.version).toBe(next);
    for (const pkg of ['emulator', 'rollup-plugin', 'vite-plugin', 'esbuild-plugin']) {
      const manifest = Object.values(registry.published.get(`@esa-stage/${pkg}`)?.versions ?? {})[0];
      expect(manifest?.dependencies?.['@esa-stage/core'], pkg).toBe(`^${next}`);
    }
  });
});

describe('the release set-up', () => {
  it('uses the offline changelog, publishes in public, never versions private packages, and has the scripts', async () => {
    const config = JSON.parse(await readFile(join(ROOT, '.changeset/config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({
      changelog: '@changesets/cli/changelog',
      commit: false,
      access: 'public',
      baseBranch: 'main',
      updateInternalDependencies: 'patch',
      privatePackages: { version: false, tag: false },
      fixed: [FIXED.map((p) => `@esa-stage/${p}`)],
    });
    const { scripts } = readJson<Manifest>(join(ROOT, 'package.json'));
    expect(scripts?.changeset).toBe('changeset');
    expect(scripts?.['version-packages']).toBe(
      'changeset version && node .changeset/sync-core-version.mjs && pnpm install --lockfile-only',
    );
    expect(scripts?.release).toBe('pnpm build && changeset publish');
  });
});
