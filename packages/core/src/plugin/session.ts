import { ConfigError, EsaStageError } from '../errors.js';
import type { Env, OutputChunk, PublishOptions } from '../options/types.js';
import type { PublishedResult, PublishResult } from '../publish.js';
import { PLUGIN_OPTION_NAMES, type PluginOptions } from './plugin-options.js';

/** How a plugin reports to its bundler (Rollup `this.warn`, esbuild's result warnings, ...). */
export interface PluginReporter {
  warn(message: string): void;
  info(message: string): void;
}

/** What the bundler says about the build that just wrote its output. */
export interface BuildContext {
  /** True in watch mode (Rollup/Vite `--watch`), or for an esbuild rebuild after the first build. */
  readonly watchMode: boolean;
  readonly report: PluginReporter;
}

/** Why a build's output was not published, when it was not. */
export type SkipReason = 'disabled' | 'watch' | 'unchanged';

export type SessionOutcome =
  | { readonly published: true; readonly result: PublishResult }
  | { readonly published: false; readonly reason: SkipReason }
  | { readonly published: false; readonly reason: 'failed'; readonly error: EsaStageError };

function validatePluginOptions(options: PluginOptions): ConfigError | undefined {
  const problems = [];
  for (const name of ['enabled', 'failOnError', 'watch'] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== 'boolean') {
      problems.push({ option: name, message: `must be true or false, got ${typeof value}` });
    }
  }
  if (options.onPublished !== undefined && typeof options.onPublished !== 'function') {
    problems.push({ option: 'onPublished', message: 'must be a function' });
  }
  return problems.length > 0 ? new ConfigError(problems) : undefined;
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

/**
 * The one place plugin behaviour lives, shared by every adapter: option checks when a build starts,
 * the enabled / watch / unchanged-bytes rules, `failOnError` and `onPublished`. An adapter turns its
 * bundler's output into {@link OutputChunk}s and calls {@link PublishSession.publish}.
 */
export class PublishSession {
  private readonly publishOptions: PublishOptions;
  private lastPublishedSha256: string | undefined;

  constructor(
    private readonly options: PluginOptions,
    private readonly environment: {
      readonly env?: Env;
      readonly cwd?: string;
      readonly homeDir?: string;
    } = {},
  ) {
    this.publishOptions = publishOptionsOf(options);
  }

  get enabled(): boolean {
    return this.options.enabled !== false;
  }

  /** Whether a build in this mode would publish at all. */
  willPublish(watchMode: boolean): boolean {
    return this.enabled && (!watchMode || this.options.watch === true);
  }

  /**
   * Checks the options and finds credentials when a build starts, so a bad configuration fails
   * before any bundling work. Does nothing when the build will not publish. Throws a {@link ConfigError}.
   */
  async start(watchMode: boolean): Promise<void> {
    if (!this.willPublish(watchMode)) return;
    const pluginProblem = validatePluginOptions(this.options);
    if (pluginProblem) throw pluginProblem;
    const { checkPublishConfig } = await import('../lazy.js');
    await checkPublishConfig(this.publishOptions, this.environment);
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

  /**
   * Publishes a build's outputs, or says why not. Failures are thrown when `failOnError` (the
   * default), else reported as a warning and returned.
   */
  async publish(outputs: readonly OutputChunk[], build: BuildContext): Promise<SessionOutcome> {
    if (!this.enabled) return { published: false, reason: 'disabled' };
    if (build.watchMode && this.options.watch !== true) {
      return { published: false, reason: 'watch' };
    }
    try {
      let chunk: OutputChunk | readonly OutputChunk[] = outputs;
      if (build.watchMode) {
        const { pickChunkWithHash } = await import('./pick-chunk.js');
        const picked = await pickChunkWithHash(outputs, this.options.chunk);
        if (picked.sha256 === this.lastPublishedSha256) {
          build.report.info(
            `${picked.chunk.fileName} is unchanged since the last publish; not publishing it again`,
          );
          return { published: false, reason: 'unchanged' };
        }
        chunk = picked.chunk;
      }
      const { publishRoutine } = await import('../lazy.js');
      const result = await publishRoutine(this.publishOptions, chunk, this.environment);
      if (!result.dryRun) {
        this.lastPublishedSha256 = result.sha256;
        await this.runOnPublished(result);
      }
      return { published: true, result };
    } catch (caught) {
      const error = asEsaStageError(caught);
      if (this.options.failOnError !== false) throw error;
      build.report.warn(`publish failed, and failOnError is false so the build goes on: ${error.toLine()}`);
      return { published: false, reason: 'failed', error };
    }
  }
}
