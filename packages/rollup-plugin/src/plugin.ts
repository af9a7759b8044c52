import { type EsaStageError, type PluginOptions, type PluginReporter, PublishSession } from '@esa-stage/core';
import { describeOutput, isEsOutput, type OutputSelector, outputMatches, toOutputChunks } from './outputs.js';
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

/** Lets a wrapping adapter (Vite) turn the plugin off for some builds, e.g. other environments. */
export interface AdapterHooks {
  /** True to leave this build alone (the wrapping adapter reports why). */
  skip?(context: PluginContextLike): boolean;
}

function reporter(context: PluginContextLike): PluginReporter {
  return {
    warn: (message) => context.warn(message),
    info: (message) => (context.info ? context.info(message) : context.warn(message)),
  };
}

function fail(context: PluginContextLike, error: EsaStageError): never {
  return context.error({ message: error.toLine(), code: error.code, cause: error });
}

function outputKey(output: OutputOptionsLike): string {
  return `${output.format}\0${output.dir ?? ''}\0${output.file ?? ''}`;
}

/** Builds the plugin object; {@link esaStage} and the Vite adapter both use it. */
export function createRollupPlugin(
  options: RollupEsaStageOptions,
  hooks: AdapterHooks = {},
): RollupPluginLike {
  const { output: selector, ...pluginOptions } = options;
  const session = new PublishSession(pluginOptions);
  // One publish per build: the first matching output claims it (in render order, so config order).
  let claimed: string | undefined;
  let claimedName: string | undefined;

  const skip = (context: PluginContextLike) => hooks.skip?.(context) === true;

  return {
    name: 'esa-stage',
    async buildStart() {
      claimed = undefined;
      claimedName = undefined;
      if (skip(this)) return;
      try {
        await session.start(this.meta.watchMode);
      } catch (error) {
        fail(this, error as EsaStageError);
      }
    },
    renderStart(outputOptions) {
      if (skip(this) || claimed !== undefined || !outputMatches(outputOptions, selector)) return;
      claimed = outputKey(outputOptions);
      claimedName = describeOutput(outputOptions);
    },
    writeBundle: {
      sequential: true,
      order: 'post',
      async handler(outputOptions, bundle) {
        if (skip(this) || !session.willPublish(this.meta.watchMode)) return;
        const key = outputKey(outputOptions);
        if (claimed === undefined && outputMatches(outputOptions, selector)) {
          claimed = key;
          claimedName = describeOutput(outputOptions);
        }
        if (key !== claimed) {
          const why =
            !isEsOutput(outputOptions) && selector === undefined ? 'ESA runs ES modules only; ' : '';
          this.warn(
            `skipped output ${describeOutput(outputOptions)}: ${why}esa-stage publishes once per build${claimedName ? `, from ${claimedName}` : ''} (the \`output\` option chooses)`,
          );
          return;
        }
        try {
          await session.publish(toOutputChunks(outputOptions, bundle), {
            watchMode: this.meta.watchMode,
            report: reporter(this),
          });
        } catch (error) {
          fail(this, error as EsaStageError);
        }
      },
    },
  };
}

/** Publishes the routine to ESA staging when Rollup (or Rolldown) has written the bundle. */
export function esaStage(options: RollupEsaStageOptions): RollupPluginLike {
  return createRollupPlugin(options);
}
