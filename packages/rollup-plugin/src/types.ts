// The few shapes of Rollup's (and Rolldown's) plugin API this adapter touches, declared here so the
// package has no type dependency on either bundler; both are structurally compatible with them.
import type { PUBLISHER_MARK } from '@esa-stage/core';

/** The output options Rollup passes to `renderStart` and `writeBundle`. */
export interface OutputOptionsLike {
  readonly dir?: string | undefined;
  readonly file?: string | undefined;
  readonly format: string;
}

/** A chunk or an asset of an output bundle. */
export type BundleEntryLike =
  | {
      readonly type: 'chunk';
      readonly fileName: string;
      readonly isEntry: boolean;
    }
  | { readonly type: 'asset'; readonly fileName: string };

/** `this.meta`: Rollup sets `rollupVersion`, Rolldown adds `rolldownVersion`, Vite 7+ `viteVersion`. */
export interface PluginMetaLike {
  readonly watchMode: boolean;
  readonly rollupVersion?: string | undefined;
  readonly rolldownVersion?: string | undefined;
  readonly viteVersion?: string | undefined;
}

export interface PluginContextLike {
  readonly meta: PluginMetaLike;
  /** Vite 6+ (environment API): the environment this hook runs for. */
  readonly environment?: { readonly name: string };
  warn(message: string): void;
  info(message: string): void;
  debug?(message: string): void;
  error(error: { message: string; code?: string; cause?: unknown }): never;
}

/** The input options `buildStart` receives; `plugins` is every plugin of the build. */
export interface InputOptionsLike {
  readonly plugins?: readonly unknown[] | undefined;
}

/** What `esaStage()` returns: a Rollup/Rolldown plugin object. */
export interface RollupPluginLike {
  readonly name: string;
  /** The routine this instance publishes, so a second instance for it is found (core's mark). */
  readonly [PUBLISHER_MARK]: string | undefined;
  buildStart(this: PluginContextLike, options: InputOptionsLike): Promise<void>;
  buildEnd(this: PluginContextLike, error?: Error): void;
  closeBundle(this: PluginContextLike): void;
  renderStart(this: PluginContextLike, outputOptions: OutputOptionsLike): void;
  readonly writeBundle: {
    readonly sequential: true;
    readonly order: 'post';
    handler(
      this: PluginContextLike,
      outputOptions: OutputOptionsLike,
      bundle: Readonly<Record<string, BundleEntryLike>>,
    ): Promise<void>;
  };
}
