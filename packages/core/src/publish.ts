import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { BundlerInfo } from './artifact/bundler.js';
import { checkArtifact } from './artifact/check-artifact.js';
import { createChunkMatcher, selectChunk } from './chunk/select-chunk.js';
import { type ResolvedCredentials, resolveCredentials } from './credentials/resolve-credentials.js';
import { ChunkError, EsaStageError, OssError } from './errors.js';
import { EsaClient } from './esa/client.js';
import { formatBytes, formatPublishedLine } from './format.js';
import { formatDescription } from './git/description.js';
import { readGitInfo } from './git/read-git-info.js';
import { sha256Of } from './hash-file.js';
import { createLogger, type Logger } from './log/logger.js';
import { Secrets } from './log/secrets.js';
import { normalizeOptions } from './options/normalize.js';
import type { Env, NormalizedOptions, OutputChunk, PublishOptions } from './options/types.js';
import { assertValidOptions } from './options/validate.js';
import { readPostConfig } from './oss/post-config.js';
import { type UploadFile, type UploadResult, uploadToOss } from './oss/upload.js';

export type DeployedEnv = 'staging' | 'production';

/** A publish that happened. */
export interface PublishedResult {
  readonly dryRun: false;
  readonly name: string;
  /** The committed version, a 19-digit string (never a number: it exceeds 2^53). */
  readonly codeVersion: string;
  readonly description: string;
  /** The output file published, relative to the output directory. */
  readonly fileName: string;
  readonly size: number;
  /** Hex sha256 of the bytes uploaded. */
  readonly sha256: string;
  /** Environments now serving `codeVersion`, in the order deployed. */
  readonly deployedTo: readonly DeployedEnv[];
  readonly endpoint: string;
  /** ESA and OSS request ids of each step, for support tickets. */
  readonly requestIds: {
    readonly uploadInfo: string;
    readonly upload: string | undefined;
    readonly commit: string;
    readonly staging?: string;
    readonly production?: string;
  };
  /** Milliseconds spent in each step and in total. */
  readonly timings: {
    readonly uploadInfo: number;
    readonly upload: number;
    readonly commit: number;
    readonly deploy: number;
    readonly total: number;
  };
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
}

/** OSS form fields whose values are secrets: never logged, never in an error. */
const SECRET_FIELDS = new Set(['Signature', 'policy', 'callback', 'x-oss-security-token']);

/** The environments a publish deploys to, in order. */
function deployTargets(options: NormalizedOptions): DeployedEnv[] {
  if (options.deploy === 'production') return ['staging', 'production'];
  return options.deploy ? ['staging'] : [];
}

