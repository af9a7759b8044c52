import {
  createRollupPlugin,
  type PluginContextLike,
  type RollupEsaStageOptions,
  type RollupPluginLike,
} from '@esa-stage/rollup-plugin';

/** Options of the Vite plugin: the Rollup plugin's, and `environment`. */
export interface ViteEsaStageOptions extends RollupEsaStageOptions {
  /**
   * The Vite environment (Vite 6+ environment API) whose build publishes; every other environment
   * is skipped with a note, so one `vite build` never publishes twice.
   * @default 'ssr' for an SSR build (`build.ssr` / `vite build --ssr`), else 'client'
   */
  environment?: string;
}

/** The part of Vite's resolved config the plugin reads. */
export interface ResolvedConfigLike {
  readonly build: { readonly ssr?: boolean | string | undefined };
}

/** What `esaStage()` returns: a Vite plugin (the Rollup plugin, for builds only, run last). */
export interface VitePluginLike extends RollupPluginLike {
  readonly apply: 'build';
  readonly enforce: 'post';
  configResolved(config: ResolvedConfigLike): void;
}

/** Publishes the routine to ESA staging when `vite build` has written it (Vite 7 with Rollup, Vite 8 with Rolldown). */
export function esaStage(options: ViteEsaStageOptions): VitePluginLike {
  const { environment, ...rollupOptions } = options;
  let target = environment;
  const noted = new Set<string>();
  const skip = (context: PluginContextLike): boolean => {
    const name = context.environment?.name;
    if (name === undefined || target === undefined || name === target) return false;
    if (!noted.has(name)) {
      noted.add(name);
      const note = `not publishing from Vite environment "${name}": esa-stage publishes from "${target}" (the \`environment\` option chooses)`;
      if (context.info) context.info(note);
      else context.warn(note);
    }
    return true;
  };
  return {
    ...createRollupPlugin(rollupOptions, { skip }),
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      target ??= config.build.ssr ? 'ssr' : 'client';
    },
  };
}
