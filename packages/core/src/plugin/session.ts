import type { BundlerInfo } from '../artifact/bundler.js';
import { ConfigError, EsaStageError } from '../errors.js';
import type { Logger, LogLevel } from '../log/logger.js';
import { envSwitch, isCi } from '../options/env-flags.js';
import type { AssetsOption, Env, OutputChunk, PublishOptions } from '../options/types.js';
import type { PublishedResult, PublishResult } from '../publish.js';
import { PLUGIN_OPTION_NAMES, type PluginOptions } from './plugin-options.js';

/**
 * Marks a plugin object as an esa-stage publisher of a routine (the value is the routine's name,
 * or undefined when disabled), so that every instance can see the others in the bundler's plugin
 * list. A registry symbol, so two copies of the package still see each other.
 */
export const PUBLISHER_MARK: unique symbol = Symbol.for('esa-stage.publisher') as never;

/** How a plugin reports to its bundler (Rollup `this.info` / `this.warn`, esbuild's messages, ...). */
export interface PluginReporter {
  warn(message: string): void;
  info(message: string): void;
  debug?(message: string): void;
}

/** What the bundler says about the build at hand. */
export interface BuildContext {
  /** True in watch mode (Rollup/Vite `--watch`), or for an esbuild rebuild after the first build. */
  readonly watchMode: boolean;
  readonly report: PluginReporter;
  /** The tool running the build, so error hints name its settings. */
  readonly bundler: BundlerInfo;
  /** Every plugin of the build as the bundler lists them, to find a second esa-stage for one routine. */
  readonly plugins?: readonly unknown[] | undefined;
  /** Static files the adapter found for this publish (Vite: the client build), unless `assets` is set. */
  readonly assets?: AssetsOption | undefined;
}

/** Why a build's output was not published, when it was not. */
export type SkipReason = 'disabled' | 'watch' | 'unchanged' | 'no-credentials';

export type SessionOutcome =
  | { readonly published: true; readonly result: PublishResult }
  | { readonly published: false; readonly reason: SkipReason }
  | { readonly published: false; readonly reason: 'failed'; readonly error: EsaStageError };

/** What an adapter says when a build ended and nothing reached {@link PublishSession.publish}. */
export interface NothingPublished {
  /** What the build wrote instead, e.g. `only dist/index.cjs (format cjs)`. */
  readonly message: string;
  readonly hint: string;
  /** @default 'NothingPublished' */
  readonly code?: string;
}

function validatePluginOptions(options: PluginOptions): ConfigError | undefined {
  const problems = [];
  for (const name of ['enabled', 'failOnError', 'watch'] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== 'boolean') {
      problems.push({ option: name, message: `must be true or false, got ${JSON.stringify(value)}` });
    }
  }
  if (options.onPublished !== undefined && typeof options.onPublished !== 'function') {
    problems.push({ option: 'onPublished', message: 'must be a function' });
  }
  return problems.length > 0
    ? new ConfigError(problems, {
        hint: 'fix the plugin options listed; each is described in the esa-stage README',
      })
    : undefined;
}

function publishOptionsOf(options: PluginOptions): PublishOptions {
  const copy: Record<string, unknown> = { ...options };
  for (const name of PLUGIN_OPTION_NAMES) delete copy[name];
  return copy as unknown as PublishOptions;
}

function asEsaStageError(error: unknown): EsaStageError {
  if (error instanceof EsaStageError) return error;
  return new EsaStageError(error instanceof Error ? error.message : String(error), {
    code: 'Unexpected',
    cause: error,
  });
}

/** The bundler's reporter as a core logger: debug, info and warn in the bundler's own voice. */
function hostLogger(report: PluginReporter): Logger {
  return {
    debug: (m) => report.debug?.(m),
    info: (m) => report.info(m),
    warn: (m) => report.warn(m),
    error: (m) => report.warn(m),
  };
}

const RANK: Readonly<Record<LogLevel, number>> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** The reporter, quiet below the `logLevel` option (the bundler then applies its own level). */
function leveled(report: PluginReporter, level: LogLevel): PluginReporter {
  const rank = RANK[level];
  return {
    warn: (m) => (rank >= RANK.warn ? report.warn(m) : undefined),
    info: (m) => (rank >= RANK.info ? report.info(m) : undefined),
    debug: (m) => (rank >= RANK.debug ? report.debug?.(m) : undefined),
  };
}

