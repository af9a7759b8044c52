import {
  type BuildContext,
  type EsaStageError,
  type NothingPublished,
  PublishSession,
} from '@esa-stage/core';
import {
  outputDir,
  type PluginContextLike,
  type RollupEsaStageOptions,
  type RollupPluginLike,
  rollupAdapter,
} from '@esa-stage/rollup-plugin';
import {
  chooseEnvironment,
  type ResolvedConfigLike,
  singleEnvironment,
  type Target,
} from './environments.js';

/** Options of the Vite plugin: the Rollup plugin's, and `environment`. */
export interface ViteEsaStageOptions extends RollupEsaStageOptions {
  /**
   * The Vite environment (Vite 6+ environment API) whose build publishes; every other environment
   * is skipped with a note, so one `vite build` never publishes twice.
   * @default 'ssr' when the build builds an SSR environment (`build.ssr`, or `environments.ssr` in an app build), else its one server environment, else 'client'
   */
  environment?: string;
}

/** The context Vite gives the `buildApp` hook. */
export interface BuildAppContextLike {
  readonly meta: { readonly viteVersion?: string | undefined };
  warn(message: string): void;
  info(message: string): void;
}

/** The part of Vite's builder the plugin reads: which environments exist and which were built. */
export interface ViteBuilderLike {
  readonly environments: Readonly<Record<string, { readonly isBuilt: boolean }>>;
}

/** What `esaStage()` returns: a Vite plugin (the Rollup plugin, for builds only, run last). */
export interface VitePluginLike extends RollupPluginLike {
  readonly apply: 'build';
  readonly enforce: 'post';
  /** One instance sees every environment of an app build, so it can publish exactly once. */
  readonly sharedDuringBuild: true;
  configResolved(config: ResolvedConfigLike): void;
  readonly buildApp: {
    readonly order: 'post';
    handler(this: BuildAppContextLike, builder: ViteBuilderLike): void;
  };
}

function appBuildContext(context: BuildAppContextLike): BuildContext {
  return {
    watchMode: false,
    bundler: { kind: 'vite', version: context.meta.viteVersion },
    report: { warn: (m) => context.warn(m), info: (m) => context.info(m) },
  };
}

/** Why a `vite build` cannot publish from `target`, when it cannot. */
function buildAppProblem(target: Target, builder: ViteBuilderLike): NothingPublished | undefined {
  if ('problem' in target) return target.problem;
  const names = Object.keys(builder.environments);
  const built = names.filter((n) => builder.environments[n]?.isBuilt);
  const chooseHint = `set the \`environment\` option to one of: ${names.join(', ')}`;
  if (!names.includes(target.name)) {
    return {
      code: 'EnvironmentNotBuilt',
      message: `this \`vite build\` builds ${names.map((n) => `"${n}"`).join(', ')}, not "${target.name}", the environment esa-stage publishes from`,
      hint: `${chooseHint}, or build "${target.name}" too (\`builder: {}\` in the Vite config, or \`vite build --app\`, builds every environment)`,
    };
  }
  // Nothing built yet means Vite's default builds every environment after this hook.
  if (built.length > 0 && !built.includes(target.name)) {
    return {
      code: 'EnvironmentNotBuilt',
      message: `the app build built ${built.join(', ')} but not "${target.name}", the environment esa-stage publishes from`,
      hint: `build "${target.name}" in \`builder.buildApp\`, or ${chooseHint}`,
    };
  }
  return undefined;
}

/**
 * Publishes the routine to ESA staging when `vite build` has written it (Vite 7 with Rollup, Vite 8
 * with Rolldown). One instance serves every environment of the build (`sharedDuringBuild`), and only
 * the chosen environment publishes.
 */
export function esaStage(options: ViteEsaStageOptions): VitePluginLike {
  const { environment, output, ...pluginOptions } = options;
  const session = new PublishSession(pluginOptions);
  let config: ResolvedConfigLike = { build: {} };
  /** The environments `vite build` builds, once its `buildApp` runs; a `vite.build()` call builds one. */
  let builds: readonly string[] | undefined;
  const noted = new Set<string>();
  /** Where the client environment of this app build wrote its files: the version's assets. */
  let clientOutput: string | undefined;

  const target = (): Target =>
    builds === undefined
      ? { name: environment ?? singleEnvironment(config) }
      : chooseEnvironment(builds, config, environment);

  // A JavaScript config is not type-checked: an `environment` that is no name fails the build.
  const badEnvironment: NothingPublished | undefined =
    environment === undefined || (typeof environment === 'string' && environment.trim() !== '')
      ? undefined
      : {
          code: 'InvalidConfig',
          message: `the \`environment\` option must be the name of a Vite environment, got ${JSON.stringify(environment)}`,
          hint: 'set `environment` to an environment this build builds, e.g. "ssr", or leave it out',
        };
  const skip = (context: PluginContextLike): boolean | NothingPublished => {
    if (badEnvironment) return badEnvironment;
    const name = context.environment?.name;
    const chosen = target();
    if (name === undefined || ('name' in chosen && name === chosen.name)) return false;
    if (builds === undefined && 'name' in chosen) {
      // `vite.build()` builds one environment, and the chosen one is not it.
      return {
        code: 'EnvironmentNotBuilt',
        message: `this build builds only the "${name}" environment, and esa-stage publishes from "${chosen.name}"`,
        hint: `set \`environment: "${name}"\`, or build "${chosen.name}" (\`vite build --app\` or \`builder: {}\` builds every environment)`,
      };
    }
    // In a `vite build`, `buildApp` has already reported a target that is not built.
    if (session.enabled && 'name' in chosen && builds?.includes(chosen.name) && !noted.has(name)) {
      noted.add(name);
      context.info(
        `not publishing from Vite environment "${name}": esa-stage publishes from "${chosen.name}" (the \`environment\` option chooses)`,
      );
    }
    return true;
  };

  const isAppClient = (context: PluginContextLike): boolean => {
    const name = context.environment?.name;
    const chosen = target();
    return (
      builds !== undefined &&
      name !== undefined &&
      'name' in chosen &&
      name !== chosen.name &&
      (config.environments?.[name]?.consumer ?? (name === 'client' ? 'client' : undefined)) === 'client'
    );
  };
  const adapter = rollupAdapter(session, output, {
    skip,
    // The client build of an app build; for assets alone (`routine: false`), this build's output.
    assets: (dir) =>
      clientOutput ? { directory: clientOutput } : options.routine === false ? { directory: dir } : undefined,
  });

  return {
    ...adapter,
    writeBundle: {
      ...adapter.writeBundle,
      handler(outputOptions, bundle) {
        // The client build of an app build is the version's assets: remember where it went.
        if (isAppClient(this)) clientOutput = outputDir(outputOptions);
        return adapter.writeBundle.handler.call(this, outputOptions, bundle);
      },
    },
    apply: 'build',
    enforce: 'post',
    sharedDuringBuild: true,
    configResolved(resolved) {
      // Called for the app and again for each environment of an app build: all agree on what is read.
      config = resolved;
    },
    buildApp: {
      order: 'post',
      handler(builder) {
        builds = Object.keys(builder.environments);
        clientOutput = undefined;
        if (!session.enabled) return;
        const problem = buildAppProblem(target(), builder);
        if (!problem) return;
        try {
          session.reject(appBuildContext(this), problem);
        } catch (caught) {
          // Vite prints the message alone: give it the whole line (code, message, hint).
          const error = caught as EsaStageError;
          throw Object.assign(new Error(error.toLine(), { cause: error }), { code: error.code });
        }
      },
    },
  };
}
