import { stat } from 'node:fs/promises';
import type { BundlerInfo } from './artifact/bundler.js';
import { checkArtifact } from './artifact/check-artifact.js';
import { createChunkMatcher, selectChunk } from './chunk/select-chunk.js';
import type { ReportedOutcome } from './ci/write-reports.js';
import {
  forgetIssuedCredentials,
  obtainCredentials,
  stsCallOptions,
} from './credentials/obtain-credentials.js';
import {
  type CredentialsLookup,
  lookupSecrets,
  resolveCredentialsFor,
} from './credentials/resolve-credentials.js';
import { ChunkError, EsaStageError } from './errors.js';
import { formatBytes, formatPublishedLine } from './format.js';
import { descriptionNeedsGit, formatDescription } from './git/description.js';
import { UNKNOWN_GIT_INFO } from './git/git-info.js';
import { createLogger, type Logger } from './log/logger.js';
import { Secrets } from './log/secrets.js';
import { normalizeOptions } from './options/normalize.js';
import type { Env, EnvName, NormalizedOptions, OutputChunk, PublishOptions } from './options/types.js';
import { assertValidOptions } from './options/validate.js';
import type { EnvChange } from './pipeline/record.js';
import type { StagingAccess } from './pipeline/staging-access.js';
import type { StagingCheck } from './pipeline/verify-staging.js';
import { type ProgressStyle, progressFactory } from './progress/upload-progress.js';
import { withProjectConfig } from './project/project-config.js';

export type DeployedEnv = EnvName;
export type { EnvChange, VersionShare } from './pipeline/record.js';
export type { StagingAccess } from './pipeline/staging-access.js';
export type { StagingCheck } from './pipeline/verify-staging.js';

/** A publish that happened. */
export interface PublishedResult {
  readonly dryRun: false;
  /**
   * `published`: this publish made `codeVersion`. `unchanged`: the bytes equal `codeVersion`, a
   * version an environment served already, so nothing was uploaded or committed.
   */
  readonly status: 'published' | 'unchanged';
  readonly name: string;
  /** The version now deployed, a 19-digit string (never a number: it exceeds 2^53). */
  readonly codeVersion: string;
  /** The version's stored description. */
  readonly description: string;
  /** The output file published, relative to the output directory. */
  readonly fileName: string;
  readonly size: number;
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string;
  /** Environments serving `codeVersion` now (fully, or as a canary), in the order deployed. */
  readonly deployedTo: readonly DeployedEnv[];
  /** The deployments this publish made: each environment and what it serves now. */
  readonly deployments: readonly EnvChange[];
  /** For a version with assets: how many asset files, the zip's size, and the hash of its content. */
  readonly assets:
    | { readonly files: number; readonly zipSize: number; readonly contentSha256: string }
    | undefined;
  /** How to send a request to staging (`curl --resolve ...`), when staging serves the version. */
  readonly staging: StagingAccess | undefined;
  /** How staging answered the `verify` request (before any promotion), when it was asked. */
  readonly verify: StagingCheck | undefined;
  /** Versions this publish created, and deleted (pruned, or another publish's bytes). */
  readonly versionsCreated: readonly string[];
  readonly versionsDeleted: readonly string[];
  readonly endpoint: string;
  /** ESA and OSS request ids by step (`routine`, `uploadInfo`, `upload`, `commit`, `verify`, `staging`, `production`, ...). */
  readonly requestIds: Readonly<Record<string, string>>;
  /** Milliseconds spent in each step, and `total`. */
  readonly timings: Readonly<Record<string, number>> & { readonly total: number };
}

/** What a dry run would have done; no request was made. */
export interface DryRunResult {
  readonly dryRun: true;
  readonly name: string;
  readonly description: string;
  readonly fileName: string;
  readonly size: number;
  readonly sha256: string;
  readonly endpoint: string;
  /** Where credentials would come from, or why none were found. */
  readonly credentials: string;
  /** The requests a real publish would make, in order. */
  readonly steps: readonly string[];
}

export type PublishResult = PublishedResult | DryRunResult;

