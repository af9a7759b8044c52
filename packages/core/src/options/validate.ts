import { ConfigError, type ConfigProblem } from '../errors.js';
import { isLoopbackHostname } from '../http/loopback.js';
import { proxyProblems } from '../http/proxy-settings.js';
import { LOG_LEVELS } from '../log/logger.js';
import { ENV_SWITCHES, envSwitchProblem } from './env-flags.js';
import { REGIONS } from './normalize.js';
import type { Env } from './types.js';

/** ESA routine names: lower-case letters, digits and hyphens, at least 2 characters (as esa-cli). */
export const ROUTINE_NAME = /^[a-z0-9-]{2,}$/;

const KNOWN_OPTIONS = new Set([
  'name',
  'description',
  'region',
  'endpoint',
  'credentials',
  'profile',
  'stsEndpoint',
  'deploy',
  'verify',
  'skipUnchanged',
  'pruneVersions',
  'deployApi',
  'assets',
  'pipeline',
  'buildTimeout',
  'manifest',
  'routine',
  'chunk',
  'dryRun',
  'timeout',
  'retries',
  'signal',
  'logLevel',
  'logger',
  'cwd',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems with an endpoint URL, if any. */
export function endpointProblem(
  value: string,
  example = 'https://esa.cn-hangzhou.aliyuncs.com',
): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL; use e.g. ${example}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${value}" must be an http(s) URL`;
  if (url.protocol === 'http:' && !isLoopbackHostname(url.hostname)) {
    return `"${value}" uses plain http to a non-loopback host; use https (http is allowed only for 127.0.0.1/localhost)`;
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return `"${value}" must be a bare origin such as ${example} (no path or query)`;
  }
  return undefined;
}

/** An endpoint option, else its env variable: an http(s) origin, plain http only on loopback. */
function checkEndpoint(
  problems: ConfigProblem[],
  option: string,
  value: unknown,
  env: Env,
  envName: string,
  example: string,
): void {
  if (value !== undefined) {
    if (checkString(problems, option, value)) {
      const problem = endpointProblem(value, example);
      if (problem) problems.push({ option, message: problem });
    }
    return;
  }
  const fromEnv = env[envName];
  if (fromEnv === undefined) return;
  const problem =
    fromEnv.trim() === ''
      ? 'is set but empty; unset it to use the default, or give a URL'
      : endpointProblem(fromEnv, example);
  if (problem) problems.push({ option: `env ${envName}`, message: problem });
}

function checkString(problems: ConfigProblem[], option: string, value: unknown): value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ option, message: `must be a non-empty string, got ${describe(value)}` });
    return false;
  }
  return true;
}

const NOT_FOUND_STRATEGIES = ['singlePageApplication', '404Page'] as const;

