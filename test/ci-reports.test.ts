import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PublishedResult } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROUTINE_FILES, rollupBundler } from './helpers/bundlers.js';
import { parseGithubOutput } from './helpers/github-output.js';
import { emulatorPluginOptions } from './helpers/plugin-setup.js';
import { runNode } from './helpers/run-node.js';

// What CI reads back: GitHub Actions step outputs and summary, and the manifest, for a published,
// an unchanged and a failed publish, from the CLI (a new process) and from a plugin in a real build.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));

let emulator: Emulator;
let dir: string;
beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-ci-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const staging = (name: string) => emulator.state.routines.get(name)?.envs.get('staging')?.codeVersions ?? [];

describe('GitHub Actions outputs, step summary and manifest', () => {
  it('the CLI writes them for a published, an unchanged and a failed publish', async () => {
    const work = join(dir, 'cli');
    await mkdir(join(work, 'dist'), { recursive: true });
    const code = 'export default { fetch: () => new Response("ci") };\n';
    await writeFile(join(work, 'dist/index.js'), code);
    emulator.state.createRoutine('ci-cli');
    const outputFile = join(work, 'github-output');
    const summaryFile = join(work, 'step-summary.md');
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
      ESA_ENDPOINT: emulator.endpoint,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
    };
    const publish = (name: string) =>
      runNode(
        CLI,
        ['publish', 'dist/index.js', '--name', name, '-d', 'ci | run', '--manifest', 'out/manifest.json'],
        {
          cwd: work,
          env,
        },
      );
    const manifest = async () => JSON.parse(await readFile(join(work, 'out/manifest.json'), 'utf8'));
    const sha256 = createHash('sha256').update(code).digest('hex');

    const first = await publish('ci-cli');
    expect(first.code, first.stderr).toBe(0);
    const version = staging('ci-cli')[0]?.codeVersion;
    expect(version).toMatch(/^\d{19}$/);
    expect(parseGithubOutput(await readFile(outputFile, 'utf8'))).toEqual({
      routine: 'ci-cli',
      status: 'published',
      code_version: version,
      sha256,
      // No `verify` asked: nothing to report.
      verify_status: '',
    });
    const summary = await readFile(summaryFile, 'utf8');
    expect(summary).toContain('### esa-stage: ci-cli published');
    expect(summary).toContain(`| Code version | \`${version}\` |`);
    expect(summary).toContain('| Served by | staging |');
    expect(summary).toContain('| Description | ci \\| run |');
    expect(await manifest()).toMatchObject({
      ok: true,
      status: 'published',
      name: 'ci-cli',
      codeVersion: version,
      sha256,
    });

    const second = await publish('ci-cli');
    expect(second.code, second.stderr).toBe(0);
    expect(parseGithubOutput(await readFile(outputFile, 'utf8'))).toMatchObject({
      status: 'unchanged',
      code_version: version,
    });
    expect(await readFile(summaryFile, 'utf8')).toContain('### esa-stage: ci-cli unchanged');
    expect(await manifest()).toMatchObject({ ok: true, status: 'unchanged', codeVersion: version });

    const failed = await publish('no-such-routine');
    expect(failed.code).toBe(1);
    expect(parseGithubOutput(await readFile(outputFile, 'utf8'))).toEqual({
      routine: 'no-such-routine',
      status: 'failed',
      code_version: '',
      sha256: '',
      verify_status: '',
      error_code: 'RoutineNotExist',
    });
    const failedSummary = await readFile(summaryFile, 'utf8');
    expect(failedSummary).toContain('### esa-stage: no-such-routine failed');
    expect(failedSummary).toContain('| Error | `RoutineNotExist` |');
    expect(failedSummary).toMatch(/\| What to do \| .+ \|/);
    expect(await manifest()).toMatchObject({
      ok: false,
      name: 'no-such-routine',
      error: { code: 'RoutineNotExist', versionsCreated: [], requestId: expect.any(String) },
    });
    // The three summaries, one after the other, and no secret anywhere.
    expect(failedSummary.match(/^### /gm)).toHaveLength(3);
    for (const file of [outputFile, summaryFile, join(work, 'out/manifest.json')]) {
      expect(await readFile(file, 'utf8')).not.toContain(emulator.credentials.accessKeySecret);
    }
  });

  it('outside GitHub Actions only the manifest is written; a dry run writes no step outputs', async () => {
    const work = join(dir, 'quiet');
    await mkdir(join(work, 'dist'), { recursive: true });
    await writeFile(join(work, 'dist/index.js'), 'export default { fetch: () => new Response("q") };\n');
    const outputFile = join(work, 'github-output');
    const base = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
      ESA_ENDPOINT: emulator.endpoint,
      GITHUB_OUTPUT: outputFile,
    };
    const dry = await runNode(
      CLI,
      ['publish', 'dist/index.js', '-n', 'ci-dry', '-d', 'x', '--dry-run', '--manifest', 'm.json'],
      {
        cwd: work,
        env: { ...base, GITHUB_ACTIONS: 'true' },
      },
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(work, 'm.json'), 'utf8'))).toMatchObject({
      ok: true,
      dryRun: true,
      name: 'ci-dry',
    });
    await expect(readFile(outputFile, 'utf8')).rejects.toThrow(/ENOENT/);

    emulator.state.createRoutine('ci-local');
    const local = await runNode(CLI, ['publish', 'dist/index.js', '-n', 'ci-local', '-d', 'x'], {
      cwd: work,
      env: base,
    });
    expect(local.code, local.stderr).toBe(0);
    await expect(readFile(outputFile, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('a manifest that cannot be written is an error line, and the publish still reports its outcome', async () => {
    const work = join(dir, 'unwritable');
    await mkdir(join(work, 'dist'), { recursive: true });
    await writeFile(join(work, 'dist/index.js'), 'export default { fetch: () => new Response("u") };\n');
    await writeFile(join(work, 'blocker'), 'a file, not a directory');
    emulator.state.createRoutine('ci-unwritable');
    const run = await runNode(
      CLI,
      ['publish', 'dist/index.js', '-n', 'ci-unwritable', '-d', 'x', '--manifest', 'blocker/m.json'],
      {
        cwd: work,
        env: {
          ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
          ESA_ENDPOINT: emulator.endpoint,
        },
      },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/could not write the manifest .*blocker\/m\.json: .*(ENOTDIR|EEXIST)/);
    expect(staging('ci-unwritable')).toHaveLength(1);
  });

  it('a plugin in a real Rollup build writes them too', async () => {
    const work = join(dir, 'rollup');
    for (const [file, text] of Object.entries(ROUTINE_FILES)) {
      await mkdir(join(work, file, '..'), { recursive: true });
      await writeFile(join(work, file), text);
    }
    emulator.state.createRoutine('ci-rollup');
    const outputFile = join(work, 'github-output');
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    vi.stubEnv('GITHUB_OUTPUT', outputFile);
    vi.stubEnv('GITHUB_STEP_SUMMARY', join(work, 'summary.md'));
    const published: PublishedResult[] = [];
    await rollupBundler.build(work, {
      ...emulatorPluginOptions(emulator, 'ci-rollup', work, published),
      description: 'rollup in CI',
      manifest: 'esa-stage.json',
    });
    const version = staging('ci-rollup')[0]?.codeVersion;
    expect(published.map((r) => r.codeVersion)).toEqual([version]);
    expect(parseGithubOutput(await readFile(outputFile, 'utf8'))).toMatchObject({
      routine: 'ci-rollup',
      status: 'published',
      code_version: version,
    });
    expect(await readFile(join(work, 'summary.md'), 'utf8')).toContain('### esa-stage: ci-rollup published');
    expect(JSON.parse(await readFile(join(work, 'esa-stage.json'), 'utf8'))).toMatchObject({
      ok: true,
      codeVersion: version,
    });
  });
});
