import { readFile } from 'node:fs/promises';
import type { PublishedResult } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_BUNDLERS, ROUTINE_FILES } from './helpers/bundlers.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { emulatorPluginOptions } from './helpers/plugin-setup.js';

// Every bundler builds the same routine in a real git repository and publishes it to the emulator;
// the bytes ESA stored must be the bytes the bundler wrote, described as git describes the tree.

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ routines: ['bundled-routine'], versionQuota: 100 });
});
afterAll(async () => {
  await emulator.close();
});

const pluginOptions = (repo: TempRepo, published: PublishedResult[]) =>
  emulatorPluginOptions(emulator, 'bundled-routine', repo.dir, published);

describe.each(ALL_BUNDLERS)('$name', (bundler) => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await createTempRepo(ROUTINE_FILES, `feat: built by ${bundler.name}`);
  });
  afterAll(async () => {
    await repo.remove();
  });

  it('publishes exactly the bytes it wrote, described by a clean tree', async () => {
    const published: PublishedResult[] = [];
    const run = await bundler.build(repo.dir, pluginOptions(repo, published));
    expect(published).toHaveLength(1);
    const [result] = published as [PublishedResult];
    const written = await readFile(run.written);
    expect(written.toString()).toContain('Hello, ');
    const stored = emulator.state.routines.get('bundled-routine')?.versions.get(result.codeVersion);
    expect(stored?.bytes.equals(written)).toBe(true);
    expect(result.description).toBe(`${repo.shortSha} feat: built by ${bundler.name}`);
    expect(stored?.description).toBe(result.description);
    expect(
      emulator.state.routines.get('bundled-routine')?.envs.get('staging')?.codeVersions[0]?.codeVersion,
    ).toBe(result.codeVersion);
  });

  it('marks a dirty tree', async () => {
    await repo.write('README.md', '# fixture, edited\n');
    const published: PublishedResult[] = [];
    try {
      // The bytes are those of the last publish: force a version to see its description.
      await bundler.build(repo.dir, { ...pluginOptions(repo, published), skipUnchanged: false });
    } finally {
      await repo.write('README.md', '# fixture\n');
    }
    expect(published[0]?.description).toBe(`${repo.shortSha}-dirty feat: built by ${bundler.name}`);
  });

  it('makes no request and checks nothing when disabled', async () => {
    const before = emulator.state.requests.length;
    const published: PublishedResult[] = [];
    await bundler.build(repo.dir, {
      ...pluginOptions(repo, published),
      enabled: false,
      name: 'Not A Valid Name',
    });
    expect(published).toEqual([]);
    expect(emulator.state.requests.length).toBe(before);
  });

  it('turns a failed publish into a warning with failOnError: false', async () => {
    const published: PublishedResult[] = [];
    const run = await bundler.build(repo.dir, {
      ...pluginOptions(repo, published),
      name: 'no-such-routine',
      failOnError: false,
      logLevel: 'warn',
    });
    expect(published).toEqual([]);
    expect(run.warnings.join('\n')).toMatch(
      /publish failed, and failOnError is false so the build goes on: RoutineNotExist/,
    );
  });

  it('fails the build on a failed publish by default, with the code and request id', async () => {
    const error = await bundler
      .build(repo.dir, { ...pluginOptions(repo, []), name: 'no-such-routine' })
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/RoutineNotExist: .*\(RequestId [0-9A-F-]{36}\)/);
  });
});
