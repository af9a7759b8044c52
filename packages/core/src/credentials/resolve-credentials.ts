import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Credentials, Env, NormalizedOptions } from '../options/types.js';
import { readConfigText } from '../project/read-config-text.js';
import { type AliyunConfig, credentialsFromAliyunConfig } from './aliyun-config.js';
import { type AssumedRole, exchangeFor, oidcRoleFromEnv } from './assumed-role.js';
import { assertPrintableCredentials } from './check-characters.js';
import type { StsExchange } from './sts-client.js';

/** Credentials and where they were found (safe to log: names a place, never a value). */
export interface ResolvedCredentials extends Credentials {
  readonly source: string;
}

/** A role to assume at STS before the first call (see {@link obtainCredentials}). */
export interface PendingExchange {
  readonly source: string;
  readonly exchange: StsExchange;
}

/** What the chain found: credentials to use, or an exchange to make for them. */
export type CredentialsLookup = ResolvedCredentials | PendingExchange;

/** The secrets a lookup holds (to redact): the secret and token, or the OIDC token / source secret. */
export function lookupSecrets(lookup: CredentialsLookup): (string | undefined)[] {
  if (!('exchange' in lookup)) return [lookup.accessKeySecret, lookup.securityToken];
  const { exchange } = lookup;
  return exchange.action === 'AssumeRoleWithOIDC'
    ? [exchange.oidcToken]
    : [exchange.credentials.accessKeySecret, exchange.credentials.securityToken];
}

export interface ResolveCredentialsOptions {
  readonly explicit: Credentials | undefined;
  /** Profile name from the option or `ALIBABA_CLOUD_PROFILE`. */
  readonly profile: string | undefined;
  readonly env: Env;
  /** The `stsEndpoint` option or env `ESA_STAGE_STS_ENDPOINT`. */
  readonly stsEndpoint?: string | undefined;
  /** @default os.homedir() */
  readonly homeDir?: string | undefined;
  /** For the default session name. @default () => new Date() */
  readonly now?: () => Date;
}

const ENV_GROUPS = [
  ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN'],
  ['ESA_ACCESS_KEY_ID', 'ESA_ACCESS_KEY_SECRET', 'ESA_SECURITY_TOKEN'],
] as const;

const MISSING_HINT =
  'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or in GitHub Actions the OIDC trio ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE (see the README recipe); run `aliyun configure` or `esa login`, or pass `credentials`';

function fromEnv(
  env: Env,
  [idName, secretName, tokenName]: (typeof ENV_GROUPS)[number],
): ResolvedCredentials | undefined {
  const accessKeyId = env[idName]?.trim();
  const accessKeySecret = env[secretName]?.trim();
  if (!accessKeyId && !accessKeySecret) return undefined;
  if (!accessKeyId || !accessKeySecret) {
    const [set, unset] = accessKeyId ? [idName, secretName] : [secretName, idName];
    throw new ConfigError([{ option: `env ${unset}`, message: `is empty while ${set} is set` }], {
      code: 'CredentialsIncomplete',
      hint: `set both ${idName} and ${secretName}, or neither`,
    });
  }
  const securityToken = env[tokenName]?.trim() || undefined;
  return { accessKeyId, accessKeySecret, securityToken, source: `env ${idName}` };
}

/**
 * The first credentials found, in `@alicloud/credentials`' order: explicit option, env
 * `ALIBABA_CLOUD_*`, env `ESA_*` (esa-cli's names), env OIDC (a role to assume with the token file),
 * esa-cli's `~/.esa/config/default.jsonc|toml` `[auth]` (unless a profile is named), then
 * `~/.aliyun/config.json` (profile from the option or `ALIBABA_CLOUD_PROFILE`, else `current`; a
 * `RamRoleArn` or `OIDC` profile is a role to assume). Never probes the ECS metadata service, and
 * makes no request: a role comes back as a {@link PendingExchange}. Throws a {@link ConfigError}
 * naming every place looked when nothing is found.
 */