/** Adds a problem unless `value` is unset or one of `allowed`; true when it is fine. */
function checkOneOf(
  problems: ConfigProblem[],
  option: string,
  value: unknown,
  allowed: readonly string[],
): boolean {
  if (value === undefined || allowed.includes(value as string)) return true;
  const choices = allowed.map((a) => `'${a}'`).join(' or ');
  problems.push({ option, message: `must be ${choices}, got ${describe(value)}` });
  return false;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

/** Timers take at most 2^31 - 1 ms (about 24.8 days); a longer timeout would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Why a `deploy` value is wrong, if it is. */
export function deployTargetProblem(deploy: unknown): string | undefined {
  if (deploy === undefined || deploy === false || deploy === 'staging' || deploy === 'production') {
    return undefined;
  }
  if (isRecord(deploy)) {
    if (deploy.env !== 'staging' && deploy.env !== 'production') {
      return `env must be 'staging' or 'production', got ${describe(deploy.env)}`;
    }
    if (!isWhole(deploy.percentage, 1, 100)) {
      return `percentage must be a whole number from 1 to 100, got ${describe(deploy.percentage)}`;
    }
    return undefined;
  }
  return `must be 'staging', 'production', false or { env, percentage }, got ${describe(deploy)}`;
}

/**
 * Every problem with the options and the env they fall back to, in one list (empty when fine).
 * Checks types too, since JavaScript configs are not type-checked.
 */
export function validateOptions(options: unknown, env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isRecord(options)) {
    return [
      {
        option: 'options',
        message: `must be an object such as { name: 'my-routine' }, got ${describe(options)}`,
      },
    ];
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key) && options[key] !== undefined) {
      problems.push({ option: key, message: 'is not an esa-stage option (check the spelling)' });
    }
  }
  const {
    name,
    description,
    region,
    endpoint,
    credentials,
    profile,
    stsEndpoint,
    deploy,
    chunk,
    dryRun,
    timeout,
    retries,
  } = options;
  if (name === undefined) {
    problems.push({
      option: 'name',
      message: 'is required: set `name` (CLI `--name`), or `name` in esa.jsonc / esa.toml',
    });
  } else if (checkString(problems, 'name', name) && !ROUTINE_NAME.test(name)) {
    problems.push({
      option: 'name',
      message: `"${name}" is not a routine name: use lower-case letters, digits and hyphens, at least 2 characters`,
    });
  }
  if (description !== undefined && typeof description !== 'string' && typeof description !== 'function') {
    problems.push({
      option: 'description',
      message: `must be a string or a function, got ${describe(description)}`,
    });
  }
  if (region !== undefined && !REGIONS.includes(region as never)) {
    problems.push({
      option: 'region',
      message: `must be one of ${REGIONS.join(', ')}, got ${describe(region)}`,
    });
  }
  checkEndpoint(problems, 'endpoint', endpoint, env, 'ESA_ENDPOINT', 'https://esa.cn-hangzhou.aliyuncs.com');
  checkEndpoint(
    problems,
    'stsEndpoint',
    stsEndpoint,
    env,
    'ESA_STAGE_STS_ENDPOINT',
    'https://sts.aliyuncs.com',
  );
  problems.push(...proxyProblems(env));
  for (const name of ENV_SWITCHES) {
    const problem = envSwitchProblem(env, name);
    if (problem) problems.push({ option: `env ${name}`, message: problem });
  }
  if (credentials !== undefined) {
    if (!isRecord(credentials)) {
      problems.push({
        option: 'credentials',
        message: `must be { accessKeyId, accessKeySecret }, got ${describe(credentials)}`,
      });
    } else {
      checkString(problems, 'credentials.accessKeyId', credentials.accessKeyId);
      checkString(problems, 'credentials.accessKeySecret', credentials.accessKeySecret);
      if (credentials.securityToken !== undefined) {
        checkString(problems, 'credentials.securityToken', credentials.securityToken);
      }
    }
  }
  if (profile !== undefined) checkString(problems, 'profile', profile);
  const deployProblem = deployTargetProblem(deploy);
  if (deployProblem) problems.push({ option: 'deploy', message: deployProblem });
  if (options.skipUnchanged !== undefined && typeof options.skipUnchanged !== 'boolean') {
    problems.push({
      option: 'skipUnchanged',
      message: `must be true or false, got ${describe(options.skipUnchanged)}`,
    });
  }
  problems.push(...verifyProblems(options.verify, deploy, env));
  const prune = options.pruneVersions;
  if (prune !== undefined && !(isRecord(prune) && isWhole(prune.keep, 1, 1000))) {
    problems.push({
      option: 'pruneVersions',
      message: `must be { keep: <whole number from 1 to 1000> }, got ${isRecord(prune) ? `keep ${describe(prune.keep)}` : describe(prune)}`,
    });
  }
  const assets = options.assets;
  if (assets !== undefined && assets !== false) {
    if (!isRecord(assets) || typeof assets.directory !== 'string' || assets.directory.trim() === '') {
      problems.push({
        option: 'assets',
        message: `must be { directory, notFoundStrategy? } or false, got ${describe(assets)}`,
      });
    } else {
      checkOneOf(problems, 'assets.notFoundStrategy', assets.notFoundStrategy, NOT_FOUND_STRATEGIES);
    }
  }
  if (options.routine !== undefined && typeof options.routine !== 'boolean') {
    problems.push({ option: 'routine', message: `must be true or false, got ${describe(options.routine)}` });
  }
  const pipelineKnown = checkOneOf(problems, 'pipeline', options.pipeline, ['single-file', 'assets']);
  if (pipelineKnown && options.pipeline === 'single-file' && options.routine === false) {
    problems.push({
      option: 'pipeline',
      message: "'single-file' publishes a routine; assets alone (routine: false) go the 'assets' way",
    });
  }
  if (options.manifest !== undefined) checkString(problems, 'manifest', options.manifest);
  if (options.buildTimeout !== undefined && !isWhole(options.buildTimeout, 1000, MAX_TIMEOUT_MS)) {
    problems.push({
      option: 'buildTimeout',
      message: `must be a whole number of milliseconds from 1000 to ${MAX_TIMEOUT_MS}, got ${describe(options.buildTimeout)}`,
    });
  }
  checkOneOf(problems, 'deployApi', options.deployApi, ['deployment', 'legacy']);
  if (chunk !== undefined) {
    const parts = Array.isArray(chunk) ? chunk : [chunk];
    const ok =
      typeof chunk === 'function' ||
      (parts.length > 0 && parts.every((p) => (typeof p === 'string' && p !== '') || p instanceof RegExp));
    if (!ok) {
      problems.push({
        option: 'chunk',
        message: `must be a file name, a glob, a RegExp, an array of them, or a function; got ${describe(chunk)}`,
      });
    }
  }
  if (dryRun !== undefined && typeof dryRun !== 'boolean') {
    problems.push({ option: 'dryRun', message: `must be true or false, got ${describe(dryRun)}` });
  }
  if (timeout !== undefined && !isWhole(timeout, 1, MAX_TIMEOUT_MS)) {
    problems.push({
      option: 'timeout',
      message: `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${describe(timeout)}`,
    });
  }
  if (
    retries !== undefined &&
    (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 10)
  ) {
    problems.push({
      option: 'retries',
      message: `must be a whole number from 0 to 10, got ${describe(retries)}`,
    });
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    problems.push({ option: 'signal', message: 'must be an AbortSignal' });
  }
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel as never)) {
    problems.push({
      option: 'logLevel',
      message: `must be one of ${LOG_LEVELS.join(', ')}, got ${describe(options.logLevel)}`,
    });
  }
  if (options.logger !== undefined) {
    const logger = options.logger;
    const ok =
      isRecord(logger) && ['debug', 'info', 'warn', 'error'].every((m) => typeof logger[m] === 'function');
    if (!ok) problems.push({ option: 'logger', message: 'must have debug, info, warn and error methods' });
  }
  if (options.cwd !== undefined) checkString(problems, 'cwd', options.cwd);
  return problems;
}