/** Things a publish reads from its surroundings; tests replace them. */
export interface PublishEnvironment {
  /** @default process.env */
  readonly env?: Env;
  /** @default process.cwd() */
  readonly cwd?: string;
  /** Where `~/.aliyun/config.json` is looked for. @default os.homedir() */
  readonly homeDir?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** The tool that built the file, so a refusal names the setting of that tool. @default { kind: 'api' } */
  readonly bundler?: BundlerInfo;
  /**
   * The host's logger (a bundler's), used when the `logger` option is not given. It adds its own
   * prefix, so lines reach it without `esa-stage: `. @default undefined (stderr, prefixed)
   */
  readonly logger?: Logger;
  /**
   * How an upload over 1 MB shows its progress when a person watches (a terminal, outside CI):
   * `'line'` rewrites one line on stderr (the CLI), `'log'` logs a line every 2 seconds through the
   * logger (the plugins), `false` never.
   * @default 'log'
   */
  readonly progress?: ProgressStyle | false;
}

function plannedSteps(options: NormalizedOptions): string[] {
  const { verify } = options;
  const deploys = options.deploy.flatMap((s) => [
    `CreateRoutineCodeDeployment Env=${s.env}${s.percentage < 100 ? ` ${s.percentage}%` : ''}`,
    ...(s.env === 'staging' && verify
      ? [`GET ${verify.path} from staging until ${verify.expected} (up to ${verify.timeout / 1000} s)`]
      : []),
  ]);
  if (options.pipeline === 'assets') {
    return [
      `zip routine/index.js${options.assets ? ` and ${options.assets.directory} as assets/` : ''}, with GetRoutine + GetRoutineStagingEnvIp`,
      ...(options.skipUnchanged
        ? ['GetRoutineCodeVersionInfo of the versions served (unchanged content: stop here)']
        : []),
      'CreateRoutineWithAssetsCodeVersion',
      'OSS PostObject upload of the zip',
      'GetRoutineCodeVersionInfo until available',
      ...deploys,
    ];
  }
  return [
    'GetRoutine + GetRoutineStagingEnvIp + GetRoutineStagingCodeUploadInfo',
    ...(options.skipUnchanged
      ? ['GetRoutineCodeVersion of the versions served (unchanged bytes: stop here)']
      : []),
    'OSS PostObject upload',
    'CommitRoutineStagingCode',
    'GetRoutineCodeVersion (the version holds these bytes)',
    ...deploys,
  ];
}

async function sizeOf(chunk: OutputChunk): Promise<number> {
  if ('bytes' in chunk.source) return chunk.source.bytes.length;
  try {
    return (await stat(chunk.source.path)).size;
  } catch (error) {
    throw new ChunkError(`cannot read ${chunk.source.path}: ${(error as Error).message}`, {
      code: 'ChunkUnreadable',
      hint: 'publish after the bundler has written its output, and check the path',
      cause: error,
    });
  }
}

/**
 * Publishes a build's routine file to ESA: upload info -> OSS upload -> commit -> deploy (staging by
 * default). `outputs` are the build's output files in core's neutral shape; the `chunk` option (or
 * the single entry chunk) picks the one to publish. Options are validated before anything else, and
 * every failure throws an {@link EsaStageError} with a code, the request id and a hint.
 */
export async function publishRoutine(
  given: PublishOptions,
  outputs: OutputChunk | readonly OutputChunk[],
  environment: PublishEnvironment = {},
): Promise<PublishResult> {
  const env = environment.env ?? process.env;
  const cwd = environment.cwd ?? process.cwd();
  const targets = {
    manifest: (given as { manifest?: unknown } | undefined)?.manifest,
    cwd: typeof given?.cwd === 'string' ? given.cwd : cwd,
    env,
  };
  // Until the options are known, report failures to the host's logger (or stderr).
  let logger = environment.logger ?? createLogger({ level: 'error', secrets: new Secrets() });
  let name = typeof given?.name === 'string' ? given.name : '';
  // The report writers load only when there is something to write.
  const reported = async (outcome: ReportedOutcome) => {
    if (typeof targets.manifest === 'string' || env.GITHUB_ACTIONS === 'true') {
      const { writePublishReports } = await import('./ci/write-reports.js');
      await writePublishReports(outcome, targets, logger);
    }
  };
  let result: PublishResult;
  try {
    const now = environment.now ?? (() => new Date());
    const options = await withProjectConfig(given, cwd, env);
    name = options.name ?? name;
    assertValidOptions(options, env);
    const opts = normalizeOptions(options, env, cwd);
    const secrets = new Secrets();
    secrets.add(opts.credentials?.accessKeySecret);
    secrets.add(opts.credentials?.securityToken);
    const hostLogger = opts.logger ? undefined : environment.logger;
    logger = createLogger({
      level: opts.logLevel,
      sink: opts.logger ?? hostLogger,
      secrets,
      ...(hostLogger && { prefix: '' }),
    });
    try {
      result = await run(opts, Array.isArray(outputs) ? outputs : [outputs as OutputChunk], {
        env,
        now,
        secrets,
        logger,
        homeDir: environment.homeDir,
        bundler: environment.bundler ?? { kind: 'api' },
        progress: environment.progress ?? 'log',
      });
    } catch (error) {
      throw secrets.redactError(error);
    }
  } catch (error) {
    await reported({ name, error });
    throw error;
  }
  await reported({ name, result });
  return result;
}