function plannedSteps(options: NormalizedOptions): string[] {
  return [
    'GetRoutineStagingCodeUploadInfo',
    'OSS PostObject upload',
    'CommitRoutineStagingCode',
    ...deployTargets(options).map((env) => `PublishRoutineCodeVersion Env=${env}`),
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

function codeVersionOf(body: Readonly<Record<string, unknown>>, action: string, requestId: string): string {
  const value = body.CodeVersion;
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  throw new EsaStageError(`${action} answered without a CodeVersion`, {
    code: 'InvalidResponse',
    requestId,
    hint: 'this is unexpected from ESA; check the routine in the ESA console',
  });
}

function isExpiredPolicy(error: unknown): boolean {
  return error instanceof OssError && error.code === 'AccessDenied' && /expired/i.test(error.message);
}

/** Returns the error with every secret removed from its message and hint. */
function redactError(error: unknown, secrets: Secrets): unknown {
  if (error instanceof Error) {
    const redacted = secrets.redact(error.message);
    if (redacted !== error.message) Object.defineProperty(error, 'message', { value: redacted });
    if (error instanceof EsaStageError && error.hint)
      Object.defineProperty(error, 'hint', { value: secrets.redact(error.hint) });
  }
  return error;
}

/**
 * Publishes a build's routine file to ESA: upload info -> OSS upload -> commit -> deploy (staging by
 * default). `outputs` are the build's output files in core's neutral shape; the `chunk` option (or
 * the single entry chunk) picks the one to publish. Options are validated before anything else, and
 * every failure throws an {@link EsaStageError} with a code, the request id and a hint.
 */
export async function publishRoutine(
  options: PublishOptions,
  outputs: OutputChunk | readonly OutputChunk[],
  environment: PublishEnvironment = {},
): Promise<PublishResult> {
  const env = environment.env ?? process.env;
  const now = environment.now ?? (() => new Date());
  assertValidOptions(options, env);
  const opts = normalizeOptions(options, env, environment.cwd ?? process.cwd());
  const secrets = new Secrets();
  secrets.add(opts.credentials?.accessKeySecret);
  secrets.add(opts.credentials?.securityToken);
  const hostLogger = opts.logger ? undefined : environment.logger;
  const logger = createLogger({
    level: opts.logLevel,
    sink: opts.logger ?? hostLogger,
    secrets,
    ...(hostLogger && { prefix: '' }),
  });
  try {
    return await run(opts, Array.isArray(outputs) ? outputs : [outputs as OutputChunk], {
      env,
      now,
      secrets,
      logger,
      homeDir: environment.homeDir,
      bundler: environment.bundler ?? { kind: 'api' },
    });
  } catch (error) {
    throw redactError(error, secrets);
  }
}

interface RunContext {
  readonly env: Env;
  readonly now: () => Date;
  readonly secrets: Secrets;
  readonly logger: Logger;
  readonly homeDir: string | undefined;
  readonly bundler: BundlerInfo;
}

/** What is settled before any request: the file, its size, the description, the credentials. */
interface Prepared {
  readonly chunk: OutputChunk;
  readonly size: number;
  readonly description: string;
  /** The credentials, or why there are none (a dry run goes ahead without). */
  readonly credentials: ResolvedCredentials | Error;
}

async function prepare(
  opts: NormalizedOptions,
  outputs: readonly OutputChunk[],
  ctx: RunContext,
): Promise<Prepared> {
  const chunk = selectChunk(outputs, await createChunkMatcher(opts.chunk), opts.chunk !== undefined);
  const size = await sizeOf(chunk);
  if (size === 0) {
    throw new ChunkError(`${chunk.fileName} is empty`, {
      code: 'ChunkEmpty',
      hint: 'check the build: an Edge Routine needs code',
    });
  }
  const [notes, gitInfo, credentials] = await Promise.all([
    checkArtifact(chunk, outputs, ctx.bundler),
    readGitInfo({ cwd: opts.cwd, env: ctx.env }),
    resolveCredentials({
      explicit: opts.credentials,
      profile: opts.profile,
      env: ctx.env,
      homeDir: ctx.homeDir,
    }).then(
      (found): ResolvedCredentials | Error => found,
      (error: unknown): ResolvedCredentials | Error =>
        error instanceof Error ? error : new Error(String(error)),
    ),
  ]);
  if (notes.computedImports > 0) {
    ctx.logger.warn(
      `${chunk.fileName} has ${notes.computedImports} import() with a computed specifier; at run time ESA can load only the node: modules it provides`,
    );
  }
  const { description, warning } = formatDescription(opts.description, gitInfo, ctx.now());
  if (warning) ctx.logger.warn(warning);
  return { chunk, size, description, credentials };
}

async function dryRun(opts: NormalizedOptions, prepared: Prepared, logger: Logger): Promise<DryRunResult> {
  const { chunk, size, description, credentials } = prepared;
  const steps = plannedSteps(opts);
  const sha256 = await sha256Of(chunk.source);
  const credentialsNote = credentials instanceof Error ? `none (${credentials.message})` : credentials.source;
  logger.info(
    `dry run: would publish ${chunk.fileName} (${formatBytes(size)}, sha256 ${sha256}) to routine ${opts.name} at ${opts.endpoint} as ${JSON.stringify(description)}; steps: ${steps.join(' -> ')}; credentials: ${credentialsNote}`,
  );
  return {
    dryRun: true,
    name: opts.name,
    description,
    fileName: chunk.fileName,
    size,
    sha256,
    endpoint: opts.endpoint,
    credentials: credentialsNote,
    steps,
  };
}

/** Says, in a failure after the commit, what did happen, so nothing is half-done silently. */
function afterCommit(
  error: unknown,
  codeVersion: string,
  deployedTo: readonly DeployedEnv[],
  env: DeployedEnv,
): unknown {
  if (!(error instanceof Error)) return error;
  const done = deployedTo.length > 0 ? ` and deployed to ${deployedTo.join(' and ')}` : '';
  const message = `version ${codeVersion} was committed${done}, but deploying it to ${env} failed: ${error.message}`;
  Object.defineProperty(error, 'message', { value: message });
  return error;
}

async function run(
  opts: NormalizedOptions,
  outputs: readonly OutputChunk[],
  ctx: RunContext,
): Promise<PublishResult> {
  const started = performance.now();
  const { logger, secrets } = ctx;
  const prepared = await prepare(opts, outputs, ctx);
  if (opts.dryRun) return dryRun(opts, prepared, logger);
  const { chunk, size, description, credentials } = prepared;
  if (credentials instanceof Error) throw credentials;
  secrets.add(credentials.accessKeySecret);
  secrets.add(credentials.securityToken);
  logger.debug(
    `publishing ${chunk.fileName} (${formatBytes(size)}) to ${opts.name} at ${opts.endpoint}; credentials from ${credentials.source}`,
  );

  const client = await EsaClient.open({
    endpoint: opts.endpoint,
    credentials,
    timeout: opts.timeout,
    retries: opts.retries,
    signal: opts.signal,
    logger,
  });
  try {
    const file: UploadFile = {
      fileName: chunk.fileName.split('/').pop() ?? chunk.fileName,
      source: chunk.source,
      size,
    };
    const params = { Name: opts.name, CodeDescription: description };
    const requestUpload = async () => {
      const info = await client.call('GetRoutineStagingCodeUploadInfo', params);
      const target = readPostConfig(info.body.OssPostConfig);
      for (const field of target.fields) {
        if (SECRET_FIELDS.has(field.name)) secrets.add(field.value);
      }
      logger.debug(`upload info ${info.requestId}: object ${target.objectKey}`);
      return { info, target };
    };

    const t0 = performance.now();
    let { info, target } = await requestUpload();
    const t1 = performance.now();
    const uploadOptions = { timeout: opts.timeout, retries: opts.retries, signal: opts.signal, logger };
    let upload: UploadResult;
    try {
      upload = await uploadToOss(target, file, uploadOptions);
    } catch (error) {
      if (!isExpiredPolicy(error)) throw error;
      logger.warn('the upload policy had expired; asking ESA for a new one');
      ({ info, target } = await requestUpload());
      upload = await uploadToOss(target, file, uploadOptions);
    }
    const t2 = performance.now();
    const commit = await client.call('CommitRoutineStagingCode', params);
    const codeVersion = codeVersionOf(commit.body, 'CommitRoutineStagingCode', commit.requestId);
    const t3 = performance.now();
    const deployedTo: DeployedEnv[] = [];
    const deployIds: { staging?: string; production?: string } = {};
    for (const env of deployTargets(opts)) {
      try {
        const deployed = await client.call('PublishRoutineCodeVersion', {
          Name: opts.name,
          Env: env,
          CodeVersion: codeVersion,
        });
        deployIds[env] = deployed.requestId;
        deployedTo.push(env);
      } catch (error) {
        throw afterCommit(error, codeVersion, deployedTo, env);
      }
    }
    const t4 = performance.now();
    logger.info(
      formatPublishedLine({
        name: opts.name,
        codeVersion,
        deployedTo,
        size,
        totalMs: t4 - started,
        description,
      }),
    );
    return {
      dryRun: false,
      name: opts.name,
      codeVersion,
      description,
      fileName: chunk.fileName,
      size,
      sha256: upload.sha256,
      deployedTo,
      endpoint: opts.endpoint,
      requestIds: {
        uploadInfo: info.requestId,
        upload: upload.requestId,
        commit: commit.requestId,
        ...deployIds,
      },
      timings: {
        uploadInfo: Math.round(t1 - t0),
        upload: Math.round(t2 - t1),
        commit: Math.round(t3 - t2),
        deploy: Math.round(t4 - t3),
        total: Math.round(t4 - started),
      },
    };
  } finally {
    await client.close();
  }
}
