// The few shapes of esbuild's plugin API this adapter touches, declared here so the package has no
// type dependency on esbuild; they are structurally compatible with esbuild's own (a test type-checks
// the plugin inside a real esbuild build call).
import type { PUBLISHER_MARK } from '@esa-stage/core';

export interface MessageLike {
  text: string;
  detail?: unknown;
  pluginName?: string;
}

export interface MetafileOutputLike {
  readonly entryPoint?: string | undefined;
}

export interface BuildResultLike {
  readonly errors: readonly unknown[];
  readonly metafile?: { readonly outputs: Readonly<Record<string, MetafileOutputLike>> } | undefined;
  readonly outputFiles?: ReadonlyArray<{ readonly path: string; readonly contents: Uint8Array }> | undefined;
}

/** esbuild's three spellings of `entryPoints`. */
export type EntryPointsLike =
  | ReadonlyArray<string | { readonly in: string; readonly out: string }>
  | Readonly<Record<string, string>>;

export interface BuildOptionsLike {
  entryPoints?: EntryPointsLike | undefined;
  metafile?: boolean | undefined;
  write?: boolean | undefined;
  outdir?: string | undefined;
  outfile?: string | undefined;
  absWorkingDir?: string | undefined;
  /** Every plugin of the build, this one included. */
  plugins?: readonly unknown[] | undefined;
  logLevel?: string | undefined;
  color?: boolean | undefined;
}

/** What an onStart / onEnd callback may return. */
export interface CallbackResultLike {
  errors?: MessageLike[];
  warnings?: MessageLike[];
}

/** The esbuild API a plugin is handed (`build.esbuild`): its version and message formatter. */
export interface EsbuildApiLike {
  readonly version: string;
  formatMessages(
    messages: MessageLike[],
    options: { kind: 'error' | 'warning'; color?: boolean },
  ): Promise<string[]>;
}

export interface PluginBuildLike {
  readonly initialOptions: BuildOptionsLike;
  readonly esbuild: EsbuildApiLike;
  onStart(callback: () => Promise<CallbackResultLike | undefined>): void;
  onEnd(callback: (result: BuildResultLike) => Promise<CallbackResultLike | undefined>): void;
}

/** What `esaStage()` returns: an esbuild plugin. */
export interface EsbuildPluginLike {
  readonly name: string;
  /** The routine this instance publishes, so a second instance for it is found (core's mark). */
  readonly [PUBLISHER_MARK]: string | undefined;
  setup(build: PluginBuildLike): void;
}
