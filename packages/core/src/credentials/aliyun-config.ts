import type { Credentials } from '../options/types.js';
import type { AssumedRole } from './assumed-role.js';

/** One profile of the aliyun CLI's `~/.aliyun/config.json`, with the fields esa-stage reads. */
export interface AliyunProfile {
  readonly name?: unknown;
  readonly mode?: unknown;
  readonly access_key_id?: unknown;
  readonly access_key_secret?: unknown;
  readonly sts_token?: unknown;
  readonly ram_role_arn?: unknown;
  readonly ram_session_name?: unknown;
  readonly expired_seconds?: unknown;
  readonly duration_seconds?: unknown;
  readonly sts_region?: unknown;
  readonly oidc_provider_arn?: unknown;
  readonly oidc_token_file?: unknown;
}

export interface AliyunConfig {
  readonly current?: unknown;
  readonly profiles?: unknown;
}

/** The result of looking a profile up: credentials, or why there are none. */
export type ProfileLookup =
  | { readonly ok: true; readonly name: string; readonly credentials: Credentials }
  | { readonly ok: true; readonly name: string; readonly role: AssumedRole }
  | { readonly ok: false; readonly reason: string };

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && n > 0 ? n : undefined;
}

/** The role fields every role mode shares. */
function roleFields(profile: AliyunProfile, source: string) {
  return {
    source,
    roleSessionName: str(profile.ram_session_name),
    // The aliyun CLI writes expired_seconds; the Node SDK's OIDC mode reads duration_seconds.
    durationSeconds: seconds(profile.duration_seconds) ?? seconds(profile.expired_seconds),
    stsRegion: str(profile.sts_region),
  };
}

/**
 * Picks the profile (the one asked for, else `current`) from a parsed config.json and reads it:
 * an AccessKey for modes `AK` and `StsToken`, a role to assume at STS for `RamRoleArn` (with the
 * profile's AccessKey) and `OIDC` (with its token file). Other modes say what to do instead. Pure.
 */
export function credentialsFromAliyunConfig(config: AliyunConfig, wanted: string | undefined): ProfileLookup {
  const profiles = Array.isArray(config.profiles) ? (config.profiles as AliyunProfile[]) : [];
  const name = wanted ?? str(config.current);
  if (!name) return { ok: false, reason: 'it names no `current` profile and none was asked for' };
  const profile = profiles.find((p) => p.name === name);
  if (!profile) {
    const names = profiles.map((p) => str(p.name)).filter(Boolean);
    return { ok: false, reason: `it has no profile "${name}" (profiles: ${names.join(', ') || 'none'})` };
  }
  const mode = str(profile.mode) ?? 'AK';
  const accessKeyId = str(profile.access_key_id);
  const accessKeySecret = str(profile.access_key_secret);
  const source = `~/.aliyun/config.json profile "${name}"`;
  if (mode === 'OIDC') {
    const roleArn = str(profile.ram_role_arn);
    const oidcProviderArn = str(profile.oidc_provider_arn);
    const oidcTokenFile = str(profile.oidc_token_file);
    if (!roleArn || !oidcProviderArn || !oidcTokenFile) {
      return {
        ok: false,
        reason: `profile "${name}" (OIDC) lacks ram_role_arn, oidc_provider_arn or oidc_token_file`,
      };
    }
    return {
      ok: true,
      name,
      role: {
        ...roleFields(profile, source),
        action: 'AssumeRoleWithOIDC',
        roleArn,
        oidcProviderArn,
        oidcTokenFile,
      },
    };
  }
  if (mode !== 'AK' && mode !== 'StsToken' && mode !== 'RamRoleArn') {
    return {
      ok: false,
      reason: `profile "${name}" uses mode ${mode}; esa-stage reads modes AK, StsToken, RamRoleArn and OIDC (for others, export ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN)`,
    };
  }
  if (!accessKeyId || !accessKeySecret) {
    return { ok: false, reason: `profile "${name}" lacks access_key_id or access_key_secret` };
  }
  if (mode === 'RamRoleArn') {
    const roleArn = str(profile.ram_role_arn);
    if (!roleArn) return { ok: false, reason: `profile "${name}" (RamRoleArn) lacks ram_role_arn` };
    return {
      ok: true,
      name,
      role: {
        ...roleFields(profile, source),
        action: 'AssumeRole',
        roleArn,
        credentials: { accessKeyId, accessKeySecret },
      },
    };
  }
  if (mode === 'StsToken') {
    const securityToken = str(profile.sts_token);
    if (!securityToken) return { ok: false, reason: `profile "${name}" (StsToken) lacks sts_token` };
    return { ok: true, name, credentials: { accessKeyId, accessKeySecret, securityToken } };
  }
  return { ok: true, name, credentials: { accessKeyId, accessKeySecret } };
}