export async function resolveCredentials(options: ResolveCredentialsOptions): Promise<CredentialsLookup> {
  const found = await findCredentials(options);
  if ('exchange' in found) {
    if (found.exchange.action === 'AssumeRole')
      assertPrintableCredentials(found.exchange.credentials, found.source);
    return found;
  }
  assertPrintableCredentials(found, found.source);
  return found;
}

async function pending(role: AssumedRole, options: ResolveCredentialsOptions): Promise<PendingExchange> {
  const exchange = await exchangeFor(
    role,
    options.stsEndpoint,
    options.env,
    options.now ?? (() => new Date()),
  );
  return { source: `${role.source} (STS ${role.action} as ${role.roleArn})`, exchange };
}

async function findCredentials(options: ResolveCredentialsOptions): Promise<CredentialsLookup> {
  if (options.explicit) return { ...options.explicit, source: 'options.credentials' };
  for (const group of ENV_GROUPS) {
    const found = fromEnv(options.env, group);
    if (found) return found;
  }
  const oidc = oidcRoleFromEnv(options.env);
  if (oidc) return pending(oidc, options);
  const home = options.homeDir ?? homedir();
  // esa-cli's login, unless an ~/.aliyun profile is asked for by name.
  let esaNote = 'esa-cli config (skipped: a profile is named)';
  if (!options.profile) {
    const { credentialsFromEsaCliConfig } = await import('./esa-cli-config.js');
    const esa = await credentialsFromEsaCliConfig(home);
    if (esa.credentials) return esa.credentials;
    esaNote = esa.note;
  }
  const configPath = join(home, '.aliyun', 'config.json');
  let configNote: string;
  if (options.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED?.toLowerCase() === 'true') {
    configNote = `${configPath} (skipped: ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true)`;
  } else {
    const text = await readConfigText(configPath, {
      code: 'CredentialsInvalid',
      hint: `make ${configPath} a readable file (\`aliyun configure\` writes it), or set ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`,
    });
    if (text === undefined) {
      configNote = `${configPath} (not found)`;
    } else {
      let config: AliyunConfig;
      try {
        config = JSON.parse(text) as AliyunConfig;
      } catch (error) {
        throw new ConfigError(
          [{ option: configPath, message: `is not valid JSON (${(error as Error).message})` }],
          {
            code: 'CredentialsInvalid',
            hint: 'fix the file, or re-create it with `aliyun configure`',
          },
        );
      }
      const lookup = credentialsFromAliyunConfig(config ?? {}, options.profile);
      if (lookup.ok && 'role' in lookup) return pending(lookup.role, options);
      if (lookup.ok) return { ...lookup.credentials, source: `${configPath} profile "${lookup.name}"` };
      if (options.profile) {
        // A profile asked for by name and not usable is an error, not a reason to look elsewhere.
        throw new ConfigError([{ option: 'profile', message: `${configPath}: ${lookup.reason}` }], {
          code: 'CredentialsInvalid',
          hint: 'name a profile of mode AK, StsToken, RamRoleArn or OIDC, or unset `profile` / ALIBABA_CLOUD_PROFILE',
        });
      }
      configNote = `${configPath} (${lookup.reason})`;
    }
  }
  throw new ConfigError(
    [
      {
        option: 'credentials',
        message: `none found; looked in options.credentials, env ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, env ESA_ACCESS_KEY_ID/_SECRET, env ALIBABA_CLOUD_OIDC_TOKEN_FILE, ${esaNote} and ${configNote}`,
      },
    ],
    { code: 'CredentialsNotFound', hint: MISSING_HINT },
  );
}

/** {@link resolveCredentials} for normalized options: their credentials, profile and STS endpoint. */
export function resolveCredentialsFor(
  opts: Pick<NormalizedOptions, 'credentials' | 'profile' | 'stsEndpoint'>,
  place: { readonly env: Env; readonly homeDir?: string | undefined; readonly now?: () => Date },
): Promise<CredentialsLookup> {
  return resolveCredentials({
    explicit: opts.credentials,
    profile: opts.profile,
    stsEndpoint: opts.stsEndpoint,
    env: place.env,
    homeDir: place.homeDir,
    ...(place.now && { now: place.now }),
  });
}
