import type { Credentials } from '../options/types.js';

/** One profile of the aliyun CLI's `~/.aliyun/config.json`, with the fields esa-stage reads. */
export interface AliyunProfile {
  readonly name?: unknown;
  readonly mode?: unknown;
  readonly access_key_id?: unknown;
  readonly access_key_secret?: unknown;
  readonly sts_token?: unknown;
}

export interface AliyunConfig {
  readonly current?: unknown;
  readonly profiles?: unknown;
}

/** The result of looking a profile up: credentials, or why there are none. */
export type ProfileLookup =
  | { readonly ok: true; readonly name: string; readonly credentials: Credentials }
  | { readonly ok: false; readonly reason: string };

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Picks the profile (the one asked for, else `current`) from a parsed config.json and reads its
 * AccessKey. Modes `AK` and `StsToken` are supported; others need a token exchange esa-stage does
 * not do, and say so. Pure.
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
  if (mode !== 'AK' && mode !== 'StsToken') {
    return {
      ok: false,
      reason: `profile "${name}" uses mode ${mode}; esa-stage reads modes AK and StsToken (for others, export ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN)`,
    };
  }
  if (!accessKeyId || !accessKeySecret) {
    return { ok: false, reason: `profile "${name}" lacks access_key_id or access_key_secret` };
  }
  if (mode === 'StsToken') {
    const securityToken = str(profile.sts_token);
    if (!securityToken) return { ok: false, reason: `profile "${name}" (StsToken) lacks sts_token` };
    return { ok: true, name, credentials: { accessKeyId, accessKeySecret, securityToken } };
  }
  return { ok: true, name, credentials: { accessKeyId, accessKeySecret } };
}
