import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Credentials, Env } from '../options/types.js';
import { readConfigText } from '../project/read-config-text.js';
import { type AliyunConfig, credentialsFromAliyunConfig } from './aliyun-config.js';
import { assertPrintableCredentials } from './check-characters.js';

/** Credentials and where they were found (safe to log: names a place, never a value). */
export interface ResolvedCredentials extends Credentials {
  readonly source: string;
}

export interface ResolveCredentialsOptions {
  readonly explicit: Credentials | undefined;
  /** Profile name from the option or `ALIBABA_CLOUD_PROFILE`. */
  readonly profile: string | undefined;
  readonly env: Env;
  /** @default os.homedir() */
  readonly homeDir?: string | undefined;
}

const ENV_GROUPS = [
  ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN'],
  ['ESA_ACCESS_KEY_ID', 'ESA_ACCESS_KEY_SECRET', 'ESA_SECURITY_TOKEN'],
] as const;

const MISSING_HINT =
  'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (in GitHub Actions, aliyun/configure-aliyun-credentials-action exports them), run `aliyun configure` or `esa login`, or pass `credentials`';

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
 * The first credentials found, in order: explicit option, env `ALIBABA_CLOUD_*`, env `ESA_*`
 * (esa-cli's names), esa-cli's `~/.esa/config/default.jsonc|toml` `[auth]` (unless a profile is
 * named), then `~/.aliyun/config.json` (profile from the option or
 * `ALIBABA_CLOUD_PROFILE`, else `current`). Never probes the ECS metadata service. Throws a
 * {@link ConfigError} naming every place looked when nothing is found.
 */
export async function resolveCredentials(options: ResolveCredentialsOptions): Promise<ResolvedCredentials> {
  const found = await findCredentials(options);
  assertPrintableCredentials(found, found.source);
  return found;
}

async function findCredentials(options: ResolveCredentialsOptions): Promise<ResolvedCredentials> {
  if (options.explicit) return { ...options.explicit, source: 'options.credentials' };
  for (const group of ENV_GROUPS) {
    const found = fromEnv(options.env, group);
    if (found) return found;
  }
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
      if (lookup.ok) return { ...lookup.credentials, source: `${configPath} profile "${lookup.name}"` };
      if (options.profile) {
        // A profile asked for by name and not usable is an error, not a reason to look elsewhere.
        throw new ConfigError([{ option: 'profile', message: `${configPath}: ${lookup.reason}` }], {
          code: 'CredentialsInvalid',
          hint: 'name a profile of type AK or StsToken, or unset `profile` / ALIBABA_CLOUD_PROFILE',
        });
      }
      configNote = `${configPath} (${lookup.reason})`;
    }
  }
  throw new ConfigError(
    [
      {
        option: 'credentials',
        message: `none found; looked in options.credentials, env ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, env ESA_ACCESS_KEY_ID/_SECRET, ${esaNote} and ${configNote}`,
      },
    ],
    { code: 'CredentialsNotFound', hint: MISSING_HINT },
  );
}
