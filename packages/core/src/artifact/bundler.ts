/** The tool that produced the file being published; error hints name the settings of that tool. */
export type BundlerKind = 'vite' | 'rollup' | 'rolldown' | 'esbuild' | 'cli' | 'api';

export interface BundlerInfo {
  readonly kind: BundlerKind;
  /** The tool's version, e.g. `8.4.0`, when known. */
  readonly version?: string | undefined;
}

/** What Rollup, Rolldown and Vite put in a plugin context's `this.meta`. */
export interface PluginMetaLike {
  readonly rollupVersion?: string | undefined;
  readonly rolldownVersion?: string | undefined;
  readonly viteVersion?: string | undefined;
}

/** Which of Vite, Rolldown or Rollup runs a Rollup-style plugin, from its `this.meta`. */
export function bundlerFromMeta(meta: PluginMetaLike): BundlerInfo {
  if (meta.viteVersion) return { kind: 'vite', version: meta.viteVersion };
  if (meta.rolldownVersion) return { kind: 'rolldown', version: meta.rolldownVersion };
  return { kind: 'rollup', version: meta.rollupVersion };
}

/** The major version, or undefined when unknown. */
export function majorOf(bundler: BundlerInfo): number | undefined {
  const major = Number.parseInt(bundler.version ?? '', 10);
  return Number.isNaN(major) ? undefined : major;
}
