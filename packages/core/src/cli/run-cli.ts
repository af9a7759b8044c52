import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EsaStageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { DeployTarget, Env, PublishOptions, Region } from '../options/types.js';
import { publishRoutine } from '../publish.js';

export const USAGE = `Usage: esa-stage publish <file> --name <routine> [options]

Publishes one JavaScript file to an Alibaba Cloud ESA Edge Routine: upload, commit, deploy to staging.
The file must be one bundled ES module whose default export handles requests (checked first).

Options:
  -n, --name <routine>         the routine to publish to (required)
  -d, --description <text>     code description (default: "<short sha>[-dirty] <subject>" from git)
      --endpoint <url>         ESA OpenAPI endpoint (default: env ESA_ENDPOINT, else the region's)
      --region <id>            cn-hangzhou (default) or ap-southeast-1
      --profile <name>         ~/.aliyun/config.json profile (default: env ALIBABA_CLOUD_PROFILE, else current)
      --deploy <env>           staging (default), production (staging, then production) or none
      --dry-run                print the plan (routine, file, size, sha256, description, endpoint, steps); no request
      --json                   print the result as one JSON object on stdout
      --quiet                  log errors only
      --verbose                log each step (debug)
  -h, --help                   show this help

Credentials: env ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN, env ESA_ACCESS_KEY_ID / ...,
or ~/.aliyun/config.json. Exit code 0 on success, 1 on any failure.
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Env;
  readonly cwd: string;
}

const DEPLOY: Readonly<Record<string, DeployTarget>> = {
  staging: 'staging',
  production: 'production',
  none: false,
};

class UsageError extends Error {}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        name: { type: 'string', short: 'n' },
        description: { type: 'string', short: 'd' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        profile: { type: 'string' },
        deploy: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Builds publish options from the parsed flags. Flags not given stay unset, so env fallbacks apply. */
function toOptions(values: ReturnType<typeof parse>['values'], logger: Logger): PublishOptions {
  const deploy = values.deploy === undefined ? undefined : DEPLOY[values.deploy];
  if (values.deploy !== undefined && deploy === undefined) {
    throw new UsageError(`--deploy must be staging, production or none, got "${values.deploy}"`);
  }
  return {
    name: values.name ?? '',
    logger,
    ...(values.description !== undefined && { description: values.description }),
    ...(values.endpoint !== undefined && { endpoint: values.endpoint }),
    ...(values.region !== undefined && { region: values.region as Region }),
    ...(values.profile !== undefined && { profile: values.profile }),
    ...(deploy !== undefined && { deploy }),
    ...(values['dry-run'] && { dryRun: true }),
    ...(values.quiet && { logLevel: 'error' as const }),
    ...(values.verbose && { logLevel: 'debug' as const }),
  };
}

/** Runs the `esa-stage` command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const logger: Logger = { debug: io.stderr, info: io.stderr, warn: io.stderr, error: io.stderr };
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const [command, file, ...extra] = positionals;
    if (command !== 'publish') {
      throw new UsageError(command === undefined ? 'no command given' : `unknown command "${command}"`);
    }
    if (!file) throw new UsageError('publish needs the file to publish');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (values.name === undefined) throw new UsageError('--name <routine> is required');
    const path = resolve(io.cwd, file);
    const result = await publishRoutine(
      toOptions(values, logger),
      { fileName: basename(path), isEntry: true, source: { path } },
      // A flag on the command line beats the env override that a config-file option yields to.
      {
        env: values.description === undefined ? io.env : { ...io.env, ESA_STAGE_DESCRIPTION: undefined },
        cwd: io.cwd,
        bundler: { kind: 'cli' },
      },
    );
    if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
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
