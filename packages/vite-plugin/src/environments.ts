import type { NothingPublished } from '@esa-stage/core';

/** The part of Vite's resolved config the plugin reads. */
export interface ResolvedConfigLike {
  readonly build: { readonly ssr?: boolean | string | undefined };
  readonly environments?: Readonly<Record<string, { readonly consumer?: string | undefined }>> | undefined;
}

/** The environment that publishes, or why none can be chosen. */
export type Target = { readonly name: string } | { readonly problem: NothingPublished };

/** The environment a build of one environment (`vite.build()`) builds: `ssr` with `build.ssr`, else `client`. */
export function singleEnvironment(config: ResolvedConfigLike): string {
  return config.build.ssr ? 'ssr' : 'client';
}

/**
 * Chooses, among the environments a `vite build` builds, the one that publishes. Pure. The option
 * wins. Otherwise `ssr` when it is built, else the one server environment, else `client` (where a
 * browser build is then refused by the artifact check, with the recipe).
 */
export function chooseEnvironment(
  built: readonly string[],
  config: ResolvedConfigLike,
  option: string | undefined,
): Target {
  if (option !== undefined) return { name: option };
  const servers = built.filter((name) => config.environments?.[name]?.consumer === 'server');
  if (servers.includes('ssr')) return { name: 'ssr' };
  if (servers.length === 1) return { name: servers[0] as string };
  if (servers.length === 0) return { name: built.includes('client') ? 'client' : (built[0] ?? 'client') };
  return {
    problem: {
      code: 'EnvironmentAmbiguous',
      message: `the build has several server environments (${servers.join(', ')}) and none is named ssr`,
      hint: `set the \`environment\` option to the one whose build is the routine: ${servers.join(', ')}`,
    },
  };
}
