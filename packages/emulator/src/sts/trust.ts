import { isOidcProviderArn, parseRoleArn } from './arn.js';

/**
 * A RAM role that trusts a RAM OIDC identity provider, as the emulator's STS server knows it:
 * `AssumeRoleWithOIDC` with this `providerArn` and `roleArn` is allowed when the token's claims
 * match.
 */
export interface OidcTrust {
  /** ARN of the OIDC identity provider, `acs:ram::<account>:oidc-provider/<name>`. */
  readonly providerArn: string;
  /** ARN of the RAM role whose trust policy names the provider, `acs:ram::<account>:role/<name>`. */
  readonly roleArn: string;
  /**
   * The provider's client IDs: the token's `aud` (a string or an array) must hold one of them, else
   * `AuthenticationFail.OIDCToken.AudienceNotMatch`.
   * @default undefined (any audience)
   */
  readonly audience?: string | readonly string[];
  /**
   * The provider's issuer URL: the token's `iss` must equal it, else
   * `AuthenticationFail.OIDCToken.IssuerNotMatch`.
   * @default undefined (any issuer)
   */
  readonly issuer?: string;
}

/** An {@link OidcTrust} checked, its audience as a list (undefined: any). */
export interface ResolvedOidcTrust {
  readonly providerArn: string;
  readonly roleArn: string;
  readonly audience: readonly string[] | undefined;
  readonly issuer: string | undefined;
}

/** The account of the emulator's well-known role and OIDC provider (public, fake). */
export const EMULATOR_ACCOUNT_ID = '1234567890123456';

/**
 * The well-known RAM role every emulator knows: assumable with `AssumeRole` (the default `ramRoles`)
 * and with `AssumeRoleWithOIDC` through {@link EMULATOR_OIDC_TRUST}.
 */
export const EMULATOR_ROLE_ARN = `acs:ram::${EMULATOR_ACCOUNT_ID}:role/esa-stage-ci`;

/**
 * The default `oidc` trust: {@link EMULATOR_ROLE_ARN} trusts the provider
 * `acs:ram::1234567890123456:oidc-provider/GitHubActions`, for any audience and issuer.
 */
export const EMULATOR_OIDC_TRUST: OidcTrust = Object.freeze({
  providerArn: `acs:ram::${EMULATOR_ACCOUNT_ID}:oidc-provider/GitHubActions`,
  roleArn: EMULATOR_ROLE_ARN,
});

function checkRoleArn(option: string, value: unknown): string {
  if (typeof value !== 'string' || !parseRoleArn(value)) {
    throw new RangeError(
      `esa-stage emulator: ${option} must be a RAM role ARN like acs:ram::<account>:role/<name>, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkAudience(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((a) => typeof a !== 'string' || a === '')) {
    throw new RangeError(
      `esa-stage emulator: oidc[].audience must be a non-empty string or array of them, got ${JSON.stringify(value)}`,
    );
  }
  return list as string[];
}

/** A copy of the `oidc` option, checked. */
export function resolveOidcTrusts(value: readonly OidcTrust[] | undefined): readonly ResolvedOidcTrust[] {
  if (value === undefined) return resolveOidcTrusts([EMULATOR_OIDC_TRUST]);
  if (!Array.isArray(value)) {
    throw new TypeError('esa-stage emulator: oidc must be an array of { providerArn, roleArn }');
  }
  return value.map((trust: OidcTrust) => {
    if (typeof trust.providerArn !== 'string' || !isOidcProviderArn(trust.providerArn)) {
      throw new RangeError(
        `esa-stage emulator: oidc[].providerArn must be like acs:ram::<account>:oidc-provider/<name>, got ${JSON.stringify(trust.providerArn)}`,
      );
    }
    const issuer: unknown = trust.issuer;
    if (issuer !== undefined && (typeof issuer !== 'string' || issuer === '')) {
      throw new RangeError(`esa-stage emulator: oidc[].issuer must be a non-empty string`);
    }
    return {
      providerArn: trust.providerArn,
      roleArn: checkRoleArn('oidc[].roleArn', trust.roleArn),
      audience: checkAudience(trust.audience),
      issuer: trust.issuer,
    };
  });
}

/** A copy of the `ramRoles` option, checked. */
export function resolveRamRoles(value: readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [EMULATOR_ROLE_ARN];
  if (!Array.isArray(value))
    throw new TypeError('esa-stage emulator: ramRoles must be an array of role ARNs');
  return value.map((arn: unknown) => checkRoleArn('ramRoles[]', arn));
}
