import {
  type AssetsOption,
  type BuildContext,
  bundlerFromMeta,
  type EsaStageError,
  type NothingPublished,
  type PluginOptions,
  PublishSession,
} from '@esa-stage/core';
import {
  describeOutput,
  isEsOutput,
  type OutputSelector,
  outputDir,
  outputMatches,
  toOutputChunks,
} from './outputs.js';
import type { OutputOptionsLike, PluginContextLike, RollupPluginLike } from './types.js';

/** Options of the Rollup (and Rolldown) plugin: core's publish options, the plugin options, and `output`. */
export interface RollupEsaStageOptions extends PluginOptions {
  /**
   * Which output publishes when one build writes several (e.g. esm + cjs): its `dir` or `file`
   * path, or a predicate of the output options. The others are skipped with a warning.
   * @default the first ES-module output (ESA runs ES modules)
   */
  output?: OutputSelector;
}

/** Lets a wrapping adapter (Vite) decide, per build, whether this plugin takes part. */
export interface AdapterHooks {
  /**
   * `true` leaves this build alone (the wrapping adapter says why); a {@link NothingPublished}
   * says this build cannot publish what the options ask for, which fails it like an empty build.
   */
  skip?(context: PluginContextLike): boolean | NothingPublished;
  /**
   * Static files to publish with the routine, found by the wrapping adapter (Vite: the client
   * build), given the directory of the output being published.
   */
  assets?(outputDir: string): AssetsOption | undefined;
}

function buildContext(context: PluginContextLike, plugins?: readonly unknown[]): BuildContext {
  return {
    watchMode: context.meta.watchMode,
    bundler: bundlerFromMeta(context.meta),
    plugins,
    report: {
      warn: (message) => context.warn(message),
      info: (message) => context.info(message),
      debug: (message) => context.debug?.(message),
    },
  };
}

function fail(context: PluginContextLike, error: EsaStageError): never {
  return context.error({ message: error.toLine(), code: error.code, cause: error });
}

function outputKey(output: OutputOptionsLike): string {
  return `${output.format}\0${output.dir ?? ''}\0${output.file ?? ''}`;
}

/** Why a build that wrote `written` published nothing, for the error. */
function nothingFrom(written: readonly string[], selector: OutputSelector | undefined): NothingPublished {
  const wrote = written.length > 0 ? `the build wrote ${written.join(', ')}` : 'the build wrote no output';
  if (selector !== undefined) {
    return {
      message: `no output matched the \`output\` option (${typeof selector === 'string' ? selector : 'a predicate'}); ${wrote}`,
      hint: 'point the `output` option at the `dir` or `file` of an output the build writes',
    };
  }
  return {
    message: `no ES-module output; ${wrote}`,
    hint: 'add an output with `format: "es"` (ESA runs ES modules), e.g. `output: { dir: "dist", format: "es" }`',
  };
}

/**
 * The Rollup adapter around a {@link PublishSession}: `buildStart` checks, `writeBundle` publishes
 * the claimed output, `closeBundle` fails a build that published nothing. The Vite adapter wraps it.
 */
export function rollupAdapter(
  session: PublishSession,
  selector: OutputSelector | undefined,
  hooks: AdapterHooks = {},
): RollupPluginLike {
  // One publish per build: the first matching output claims it (in render order, so config order).
  let claimed: string | undefined;
  let claimedName: string | undefined;
  let written: string[] = [];
  let buildFailed = false;

  const decide = (context: PluginContextLike) => hooks.skip?.(context) ?? false;
  const leftAlone = (context: PluginContextLike) => decide(context) !== false;

  return {
    name: 'esa-stage',
    ...session.mark,
    async buildStart(options) {
      const decision = decide(this);
      if (decision === true) return;
      claimed = undefined;
      claimedName = undefined;
      written = [];
      buildFailed = false;
      const build = buildContext(this, options.plugins);
      try {
        await session.start(build);
        if (decision !== false) session.finish(build, () => decision);
      } catch (error) {
        fail(this, error as EsaStageError);
      }
    },
    buildEnd(error) {
      if (error) buildFailed = true;
    },
    renderStart(outputOptions) {
      if (leftAlone(this) || claimed !== undefined || !outputMatches(outputOptions, selector)) return;
      claimed = outputKey(outputOptions);
      claimedName = describeOutput(outputOptions);
    },
    writeBundle: {
      sequential: true,
      order: 'post',
      async handler(outputOptions, bundle) {
        if (leftAlone(this)) return;
        written.push(describeOutput(outputOptions));
        const key = outputKey(outputOptions);
        if (claimed === undefined && outputMatches(outputOptions, selector)) {
          claimed = key;
          claimedName = describeOutput(outputOptions);
        }
        if (key !== claimed) {
          if (!session.publishing) return;
          const why =
            !isEsOutput(outputOptions) && selector === undefined ? 'ESA runs ES modules only; ' : '';
          this.warn(
            `skipped output ${describeOutput(outputOptions)}: ${why}esa-stage publishes once per build${claimedName ? `, from ${claimedName}` : ''} (the \`output\` option chooses)`,
          );
          return;
        }
        try {
          await session.publish(toOutputChunks(outputOptions, bundle), {
            ...buildContext(this),
            assets: hooks.assets?.(outputDir(outputOptions)),
          });
        } catch (error) {
          fail(this, error as EsaStageError);
        }
      },
    },
    closeBundle() {
      if (leftAlone(this) || buildFailed) return;
      try {
        session.finish(buildContext(this), () => nothingFrom(written, selector));
      } catch (error) {
        fail(this, error as EsaStageError);
      }
    },
  };
}

/** Builds the plugin object from options; {@link esaStage} is this. */
export function createRollupPlugin(
  options: RollupEsaStageOptions,
  hooks: AdapterHooks = {},
): RollupPluginLike {
  const { output: selector, ...pluginOptions } = options;
  return rollupAdapter(new PublishSession(pluginOptions), selector, hooks);
}

/** Publishes the routine to ESA staging when Rollup (or Rolldown) has written the bundle. */
export function esaStage(options: RollupEsaStageOptions): RollupPluginLike {
  return createRollupPlugin(options);
}
