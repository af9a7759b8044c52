import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esaStage as esbuildPlugin } from '@esa-stage/esbuild-plugin';
import { type RollupEsaStageOptions, esaStage as rollupPlugin } from '@esa-stage/rollup-plugin';
import { esaStage as viteEsaStage } from '@esa-stage/vite-plugin';
import * as esbuild from 'esbuild';
import * as rollup from 'rollup';
import * as vite from 'vite';
import { type CaseContext, type HostileCase, type Outcome, outcomeOf, ROUTINE_CODE } from '../harness.js';

// Each plugin given what users give it: the build fails with the code (in the bundler's error),
// or succeeds and publishes exactly what it says.

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'esa-stage-hostile-plugin-'));
  await writeFile(join(dir, 'index.js'), ROUTINE_CODE);
  return dir;
}

/** A Rollup build; a failure comes back as its cause, the plugin's EsaStageError. */
function rollupBuild(
  ctx: CaseContext,
  extra: Record<string, unknown>,
): Promise<ReturnType<typeof outcomeOf> extends Promise<infer O> ? O : never> {
  return outcomeOf(async () => {
    const dir = await project();
    const options = { ...ctx.options(), cwd: dir, logLevel: 'silent', ...extra } as RollupEsaStageOptions;
    const published: unknown[] = [];
    const bundle = await rollup.rollup({
      input: join(dir, 'index.js'),
      plugins: [
        rollupPlugin({ ...options, onPublished: options.onPublished ?? ((r) => void published.push(r)) }),
      ],
      onwarn: () => undefined,
    });
    try {
      await bundle.write({ dir: join(dir, 'dist'), format: 'es' });
    } finally {
      await bundle.close();
    }
    return published[0] ?? { dryRun: true };
  }).then((o) =>
    o.kind === 'error' && (o.error as { cause?: unknown }).cause
      ? { kind: 'error', error: (o.error as { cause: unknown }).cause }
      : o,
  );
}

function esbuildBuild(ctx: CaseContext, extra: Record<string, unknown>) {
  return outcomeOf(async () => {
    const dir = await project();
    const published: unknown[] = [];
    try {
      await esbuild.build({
        absWorkingDir: dir,
        entryPoints: ['index.js'],
        bundle: true,
        format: 'esm',
        outdir: 'dist',
        logLevel: 'silent',
        plugins: [
          esbuildPlugin({
            ...ctx.options(),
            cwd: dir,
            logLevel: 'silent',
            onPublished: (r) => void published.push(r),
            ...extra,
          } as RollupEsaStageOptions),
        ],
      });
    } catch (error) {
      // esbuild keeps only the text of a plugin's error: judge it as printed, like a CLI line.
      const text = (error as esbuild.BuildFailure).errors?.[0]?.text;
      if (text === undefined) throw error;
      return { printed: `esa-stage: error ${text}` };
    }
    return published[0] ?? { dryRun: true };
  }).then(
    (o): Outcome =>
      o.kind === 'result' && typeof o.value === 'object' && o.value !== null && 'printed' in o.value
        ? { kind: 'cli', exit: 1, stdout: '', stderr: String(o.value.printed) }
        : o,
  );
}

const BAD_PLUGIN_OPTIONS: readonly [string, Record<string, unknown>, string][] = [
  ['failOnError as text', { failOnError: 'yes' }, 'InvalidConfig'],
  ['watch as a number', { watch: 1 }, 'InvalidConfig'],
  ['onPublished that is not a function', { onPublished: 'notify' }, 'InvalidConfig'],
  ['a bad routine name', { name: 'NO' }, 'InvalidConfig'],
  ['a bad timeout', { timeout: 1500.5 }, 'InvalidConfig'],
  ['a routine that does not exist', { name: 'no-such-routine' }, 'RoutineNotExist'],
];

export const pluginCases: HostileCase[] = [
  ...BAD_PLUGIN_OPTIONS.flatMap(([label, extra, code]): HostileCase[] => [
    { name: `Rollup: ${label}`, expect: { code }, run: (ctx) => rollupBuild(ctx, extra) },
    { name: `esbuild: ${label}`, expect: { code }, run: (ctx) => esbuildBuild(ctx, extra) },
  ]),
  {
    name: 'Rollup: an onPublished that throws fails the build, saying the publish succeeded',
    expect: { code: 'OnPublishedFailed', mayChange: true, message: /was published: hook down/ },
    run: (ctx) =>
      rollupBuild(ctx, {
        onPublished: () => {
          throw new Error('hook down');
        },
      }),
  },
  {
    name: 'Vite: an environment option that is not a name',
    expect: {
      code: 'InvalidConfig',
      message: /`environment` option must be the name of a Vite environment, got 5/,
    },
    run: (ctx) =>
      outcomeOf(async () => {
        const dir = await project();
        await vite.build({
          root: dir,
          configFile: false,
          logLevel: 'silent',
          plugins: [
            viteEsaStage({
              ...ctx.options(),
              cwd: dir,
              logLevel: 'silent',
              environment: 5 as unknown as string,
            }),
          ],
          build: { ssr: join(dir, 'index.js'), outDir: join(dir, 'dist') },
        });
      }).then((o): Outcome => {
        // Vite 8 (Rolldown) wraps the plugin's error in a build error of its own.
        const error =
          o.kind === 'error' ? (o.error as { cause?: unknown; errors?: { cause?: unknown }[] }) : undefined;
        const cause = error?.errors?.[0]?.cause ?? error?.cause;
        return cause ? { kind: 'error', error: cause } : o;
      }),
  },
  { name: 'Rollup: publishes', expect: { ok: true }, run: (ctx) => rollupBuild(ctx, {}) },
  { name: 'esbuild: publishes', expect: { ok: true }, run: (ctx) => esbuildBuild(ctx, {}) },
  {
    name: 'Rollup: failOnError false turns a failure into a green build that published nothing',
    expect: { ok: true },
    run: (ctx) => rollupBuild(ctx, { name: 'no-such-routine', failOnError: false }),
  },
];
