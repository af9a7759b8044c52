// The few shapes of Rollup's (and Rolldown's) plugin API this adapter touches, declared here so the
// package has no type dependency on either bundler; both are structurally compatible with them.

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
      readonly imports: readonly string[];
      readonly dynamicImports: readonly string[];
    }
  | { readonly type: 'asset'; readonly fileName: string };

export interface PluginContextLike {
  readonly meta: { readonly watchMode: boolean };
  /** Vite 6+ (environment API): the environment this hook runs for. */
  readonly environment?: { readonly name: string };
  warn(message: string): void;
  info?(message: string): void;
  error(error: { message: string; code?: string; cause?: unknown }): never;
}

/** What `esaStage()` returns: a Rollup/Rolldown plugin object. */
export interface RollupPluginLike {
  readonly name: string;
  buildStart(this: PluginContextLike): Promise<void>;
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
