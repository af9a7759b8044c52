import { EsaStageError, type PluginOptions, type PluginReporter, PublishSession } from '@esa-stage/core';
import { toOutputChunks } from './outputs.js';
import type { EsbuildPluginLike, MessageLike } from './types.js';

/** Options of the esbuild plugin: core's publish options and the plugin options. */
export type EsbuildEsaStageOptions = PluginOptions;

function toMessage(error: unknown): MessageLike {
  const text =
    error instanceof EsaStageError ? error.toLine() : error instanceof Error ? error.message : String(error);
  return { text, detail: error };
}

/**
 * Publishes the routine to ESA staging at the end of an esbuild build. Forces `metafile: true` to
 * find the entry output; publishes from disk, or from `outputFiles` with `write: false`. Builds with
 * errors are skipped. Failures come back as esbuild errors (warnings with `failOnError: false`), so
 * `esbuild.build` rejects with its usual formatting. Rebuilds of a context count as watch mode.
 */
export function esaStage(options: EsbuildEsaStageOptions): EsbuildPluginLike {
  return {
    name: 'esa-stage',
    setup(build) {
      const session = new PublishSession(options);
      if (!session.enabled) return;
      build.initialOptions.metafile = true;
      let builds = 0;
      build.onStart(async () => {
        try {
          await session.start(builds > 0);
          return undefined;
        } catch (error) {
          return { errors: [toMessage(error)] };
        }
      });
      build.onEnd(async (result) => {
        const watchMode = builds > 0;
        builds += 1;
        if (result.errors.length > 0) return undefined;
        const warnings: MessageLike[] = [];
        const report: PluginReporter = {
          warn: (text) => warnings.push({ text }),
          // esbuild has no info channel for plugins; core already logs its own progress line.
          info: () => undefined,
        };
        try {
          await session.publish(toOutputChunks(result, build.initialOptions), { watchMode, report });
          return { warnings };
        } catch (error) {
          return { errors: [toMessage(error)], warnings };
        }
      });
    },
  };
}
