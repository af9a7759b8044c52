import {
  type BuildContext,
  type BundlerInfo,
  EsaStageError,
  type PluginOptions,
  PublishSession,
} from '@esa-stage/core';
import { esbuildReporter, type Write } from './log.js';
import { toOutputChunks } from './outputs.js';
import type { EsbuildPluginLike, MessageLike, PluginBuildLike } from './types.js';

/** Options of the esbuild plugin: core's publish options and the plugin options. */
export type EsbuildEsaStageOptions = PluginOptions;

function toMessage(error: unknown): MessageLike {
  const text =
    error instanceof EsaStageError ? error.toLine() : error instanceof Error ? error.message : String(error);
  return { text, detail: error };
}

const toStderr: Write = (text) => {
  process.stderr.write(text);
};

/**
 * Publishes the routine to ESA staging at the end of an esbuild build. Forces `metafile: true` to
 * find the entry output; publishes from disk, or from `outputFiles` with `write: false`. Builds with
 * errors are skipped. Failures come back as esbuild errors (printed warnings with `failOnError:
 * false`), so `esbuild.build` rejects with its usual formatting. Rebuilds of a context count as
 * watch mode.
 */
export function esaStage(options: EsbuildEsaStageOptions): EsbuildPluginLike {
  const session = new PublishSession(options);
  return {
    name: 'esa-stage',
    ...session.mark,
    setup(build: PluginBuildLike) {
      if (session.enabled) build.initialOptions.metafile = true;
      const bundler: BundlerInfo = { kind: 'esbuild', version: build.esbuild.version };
      let builds = 0;
      const context = (warnings: MessageLike[], watchMode: boolean) => {
        const report = esbuildReporter(build.initialOptions, build.esbuild, warnings, toStderr);
        const buildContext: BuildContext = {
          watchMode,
          bundler,
          report,
          plugins: build.initialOptions.plugins,
        };
        return { report, buildContext };
      };
      build.onStart(async () => {
        const { report, buildContext } = context([], builds > 0);
        try {
          await session.start(buildContext);
          return undefined;
        } catch (error) {
          return { errors: [toMessage(error)] };
        } finally {
          await report.flush();
        }
      });
      build.onEnd(async (result) => {
        const watchMode = builds > 0;
        builds += 1;
        if (result.errors.length > 0) return undefined;
        const warnings: MessageLike[] = [];
        const { report, buildContext } = context(warnings, watchMode);
        try {
          await session.publish(toOutputChunks(result, build.initialOptions), buildContext);
          return { warnings };
        } catch (error) {
          return { errors: [toMessage(error)], warnings };
        } finally {
          await report.flush();
        }
      });
    },
  };
}