/** How many plugins in a bundler's list publish `name`. */
function publishersOf(plugins: readonly unknown[], name: string): number {
  return plugins.filter(
    (p) => typeof p === 'object' && p !== null && (p as Record<symbol, unknown>)[PUBLISHER_MARK] === name,
  ).length;
}

/**
 * The one place plugin behaviour lives, shared by every adapter: checks when a build starts, the
 * enabled / watch / unchanged-bytes / no-credentials rules, `failOnError`, `onPublished`, and the
 * rule that a build which should publish and did not fails. An adapter turns its bundler's output
 * into {@link OutputChunk}s and calls {@link PublishSession.publish}.
 */
export class PublishSession {
  private readonly publishOptions: PublishOptions;
  private readonly env: Env;
  private lastPublishedSha256: string | undefined;
  /** Why the build at hand does not publish, decided when it starts. */
  private skip: SkipReason | undefined;
  /** Whether the build at hand reached {@link publish}. */
  private attempted = false;
  private warnedNoCredentials = false;

  constructor(
    private readonly options: PluginOptions,
    private readonly environment: {
      readonly env?: Env;
      readonly cwd?: string;
      readonly homeDir?: string;
    } = {},
  ) {
    this.publishOptions = publishOptionsOf(options);
    this.env = environment.env ?? process.env;
  }

  /** The routine, as messages name it (its name may come from esa.jsonc / esa.toml). */
  private get routine(): string {
    return this.options.name ?? 'the esa.jsonc routine';
  }

  /** False with `enabled: false` or env `ESA_STAGE_DISABLED=1`. */
  get enabled(): boolean {
    return this.options.enabled !== false && envSwitch(this.env, 'ESA_STAGE_DISABLED') !== true;
  }

  /** Whether the build at hand publishes (not disabled, not a skipped watch build, credentials found). */
  get publishing(): boolean {
    return this.skip === undefined;
  }

  /** The property an adapter puts on its plugin object (see {@link PUBLISHER_MARK}). */
  get mark(): { readonly [PUBLISHER_MARK]: string | undefined } {
    return { [PUBLISHER_MARK]: this.enabled ? this.routine : undefined };
  }

  /** The build's reporter, quiet below the `logLevel` option. */
  private leveled(build: BuildContext): BuildContext {
    const level: unknown = this.options.logLevel;
    const known = typeof level === 'string' && level in RANK ? (level as LogLevel) : 'info';
    return { ...build, report: leveled(build.report, known) };
  }

  private skipReasonAtStart(watchMode: boolean): SkipReason | undefined {
    if (!this.enabled) return 'disabled';
    return watchMode && this.options.watch !== true ? 'watch' : undefined;
  }

  /**
   * Called when a build starts: checks the options and finds credentials, so a bad configuration
   * fails before any bundling work, and refuses a second instance publishing the same routine.
   * Outside CI, a build with no credentials anywhere warns once and does not publish (a fresh
   * clone must build); in CI it fails. Throws an {@link EsaStageError}.
   */
  async start(context: BuildContext): Promise<void> {
    const build = this.leveled(context);
    this.attempted = false;
    this.skip = this.skipReasonAtStart(build.watchMode);
    if (this.skip) return;
    const pluginProblem = validatePluginOptions(this.options);
    if (pluginProblem) throw pluginProblem;
    const instances = publishersOf(build.plugins ?? [], this.routine);
    if (instances > 1) {
      throw new ConfigError(
        [
          {
            option: 'plugins',
            message: `esa-stage is listed ${instances} times for routine ${this.routine}`,
          },
        ],
        {
          code: 'DuplicatePlugin',
          hint: 'keep one esaStage() for each routine; to publish two routines from one build, give each its own `name` and `chunk`',
        },
      );
    }
    const { checkPublishConfig, prefetchDryRun, prefetchPublish } = await import('../lazy.js');
    try {
      await checkPublishConfig(this.publishOptions, this.environment);
      // The bundler works for a while before it writes: load and warm the publish's code now, so
      // that writeBundle starts with its first request and the process does not wait at its end.
      const dryRun = this.publishOptions.dryRun === true || envSwitch(this.env, 'ESA_STAGE_DRY_RUN') === true;
      // A dry run makes no request: only its code (the file check, the description) loads now.
      if (dryRun) prefetchDryRun();
      else prefetchPublish(this.publishOptions, this.environment);
    } catch (error) {
      if (!(error instanceof EsaStageError) || error.code !== 'CredentialsNotFound' || isCi(this.env)) {
        throw error;
      }
      this.skip = 'no-credentials';
      if (!this.warnedNoCredentials) {
        this.warnedNoCredentials = true;
        build.report.warn(
          `no credentials found, so builds do not publish to ${this.routine} (outside CI this is a warning; in CI it fails the build). Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or ESA_STAGE_DISABLED=1 to turn publishing off`,
        );
      }
    }
  }