const isStatus = (value: unknown) => isWhole(value, 100, 599);

/** Problems with the `verify` option (and the staging port it uses), if any. */
export function verifyProblems(verify: unknown, deploy: unknown, env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const port = env.ESA_STAGE_STAGING_PORT?.trim();
  if (port && !(/^\d+$/.test(port) && isWhole(Number(port), 1, 65535))) {
    problems.push({
      option: 'env ESA_STAGE_STAGING_PORT',
      message: `must be a port number from 1 to 65535, got "${port}"`,
    });
  }
  if (verify === undefined || verify === false) return problems;
  const given = typeof verify === 'string' ? { path: verify } : verify;
  if (!isRecord(given)) {
    problems.push({
      option: 'verify',
      message: `must be a path such as '/health', { path, status?, timeout? } or false, got ${describe(verify)}`,
    });
    return problems;
  }
  if (typeof given.path !== 'string' || !/^\/[^\s#]*$/.test(given.path)) {
    problems.push({
      option: 'verify.path',
      message: `must be a path that starts with / (no spaces or #), such as '/health', got ${describe(given.path)}`,
    });
  }
  const { status } = given;
  const statusOk =
    status === undefined ||
    typeof status === 'function' ||
    isStatus(status) ||
    (Array.isArray(status) && status.length > 0 && status.every(isStatus));
  if (!statusOk) {
    problems.push({
      option: 'verify.status',
      message: `must be an HTTP status (100-599), a list of them, or a function of the status; got ${describe(status)}`,
    });
  }
  if (given.timeout !== undefined && !isWhole(given.timeout, 1000, MAX_TIMEOUT_MS)) {
    problems.push({
      option: 'verify.timeout',
      message: `must be a whole number of milliseconds from 1000 to ${MAX_TIMEOUT_MS}, got ${describe(given.timeout)}`,
    });
  }
  if (deploy === false) {
    problems.push({
      option: 'verify',
      message:
        'checks staging after the deploy, and deploy: false deploys nothing; deploy to staging, or drop verify',
    });
  } else if (isRecord(deploy) && deploy.env === 'staging' && deploy.percentage !== 100) {
    problems.push({
      option: 'verify',
      message:
        'needs staging to serve the new version alone, to know which version answered; verify a canary in production instead ({ env: "production", percentage })',
    });
  }
  return problems;
}

/** Throws one {@link ConfigError} listing every problem, if there is any. */
export function assertValidOptions(options: unknown, env: Env): void {
  const problems = validateOptions(options, env);
  if (problems.length > 0) {
    throw new ConfigError(problems, {
      hint: 'fix the options listed; every option is described in the esa-stage README',
    });
  }
}