interface RunContext {
  readonly env: Env;
  readonly now: () => Date;
  readonly secrets: Secrets;
  readonly logger: Logger;
  readonly homeDir: string | undefined;
  readonly bundler: BundlerInfo;
  readonly progress: ProgressStyle | false;
}

/** What is settled before any request: the file, its size, the description, the credentials. */
interface Prepared {
  /** The routine file; undefined for a version of assets alone (`routine: false`). */
  readonly chunk: OutputChunk | undefined;
  readonly size: number;
  readonly sha256: string;
  readonly description: string;
  /**
   * The credentials (a role already exchanged at STS, unless a dry run), or why there are none (a
   * dry run goes ahead without).
   */
  readonly credentials: CredentialsLookup | Error;
  /** What the chain found (a role, before its exchange), to drop its credentials if ESA refuses them. */
  readonly lookup: CredentialsLookup | undefined;
}

async function prepare(
  opts: NormalizedOptions,
  outputs: readonly OutputChunk[],
  ctx: RunContext,
): Promise<Prepared> {
  // Started now: git, the credentials chain and any STS exchange run while the file is checked.
  // git runs only when the description needs it (a plain string does not).
  const gitInfo = descriptionNeedsGit(opts.description)
    ? import('./git/read-git-info.js').then((git) => git.readGitInfo({ cwd: opts.cwd, env: ctx.env }))
    : Promise.resolve(UNKNOWN_GIT_INFO);
  let lookup: CredentialsLookup | undefined;
  const credentials = resolveCredentialsFor(opts, { env: ctx.env, homeDir: ctx.homeDir, now: ctx.now })
    .then((found): Promise<CredentialsLookup> | CredentialsLookup => {
      lookup = found;
      for (const secret of lookupSecrets(found)) ctx.secrets.add(secret);
      // A dry run makes no request, STS included.
      return opts.dryRun ? found : obtainCredentials(found, stsCallOptions(opts, ctx.logger), ctx.now);
    })
    .catch((error: unknown): Error => (error instanceof Error ? error : new Error(String(error))));
  let chunk: OutputChunk | undefined;
  let size = 0;
  let sha256 = '';
  if (opts.routine) {
    chunk = selectChunk(outputs, await createChunkMatcher(opts.chunk), opts.chunk !== undefined);
    size = await sizeOf(chunk);
    if (size === 0) {
      throw new ChunkError(`${chunk.fileName} is empty`, {
        code: 'ChunkEmpty',
        hint: 'check the build: an Edge Routine needs code',
      });
    }
    const notes = await checkArtifact(chunk, outputs, ctx.bundler);
    sha256 = notes.sha256;
    if (notes.computedImports > 0) {
      ctx.logger.warn(
        `${chunk.fileName} has ${notes.computedImports} import() with a computed specifier; at run time ESA can load only the node: modules it provides`,
      );
    }
  } else if (!opts.assets) {
    throw new ChunkError('routine: false publishes assets alone, and no assets were given', {
      code: 'AssetsEmpty',
      hint: 'set `assets: { directory }` (the Vite plugin takes the built output by itself)',
    });
  }
  const { description, warning } = formatDescription(opts.description, await gitInfo, ctx.now());
  if (warning) ctx.logger.warn(warning);
  return { chunk, size, sha256, description, credentials: await credentials, lookup };
}