  private async runOnPublished(result: PublishedResult): Promise<void> {
    try {
      await this.options.onPublished?.(result);
    } catch (error) {
      throw new EsaStageError(
        `onPublished threw after ${result.name} ${result.codeVersion} was published: ${error instanceof Error ? error.message : String(error)}`,
        {
          code: 'OnPublishedFailed',
          hint: 'the publish itself succeeded; fix the onPublished callback',
          cause: error,
        },
      );
    }
  }

  private fail(error: EsaStageError, build: BuildContext): SessionOutcome {
    if (this.options.failOnError !== false) throw error;
    build.report.warn(`publish failed, and failOnError is false so the build goes on: ${error.toLine()}`);
    return { published: false, reason: 'failed', error };
  }

  private skipped(reason: SkipReason, build: BuildContext): SessionOutcome {
    if (reason === 'disabled') {
      const why = this.options.enabled === false ? 'enabled: false' : 'ESA_STAGE_DISABLED is set';
      build.report.info(`not publishing ${this.routine}: publishing is off (${why})`);
    } else if (reason === 'watch') {
      build.report.info(
        `not publishing ${this.routine} from a watch-mode build (\`watch: true\` publishes each changed rebuild)`,
      );
    }
    return { published: false, reason };
  }

  /**
   * Publishes a build's outputs, or says in one line why not. Failures are thrown when
   * `failOnError` (the default), else reported as a warning and returned.
   */
  async publish(outputs: readonly OutputChunk[], context: BuildContext): Promise<SessionOutcome> {
    const build = this.leveled(context);
    if (this.skip) return this.skipped(this.skip, build);
    this.attempted = true;
    try {
      if (build.watchMode) {
        const { pickChunkWithHash } = await import('./pick-chunk.js');
        const picked = await pickChunkWithHash(outputs, this.options.chunk);
        if (picked.sha256 === this.lastPublishedSha256) {
          build.report.info(
            `${picked.chunk.fileName} is unchanged since the last publish; not publishing it again`,
          );
          return { published: false, reason: 'unchanged' };
        }
      }
      const { publishRoutine } = await import('../lazy.js');
      // Assets an adapter found are used unless the options say otherwise (`assets: false` too).
      const options =
        build.assets && this.publishOptions.assets === undefined
          ? { ...this.publishOptions, assets: build.assets }
          : this.publishOptions;
      const result = await publishRoutine(options, outputs, {
        ...this.environment,
        env: this.env,
        bundler: build.bundler,
        logger: hostLogger(build.report),
      });
      if (!result.dryRun) {
        this.lastPublishedSha256 = result.sha256;
        await this.runOnPublished(result);
      }
      return { published: true, result };
    } catch (caught) {
      return this.fail(asEsaStageError(caught), build);
    }
  }

  /**
   * Fails (or, with `failOnError: false`, warns) because the build cannot publish what the options
   * ask for, e.g. a Vite environment that is not built. Does nothing for a disabled plugin.
   */
  reject(context: BuildContext, nothing: NothingPublished): void {
    if (!this.enabled) return;
    this.fail(this.nothingError(nothing), this.leveled(context));
  }

  private nothingError({ message, hint, code }: NothingPublished): EsaStageError {
    return new EsaStageError(`nothing was published to ${this.routine}: ${message}`, {
      code: code ?? 'NothingPublished',
      hint,
    });
  }

  /**
   * Called when a build has ended. A build that should have published and never reached
   * {@link publish} (no ES output, no build of the chosen environment) is a failure, not a
   * green build: thrown with `failOnError`, else a warning.
   */
  finish(context: BuildContext, nothing: () => NothingPublished): void {
    if (this.skip || this.attempted) return;
    this.fail(this.nothingError(nothing()), this.leveled(context));
  }
}
