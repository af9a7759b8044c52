// The few shapes of esbuild's plugin API this adapter touches, declared here so the package has no
// type dependency on esbuild; they are structurally compatible with esbuild's own (a test type-checks
// the plugin inside a real esbuild build call).

export interface MessageLike {
  text: string;
  detail?: unknown;
}

export interface MetafileOutputLike {
  readonly entryPoint?: string | undefined;
  readonly imports: ReadonlyArray<{
    readonly path: string;
    readonly kind: string;
    readonly external?: boolean | undefined;
  }>;
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
}

/** What an onStart / onEnd callback may return. */
export interface CallbackResultLike {
  errors?: MessageLike[];
  warnings?: MessageLike[];
}

export interface PluginBuildLike {
  readonly initialOptions: BuildOptionsLike;
  onStart(callback: () => Promise<CallbackResultLike | undefined>): void;
  onEnd(callback: (result: BuildResultLike) => Promise<CallbackResultLike | undefined>): void;
}

/** What `esaStage()` returns: an esbuild plugin. */
export interface EsbuildPluginLike {
  readonly name: string;
  setup(build: PluginBuildLike): void;
}
