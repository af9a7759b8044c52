import { resolve } from 'node:path';
import { proxySettings } from '../http/proxy-settings.js';
import { envSwitch } from './env-flags.js';
import type {
  DeployStep,
  DeployTarget,
  Env,
  EnvName,
  NormalizedOptions,
  PublishOptions,
  Region,
  StagingVerify,
} from './types.js';

export const REGIONS: readonly Region[] = ['cn-hangzhou', 'ap-southeast-1'];
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_BUILD_TIMEOUT_MS = 300_000;
export const DEFAULT_VERIFY_TIMEOUT_MS = 60_000;

/** The staging edges' HTTPS port: 443, or env `ESA_STAGE_STAGING_PORT` (for an emulator). Pure. */
export function stagingPort(env: Env): number {
  const port = nonEmpty(env.ESA_STAGE_STAGING_PORT);
  return port ? Number(port) : 443;
}

/** The `verify` option with its defaults, and the staging port. Pure. */
export function normalizeVerify(option: PublishOptions['verify'], env: Env): StagingVerify | undefined {
  if (option === undefined || option === false) return undefined;
  const given = typeof option === 'string' ? { path: option } : option;
  const { status } = given;
  const base = {
    path: given.path,
    timeout: given.timeout ?? DEFAULT_VERIFY_TIMEOUT_MS,
    port: stagingPort(env),
  };
  if (status === undefined) return { ...base, accepts: (s) => s >= 200 && s < 300, expected: '2xx' };
  if (typeof status === 'function') {
    return { ...base, accepts: (s) => status(s) === true, expected: 'a status the given test accepts' };
  }
  const list: readonly number[] = typeof status === 'number' ? [status] : status;
  return { ...base, accepts: (s) => list.includes(s), expected: list.join(' or ') };
}

/** The public ESA OpenAPI endpoint of a region. */
export function regionEndpoint(region: Region): string {
  return `https://esa.${region}.aliyuncs.com`;
}

/** The environments a deploy target reaches, in order: staging always comes first. Pure. */
export function deploySteps(target: DeployTarget): DeployStep[] {
  if (target === false) return [];
  const env: EnvName = typeof target === 'string' ? target : target.env;
  const percentage = typeof target === 'string' ? 100 : target.percentage;
  if (env === 'staging') return [{ env, percentage }];
  return [
    { env: 'staging', percentage: 100 },
    { env: 'production', percentage },
  ];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * Applies defaults and env fallbacks. Pure: reads only its arguments. Assumes the options passed
 * {@link validateOptions}; it does not check them again.
 */
export function normalizeOptions(options: PublishOptions, env: Env, cwd: string): NormalizedOptions {
  const region = options.region ?? 'cn-hangzhou';
  const envDescription = nonEmpty(env.ESA_STAGE_DESCRIPTION);
  const base = options.cwd ?? cwd;
  const assets = options.assets
    ? { ...options.assets, directory: resolve(base, options.assets.directory) }
    : undefined;
  const deploy = deploySteps(options.deploy === undefined ? 'staging' : options.deploy);
  return {
    // Validated before: a name is there (from the option or the project file).
    name: options.name ?? '',
    description: envDescription ?? options.description,
    region,
    endpoint: (nonEmpty(options.endpoint) ?? nonEmpty(env.ESA_ENDPOINT) ?? regionEndpoint(region)).replace(
      /\/+$/,
      '',
    ),
    credentials: options.credentials,
    profile: nonEmpty(options.profile) ?? nonEmpty(env.ALIBABA_CLOUD_PROFILE),
    stsEndpoint: (nonEmpty(options.stsEndpoint) ?? nonEmpty(env.ESA_STAGE_STS_ENDPOINT))?.replace(/\/+$/, ''),
    proxy: proxySettings(env),
    deploy,
    skipUnchanged: options.skipUnchanged ?? true,
    verify: normalizeVerify(options.verify, env),
    stagingPort: stagingPort(env),
    pruneVersions: options.pruneVersions,
    deployApi: options.deployApi ?? 'deployment',
    assets,
    pipeline:
      options.routine === false ? 'assets' : (options.pipeline ?? (assets ? 'assets' : 'single-file')),
    routine: options.routine !== false,
    buildTimeout: options.buildTimeout ?? DEFAULT_BUILD_TIMEOUT_MS,
    chunk: options.chunk,
    // The env switch turns a dry run on from outside the config; it never turns one off.
    dryRun: envSwitch(env, 'ESA_STAGE_DRY_RUN') === true || options.dryRun === true,
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    retries: options.retries ?? DEFAULT_RETRIES,
    signal: options.signal,
    logLevel: options.logLevel ?? 'info',
    logger: options.logger,
    cwd: options.cwd ?? cwd,
  };
}
