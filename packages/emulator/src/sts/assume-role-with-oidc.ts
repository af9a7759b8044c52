import { badRequest, EsaApiError } from '../esa/errors.js';
import { isOidcProviderArn } from './arn.js';
import { roleExists, type StsCall } from './call.js';
import { formatStsTime, issueCredentials } from './issue.js';
import { decodeOidcToken, invalidToken, type OidcClaims } from './jwt.js';
import { StsParams } from './params.js';
import type { ResolvedOidcTrust } from './trust.js';
import { checkTimestamp } from './verify-rpc.js';

/** Shortest and longest `OIDCToken`, in characters (STS's documented bounds). */
export const MIN_OIDC_TOKEN_LENGTH = 4;
export const MAX_OIDC_TOKEN_LENGTH = 20_000;

function authenticationFail(code: string, message: string): EsaApiError {
  return new EsaApiError(401, `AuthenticationFail.${code}`, message);
}

/** The trust of the provider and role, in STS's order: provider, role, trust policy. */
function findTrust(call: StsCall, providerArn: string, roleArn: string): ResolvedOidcTrust {
  const trusts = call.ctx.options.oidc.filter((t) => t.providerArn === providerArn);
  if (trusts.length === 0) {
    throw authenticationFail('NoPermission', `No such OIDC Provider registered: ${providerArn}.`);
  }
  if (!roleExists(call.ctx, roleArn)) {
    throw new EsaApiError(404, 'EntityNotExist.Role', `The role not exists: ${roleArn}.`);
  }
  const trust = trusts.find((t) => t.roleArn === roleArn);
  if (!trust) {
    throw authenticationFail(
      'NoPermission',
      `There is no permission: the trust policy of ${roleArn} does not trust ${providerArn}.`,
    );
  }
  return trust;
}

/** The token's issuer, audience and expiry against the trust and the emulator's clock. */
function checkClaims(claims: OidcClaims, trust: ResolvedOidcTrust, now: number): void {
  if (trust.issuer !== undefined && claims.iss !== trust.issuer) {
    throw authenticationFail(
      'OIDCToken.IssuerNotMatch',
      `The issuer in the OIDC Token doesn't match the OIDC Provider registered: iss is ${JSON.stringify(claims.iss)}, the provider's is ${JSON.stringify(trust.issuer)}.`,
    );
  }
  const clientIds = trust.audience;
  if (clientIds !== undefined && !claims.aud.some((a) => clientIds.includes(a))) {
    throw authenticationFail(
      'OIDCToken.AudienceNotMatch',
      `Invalid audience: aud ${JSON.stringify(claims.aud)} holds none of the provider's client IDs ${JSON.stringify(clientIds)}.`,
    );
  }
  if (claims.exp * 1000 <= now) {
    throw authenticationFail(
      'OIDCToken.Expired',
      `This JsonWebToken is expired: exp is ${new Date(claims.exp * 1000).toISOString()}, the server time is ${new Date(now).toISOString()}.`,
    );
  }
}

/**
 * STS `AssumeRoleWithOIDC`: unsigned, trusted through the `oidc` option. The token's signature is
 * NOT verified (the emulator knows no provider keys); its shape, `iss`, `aud` and `exp` are. A
 * `Timestamp`, when sent, must be well formed and within `maxClockSkewMs`.
 */
export function assumeRoleWithOidc(call: StsCall): Record<string, unknown> {
  const { ctx, params } = call;
  const now = ctx.options.now();
  if (params.Timestamp !== undefined) checkTimestamp(params.Timestamp, now, ctx.options.maxClockSkewMs);
  const p = new StsParams(params);
  const providerArn = p.required('OIDCProviderArn');
  const role = p.roleArn();
  const token = p.required('OIDCToken');
  const roleSessionName = p.roleSessionName();
  if (!isOidcProviderArn(providerArn)) {
    // The code is a guess, after InvalidParameter.RoleArn.
    throw badRequest(
      'InvalidParameter.OIDCProviderArn',
      'The parameter OIDCProviderArn is wrongly formed: it must look like acs:ram::<account id>:oidc-provider/<name>.',
    );
  }
  if (token === '') throw invalidToken('The OIDCToken can not empty.');
  if (token.length < MIN_OIDC_TOKEN_LENGTH || token.length > MAX_OIDC_TOKEN_LENGTH) {
    // The code is a guess: STS documents the bounds, not the error.
    throw badRequest(
      'InvalidParameter.OIDCToken',
      `The parameter OIDCToken is wrongly formed: it must be ${MIN_OIDC_TOKEN_LENGTH} to ${MAX_OIDC_TOKEN_LENGTH} characters, got ${token.length}.`,
    );
  }
  const durationSeconds = p.durationSeconds();
  const policy = p.policy();
  const trust = findTrust(call, providerArn, role.text);
  const claims = decodeOidcToken(token);
  checkClaims(claims, trust, now);
  const { AssumedRoleUser, Credentials } = issueCredentials(ctx, {
    action: 'AssumeRoleWithOIDC',
    roleArnText: role.text,
    roleArn: role.arn,
    roleSessionName,
    durationSeconds,
    policy,
    requestId: call.requestId,
    oidc: { providerArn, subject: claims.sub, issuer: claims.iss, audience: claims.aud },
  });
  return {
    AssumedRoleUser,
    OIDCTokenInfo: {
      Subject: claims.sub,
      Issuer: claims.iss,
      ClientIds: claims.aud.join(','),
      ExpirationTime: formatStsTime(new Date(claims.exp * 1000)),
      ...(claims.iat !== undefined && { IssuanceTime: formatStsTime(new Date(claims.iat * 1000)) }),
    },
    Credentials,
  };
}