async function dryRun(opts: NormalizedOptions, prepared: Prepared, logger: Logger): Promise<DryRunResult> {
  const { chunk, size, sha256, description, credentials } = prepared;
  const steps = plannedSteps(opts);
  const credentialsNote = credentials instanceof Error ? `none (${credentials.message})` : credentials.source;
  logger.info(
    `dry run: would publish ${chunk ? `${chunk.fileName} (${formatBytes(size)}, sha256 ${sha256})` : `the assets of ${opts.assets?.directory} alone`} to routine ${opts.name} at ${opts.endpoint} as ${JSON.stringify(description)}; steps: ${steps.join(' -> ')}; credentials: ${credentialsNote}`,
  );
  return {
    dryRun: true,
    name: opts.name,
    description,
    fileName: chunk?.fileName ?? '',
    size,
    sha256,
    endpoint: opts.endpoint,
    credentials: credentialsNote,
    steps,
  };
}

/** The one line a publish logs, and the staging line. */
function logOutcome(result: PublishedResult, logger: Logger): void {
  const where = result.deployedTo.map((env) => {
    const share = result.deployments
      .find((d) => d.env === env)
      ?.codeVersions.find((v) => v.codeVersion === result.codeVersion)?.percentage;
    return share !== undefined && share < 100 ? `${env} (${share}%)` : env;
  });
  const line = formatPublishedLine({
    name: result.name,
    codeVersion: result.codeVersion,
    deployedTo: where,
    size: result.size,
    totalMs: result.timings.total,
    description: result.description,
  });
  logger.info(result.status === 'unchanged' ? `${line}; unchanged: no new version` : line);
  if (result.staging) logger.info(`reach staging: ${result.staging.curl}`);
}

async function run(
  opts: NormalizedOptions,
  outputs: readonly OutputChunk[],
  ctx: RunContext,
): Promise<PublishResult> {
  const prepared = await prepare(opts, outputs, ctx);
  if (opts.dryRun) return dryRun(opts, prepared, ctx.logger);
  const { chunk, size, sha256, description } = prepared;
  if (prepared.credentials instanceof Error) throw prepared.credentials;
  // Already exchanged in prepare(): this returns the same credentials at once.
  const credentials = await obtainCredentials(
    prepared.credentials,
    stsCallOptions(opts, ctx.logger),
    ctx.now,
  );
  ctx.secrets.add(credentials.accessKeySecret);
  ctx.secrets.add(credentials.securityToken);
  ctx.logger.debug(
    `publishing ${chunk ? `${chunk.fileName} (${formatBytes(size)})` : 'assets alone'} to ${opts.name} at ${opts.endpoint}; credentials from ${credentials.source}`,
  );
  const { runPipeline } = await import('./pipeline/run.js');
  const { lookup } = prepared;
  const outcome = await runPipeline({
    opts,
    chunk,
    size,
    sha256,
    description,
    credentials,
    env: ctx.env,
    logger: ctx.logger,
    secrets: ctx.secrets,
    progress:
      ctx.progress === false
        ? undefined
        : progressFactory({
            style: ctx.progress,
            env: ctx.env,
            // The CLI's line goes to stderr; a bundler logs to stdout or stderr.
            isTTY:
              ctx.progress === 'line'
                ? process.stderr.isTTY === true
                : process.stdout.isTTY === true || process.stderr.isTTY === true,
            logLevel: opts.logLevel,
            logger: ctx.logger,
          }),
  }).catch((error: unknown) => {
    if (lookup) forgetIssuedCredentials(lookup, error);
    throw error;
  });
  const { record } = outcome;
  const result: PublishedResult = {
    dryRun: false,
    status: outcome.status,
    name: opts.name,
    codeVersion: outcome.codeVersion,
    description: outcome.description,
    fileName: chunk?.fileName ?? '',
    size,
    sha256,
    deployedTo: outcome.servedBy,
    deployments: record.envsChanged,
    assets: outcome.zip
      ? { files: outcome.zip.assets, zipSize: outcome.zip.size, contentSha256: outcome.zip.contentSha256 }
      : undefined,
    staging: outcome.staging,
    verify: outcome.verified,
    versionsCreated: record.versionsCreated,
    versionsDeleted: record.versionsDeleted,
    endpoint: opts.endpoint,
    requestIds: record.requestIds,
    timings: { ...record.timings, total: record.elapsed() },
  };
  logOutcome(result, ctx.logger);
  return result;
}
