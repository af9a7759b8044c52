import { basename, resolve } from 'node:path';
import { errorSummary } from '../ci/error-summary.js';
import { EsaStageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { DeployTarget, Env, PublishOptions, VerifyOptions } from '../options/types.js';
import { VERSION } from '../version.js';
import {
  deployApiFlag,
  envFlag,
  type Flags,
  onlyFlags,
  parseCommandLine,
  routineOptions,
  UsageError,
  wholeNumber,
} from './args.js';
import { USAGE } from './usage.js';
import { formatVersionTable } from './version-table.js';

export { USAGE } from './usage.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Env;
  readonly cwd: string;
}

const DEPLOY: Readonly<Record<string, 'staging' | 'production' | false>> = {
  staging: 'staging',
  production: 'production',
  none: false,
};

function deployTarget(values: Flags): DeployTarget | undefined {
  const deploy = values.deploy === undefined ? undefined : DEPLOY[values.deploy];
  if (values.deploy !== undefined && deploy === undefined) {
    throw new UsageError(`--deploy must be staging, production or none, got "${values.deploy}"`);
  }
  const percentage = wholeNumber('percentage', values.percentage, 1, 100);
  if (percentage === undefined) return deploy;
  if (deploy === false)
    throw new UsageError('--percentage needs an environment to deploy to, not --deploy none');
  return { env: deploy ?? 'staging', percentage };
}

/** `--verify <path>` and `--verify-timeout <seconds>` as the `verify` option. */
function verifyFlags(values: Flags): { verify?: VerifyOptions } {
  const seconds = wholeNumber('verify-timeout', values['verify-timeout'], 1, 3600);
  if (values.verify === undefined) {
    if (seconds !== undefined) throw new UsageError('--verify-timeout goes with --verify <path>');
    return {};
  }
  return { verify: { path: values.verify, ...(seconds !== undefined && { timeout: seconds * 1000 }) } };
}

