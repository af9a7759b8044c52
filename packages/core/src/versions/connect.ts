import { obtainCredentials, stsCallOptions } from '../credentials/obtain-credentials.js';
import { lookupSecrets, resolveCredentialsFor } from '../credentials/resolve-credentials.js';
import { EsaClient } from '../esa/client.js';
import { createLogger, type Logger } from '../log/logger.js';
import { Secrets } from '../log/secrets.js';
import { normalizeOptions } from '../options/normalize.js';
import type { Env, NormalizedOptions, PublishOptions } from '../options/types.js';
import { assertValidOptions } from '../options/validate.js';

/** The options the version commands take: a publish's, less what only a publish needs. */
export type RoutineOptions = Pick<
  PublishOptions,
  | 'name'
  | 'region'
  | 'endpoint'
  | 'credentials'
  | 'profile'
  | 'stsEndpoint'
  | 'timeout'
  | 'retries'
  | 'signal'
  | 'logLevel'
  | 'logger'
>;

/** Where the version commands read env and `~/.aliyun` from; tests replace them. */
export interface RoutineEnvironment {
  readonly env?: Env;
  readonly homeDir?: string;
  /** Where an esa-cli project file (esa.jsonc / esa.toml) may name the routine. @default process.cwd() */
  readonly cwd?: string;
}

export interface Connection {
  readonly client: EsaClient;
  readonly opts: NormalizedOptions;
  readonly logger: Logger;
}

/**
 * Validates the options, finds the credentials, and runs `use` with a client for the routine's
 * endpoint, closing it after. Errors lose every secret on the way out.
 */
export async function withRoutine<T>(
  given: RoutineOptions,
  environment: RoutineEnvironment,
  use: (connection: Connection) => Promise<T>,
): Promise<T> {
  const env = environment.env ?? process.env;
  const { withProjectConfig } = await import('../project/project-config.js');
  // Only the name and endpoint come from the project file here: assets and description are a publish's.
  const project = await withProjectConfig<PublishOptions>(given, environment.cwd ?? process.cwd(), env);
  const options: RoutineOptions = {
    ...given,
    ...(project.name !== undefined && { name: project.name }),
    ...(project.endpoint !== undefined && { endpoint: project.endpoint }),
  };
  assertValidOptions(options, env);
  const opts = normalizeOptions(options, env, process.cwd());
  const secrets = new Secrets();
  secrets.add(opts.credentials?.accessKeySecret);
  secrets.add(opts.credentials?.securityToken);
  const logger = createLogger({ level: opts.logLevel, sink: opts.logger, secrets });
  try {
    const lookup = await resolveCredentialsFor(opts, { env, homeDir: environment.homeDir });
    for (const secret of lookupSecrets(lookup)) secrets.add(secret);
    const credentials = await obtainCredentials(lookup, stsCallOptions(opts, logger));
    secrets.add(credentials.accessKeySecret);
    secrets.add(credentials.securityToken);
    const client = await EsaClient.open({
      endpoint: opts.endpoint,
      proxy: opts.proxy,
      credentials,
      timeout: opts.timeout,
      retries: opts.retries,
      signal: opts.signal,
      logger,
      redact: (text) => secrets.redact(text),
    });
    try {
      return await use({ client, opts, logger });
    } finally {
      await client.close();
    }
  } catch (error) {
    throw secrets.redactError(error);
  }
}
