import type { PublishOptions } from '../options/types.js';
import type { PublishedResult } from '../publish.js';

/** Options every bundler plugin takes: core's {@link PublishOptions} and these. */
export interface PluginOptions extends PublishOptions {
  /**
   * Publish at all. A disabled plugin checks nothing and sends nothing, and says so in one line.
   * Env `ESA_STAGE_DISABLED=1` turns it off without editing the config.
   * @default true
   */
  enabled?: boolean;
  /**
   * A publish that fails fails the build. `false` turns the failure into a warning.
   * @default true
   */
  failOnError?: boolean;
  /**
   * Publish in watch mode too (Rollup/Vite `--watch`, esbuild rebuilds of a context), and then only
   * when the published file's bytes changed since the last publish.
   * @default false
   */
  watch?: boolean;
  /**
   * Called after each successful publish (not after a dry run), with the result.
   * @default undefined
   */
  onPublished?: (result: PublishedResult) => void | Promise<void>;
}

/** The option names that are the plugins' own, not core's. */
export const PLUGIN_OPTION_NAMES = ['enabled', 'failOnError', 'watch', 'onPublished'] as const;