async function publish(values: Flags, positionals: string[], io: CliIo, logger: Logger): Promise<unknown> {
  onlyFlags(values, 'publish', [
    'description',
    'deploy',
    'percentage',
    'force',
    'prune',
    'deploy-api',
    'dry-run',
    'assets',
    'not-found-strategy',
    'pipeline',
    'manifest',
    'verify',
    'verify-timeout',
  ]);
  const [given, ...extra] = positionals;
  // An esa-cli project names its entry in esa.jsonc / esa.toml.
  const { readProjectConfig } = await import('../project/project-config.js');
  const file = given ?? (await readProjectConfig(io.cwd))?.entry;
  if (!file) throw new UsageError('publish needs the file to publish (or `entry` in esa.jsonc / esa.toml)');
  if (!/\.(?:m|c)?js$/.test(file)) {
    throw new UsageError(
      `publish takes the bundled .js or .mjs file, got "${file}" (bundle TypeScript first, e.g. esbuild --bundle --format=esm)`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const deploy = deployTarget(values);
  const keep = wholeNumber('prune', values.prune, 1, 1000);
  const deployApi = deployApiFlag(values['deploy-api']);
  const strategy = values['not-found-strategy'];
  if (strategy !== undefined && strategy !== 'singlePageApplication' && strategy !== '404Page') {
    throw new UsageError(`--not-found-strategy must be singlePageApplication or 404Page, got "${strategy}"`);
  }
  if (strategy !== undefined && values.assets === undefined) {
    throw new UsageError('--not-found-strategy goes with --assets <dir>');
  }
  const pipeline = values.pipeline;
  if (pipeline !== undefined && pipeline !== 'single-file' && pipeline !== 'assets') {
    throw new UsageError(`--pipeline must be single-file or assets, got "${pipeline}"`);
  }
  const options: PublishOptions = {
    ...routineOptions(values, logger),
    ...verifyFlags(values),
    ...(values.description !== undefined && { description: values.description }),
    ...(values.manifest !== undefined && { manifest: values.manifest }),
    ...(deploy !== undefined && { deploy }),
    ...(values.force && { skipUnchanged: false }),
    ...(keep !== undefined && { pruneVersions: { keep } }),
    ...(deployApi !== undefined && { deployApi }),
    ...(values['dry-run'] && { dryRun: true }),
    ...(values.assets !== undefined && {
      assets: { directory: resolve(io.cwd, values.assets), ...(strategy && { notFoundStrategy: strategy }) },
    }),
    ...(pipeline !== undefined && { pipeline }),
  };
  const path = resolve(io.cwd, file);
  const { publishRoutine } = await import('../publish.js');
  return publishRoutine(
    options,
    { fileName: basename(path), isEntry: true, source: { path } },
    // A flag on the command line beats the env override that a config-file option yields to.
    {
      env: values.description === undefined ? io.env : { ...io.env, ESA_STAGE_DESCRIPTION: undefined },
      cwd: io.cwd,
      bundler: { kind: 'cli' },
      progress: 'line',
    },
  );
}

async function versions(values: Flags, positionals: string[], io: CliIo, logger: Logger): Promise<unknown> {
  const [sub, ...rest] = positionals;
  const lifecycle = await import('../versions/lifecycle.js');
  const environment = { env: io.env, cwd: io.cwd };
  if (sub === 'list') {
    onlyFlags(values, 'versions list', []);
    if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    const listing = await lifecycle.listRoutineVersions(routineOptions(values, logger), environment);
    if (!values.json) io.stdout(formatVersionTable(listing.versions, listing.total));
    return listing;
  }
  if (sub === 'delete') {
    onlyFlags(values, 'versions delete', []);
    if (rest.length === 0) throw new UsageError('versions delete needs the versions to delete');
    const bad = rest.filter((v) => !/^\d+$/.test(v));
    if (bad.length > 0) throw new UsageError(`not a code version: ${bad.join(', ')}`);
    return lifecycle.deleteRoutineVersions(routineOptions(values, logger), rest, environment);
  }
  if (sub === 'prune') {
    onlyFlags(values, 'versions prune', ['keep']);
    if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    const keep = wholeNumber('keep', values.keep, 1, 1000);
    if (keep === undefined) throw new UsageError('versions prune needs --keep <n>');
    return lifecycle.pruneRoutineVersions(routineOptions(values, logger), keep, environment);
  }
  throw new UsageError(
    sub === undefined ? 'versions needs list, delete or prune' : `unknown versions command "${sub}"`,
  );
}

async function deploy(values: Flags, positionals: string[], io: CliIo, logger: Logger): Promise<unknown> {
  onlyFlags(values, 'deploy', ['version', 'env', 'percentage', 'deploy-api', 'verify', 'verify-timeout']);
  if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  const codeVersion = values.version;
  if (codeVersion === undefined || !/^\d+$/.test(codeVersion)) {
    throw new UsageError('deploy needs --version <code version>');
  }
  const env = envFlag('env', values.env);
  if (env === undefined) throw new UsageError('deploy needs --env staging|production');
  const percentage = wholeNumber('percentage', values.percentage, 1, 100);
  const deployApi = deployApiFlag(values['deploy-api']);
  const { deployRoutineVersion } = await import('../versions/lifecycle.js');
  return deployRoutineVersion(
    { ...routineOptions(values, logger), ...(deployApi !== undefined && { deployApi }) },
    { codeVersion, env, ...(percentage !== undefined && { percentage }), ...verifyFlags(values) },
    { env: io.env, cwd: io.cwd },
  );
}

const COMMANDS = { publish, versions, deploy } as const;

function errorJson(error: unknown): string {
  return JSON.stringify({
    error: errorSummary(error, error instanceof UsageError ? 'UsageError' : 'Unexpected'),
  });
}

/** Runs the `esa-stage` command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const logger: Logger = { debug: io.stderr, info: io.stderr, warn: io.stderr, error: io.stderr };
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseCommandLine(argv);
    json = values.json === true;
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const [command, ...rest] = positionals;
    const run =
      command !== undefined && Object.hasOwn(COMMANDS, command)
        ? COMMANDS[command as keyof typeof COMMANDS]
        : undefined;
    if (!run)
      throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
    const result = await run(values, rest, io, logger);
    if (json) io.stdout(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    if (json) io.stdout(`${errorJson(error)}\n`);
    if (error instanceof UsageError) {
      io.stderr(`esa-stage: error UsageError: ${error.message}\n\n${USAGE}`);
    } else if (error instanceof EsaStageError) {
      io.stderr(`esa-stage: error ${error.toLine()}\n`);
    } else {
      io.stderr(`esa-stage: error Unexpected: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return 1;
  }
}
