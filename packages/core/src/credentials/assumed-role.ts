import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import type { Credentials, Env } from '../options/types.js';
import type { StsExchange } from './sts-client.js';

/** A role to assume at STS, as the environment or a config.json profile describes it. */
export type AssumedRole = {
  /** Where it was described, for messages (never a secret). */
  readonly source: string;
  readonly roleArn: string;
  readonly roleSessionName: string | undefined;
  readonly durationSeconds: number | undefined;
  /** `sts.<region>.aliyuncs.com` when no endpoint is given. */
  readonly stsRegion: string | undefined;
} & (
  | {
      readonly action: 'AssumeRoleWithOIDC';
      readonly oidcProviderArn: string;
      readonly oidcTokenFile: string;
    }
  | { readonly action: 'AssumeRole'; readonly credentials: Credentials }
);

export const OIDC_ENV = [
  'ALIBABA_CLOUD_ROLE_ARN',
  'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
  'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
] as const;

const DEFAULT_DURATION_SECONDS = 3600;
const SESSION_NAME = /^[\w.@-]{2,64}$/;

function value(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/**
 * The OIDC role the environment describes (`ALIBABA_CLOUD_ROLE_ARN`,
 * `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`, as `@alicloud/credentials`
 * reads them), or undefined. The provider ARN or token file without the others is an error: they
 * only make sense together. Pure.
 */
export function oidcRoleFromEnv(env: Env): AssumedRole | undefined {
  const [roleArn, oidcProviderArn, oidcTokenFile] = OIDC_ENV.map((name) => value(env, name));
  if (!oidcProviderArn && !oidcTokenFile) return undefined;
  if (!roleArn || !oidcProviderArn || !oidcTokenFile) {
    const missing = OIDC_ENV.filter((name) => !value(env, name));
    throw new ConfigError(
      [{ option: `env ${missing.join(', ')}`, message: 'not set, while the other OIDC variables are' }],
      {
        code: 'CredentialsIncomplete',
        hint: `set all three of ${OIDC_ENV.join(', ')} (aliyun/configure-aliyun-credentials-action or your workflow sets them), or none`,
      },
    );
  }
  return {
    source: 'env ALIBABA_CLOUD_OIDC_TOKEN_FILE',
    action: 'AssumeRoleWithOIDC',
    roleArn,
    oidcProviderArn,
    oidcTokenFile,
    roleSessionName: value(env, 'ALIBABA_CLOUD_ROLE_SESSION_NAME'),
    durationSeconds: undefined,
    stsRegion: value(env, 'ALIBABA_CLOUD_STS_REGION'),
  };
}

/**
 * The STS endpoint: the option or `ESA_STAGE_STS_ENDPOINT` (already in `given`), else the role's
 * region (`sts-vpc.` with `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`), else the central endpoint. Pure.
 */
export function stsEndpointFor(given: string | undefined, region: string | undefined, env: Env): string {
  if (given) return given;
  if (!region) return 'https://sts.aliyuncs.com';
  const vpc = env.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED?.toLowerCase() === 'true';
  return `https://${vpc ? 'sts-vpc' : 'sts'}.${region}.aliyuncs.com`;
}

/**
 * Turns a role into the exchange to make: checks the session name and duration, and reads the
 * OIDC token file (read on every publish, so a token the runner refreshes is picked up).
 */
export async function exchangeFor(
  role: AssumedRole,
  stsEndpoint: string | undefined,
  env: Env,
  now: () => Date,
): Promise<StsExchange> {
  const roleSessionName = role.roleSessionName ?? `esa-stage-${now().getTime()}`;
  const durationSeconds = role.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  const problems = [];
  if (!SESSION_NAME.test(roleSessionName)) {
    problems.push({
      option: `${role.source} session name`,
      message: `"${roleSessionName}" must be 2-64 letters, digits or . @ - _`,
    });
  }
  if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
    problems.push({
      option: `${role.source} duration`,
      message: `${durationSeconds} s must be 900 to 43200`,
    });
  }
  if (problems.length > 0)
    throw new ConfigError(problems, { code: 'CredentialsInvalid', hint: 'fix the role settings' });
  const common = {
    endpoint: stsEndpointFor(stsEndpoint, role.stsRegion, env),
    roleArn: role.roleArn,
    roleSessionName,
    durationSeconds,
  };
  if (role.action === 'AssumeRole') return { ...common, action: 'AssumeRole', credentials: role.credentials };
  let token: string;
  try {
    token = (await readFile(role.oidcTokenFile, 'utf8')).trim();
  } catch (error) {
    throw new ConfigError(
      [
        {
          option: role.source,
          message: `${role.oidcTokenFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        },
      ],
      {
        code: 'CredentialsInvalid',
        hint: 'write the OIDC token to that file first (in GitHub Actions the job needs `permissions: id-token: write`; see the README recipe)',
        cause: error,
      },
    );
  }
  if (token.length < 4 || token.length > 20000) {
    throw new ConfigError(
      [
        {
          option: role.source,
          message: `${role.oidcTokenFile} holds ${token.length} characters, not an OIDC token (4-20000)`,
        },
      ],
      { code: 'CredentialsInvalid', hint: 'write the raw JWT (not base64, not JSON) to the token file' },
    );
  }
  return { ...common, action: 'AssumeRoleWithOIDC', oidcProviderArn: role.oidcProviderArn, oidcToken: token };
}
