import type { CredentialsLookup } from './credentials/resolve-credentials.js';
import type { Env, OutputChunk, PublishOptions } from './options/types.js';
import type { PublishEnvironment, PublishResult } from './publish.js';

// The package entry stays small: the publish pipeline (and through it undici, git and file I/O)
// is imported when a publish actually starts, so a disabled, dry-running or merely imported plugin
// pays nothing for it.

/**
 * Publishes a build's routine file to ESA: upload info -> OSS upload -> commit -> deploy (staging by
 * default). See `publish.ts` for the full contract.
 */
export async function publishRoutine(
  options: PublishOptions,
  outputs: OutputChunk | readonly OutputChunk[],
  environment?: PublishEnvironment,
): Promise<PublishResult> {
  const { publishRoutine: publish } = await import('./publish.js');
  return publish(options, outputs, environment);
}

/**
 * Everything a publish checks before its first request: the options (all problems at once) and the
 * credentials chain. Adapters call it when a build starts, so a bad config fails before bundling.
 * Throws a `ConfigError`; resolves where the credentials were found. A dry run needs none, so for
 * one their absence resolves `undefined` instead of throwing.
 */
export async function checkPublishConfig(
  given: PublishOptions,
  environment: { readonly env?: Env; readonly homeDir?: string; readonly cwd?: string } = {},
): Promise<CredentialsLookup | undefined> {
  const env = environment.env ?? process.env;
  const [{ assertValidOptions }, { normalizeOptions }, { resolveCredentialsFor }, { withProjectConfig }] =
    await Promise.all([
      import('./options/validate.js'),
      import('./options/normalize.js'),
      import('./credentials/resolve-credentials.js'),
      import('./project/project-config.js'),
    ]);
  const options = await withProjectConfig(given, environment.cwd ?? process.cwd(), env);
  assertValidOptions(options, env);
  const normalized = normalizeOptions(options, env, process.cwd());
  const lookup = resolveCredentialsFor(normalized, { env, homeDir: environment.homeDir });
  return normalized.dryRun ? lookup.catch(() => undefined) : lookup;
}

/** Starts loading what a dry run runs (the file check and the description), without waiting for it. */
export function prefetchDryRun(): void {
  import('./publish.js').catch(() => undefined);
}

/**
 * Starts loading what a publish runs (the pipeline and undici's dispatchers) and warms it up with
 * one read-only call (see `plugin/warm-up.ts`), without waiting for either: a failure here
 * surfaces, if at all, when the publish itself runs.
 */
export function prefetchPublish(
  given: PublishOptions,
  environment: { readonly env?: Env; readonly homeDir?: string; readonly cwd?: string },
): void {
  void Promise.all([
    import('./publish.js'),
    import('./pipeline/run.js'),
    import('./plugin/warm-up.js').then((m) => m.warmUpPublish(given, environment)),
  ]).catch(() => undefined);
}

type Lifecycle = typeof import('./versions/lifecycle.js');

/** Every version ESA lists for a routine, and which environment serves each (`esa-stage versions list`). */
export async function listRoutineVersions(
  ...args: Parameters<Lifecycle['listRoutineVersions']>
): ReturnType<Lifecycle['listRoutineVersions']> {
  return (await import('./versions/lifecycle.js')).listRoutineVersions(...args);
}

/** Deletes versions, refusing a deployed one (`esa-stage versions delete`). */
export async function deleteRoutineVersions(
  ...args: Parameters<Lifecycle['deleteRoutineVersions']>
): ReturnType<Lifecycle['deleteRoutineVersions']> {
  return (await import('./versions/lifecycle.js')).deleteRoutineVersions(...args);
}

/** Deletes the versions no environment serves beyond the newest `keep` (`esa-stage versions prune`). */
export async function pruneRoutineVersions(
  ...args: Parameters<Lifecycle['pruneRoutineVersions']>
): ReturnType<Lifecycle['pruneRoutineVersions']> {
  return (await import('./versions/lifecycle.js')).pruneRoutineVersions(...args);
}

/** Deploys an existing version: promote, roll back, or a canary (`esa-stage deploy`). */
export async function deployRoutineVersion(
  ...args: Parameters<Lifecycle['deployRoutineVersion']>
): ReturnType<Lifecycle['deployRoutineVersion']> {
  return (await import('./versions/lifecycle.js')).deployRoutineVersion(...args);
}
