import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import type { StsSession } from '../state.js';
import { assumedRoleArn, type RoleArn } from './arn.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random letters and digits. */
function randomAlphanumeric(length: number): string {
  const bytes = randomBytes(length * 2);
  let text = '';
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character equally likely.
  for (const byte of bytes) {
    if (byte < 248) text += ALPHANUMERIC[byte % 62];
    if (text.length === length) return text;
  }
  return text + randomAlphanumeric(length - text.length);
}

/** A role's id, as RAM would show it: 17 digits, the same for the same ARN. */
export function roleId(roleArn: string): string {
  const digest = createHash('sha256').update(roleArn).digest();
  return `3${(digest.readBigUInt64BE(0) % 10n ** 16n).toString().padStart(16, '0')}`;
}

/** STS's time format (`Credentials.Expiration`): ISO 8601 UTC without milliseconds. */
export function formatStsTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** What an issue is for: the role, the session, and who asked. */
export interface IssueRequest {
  readonly action: StsSession['action'];
  readonly roleArnText: string;
  readonly roleArn: RoleArn;
  readonly roleSessionName: string;
  readonly durationSeconds: number;
  readonly policy: string | undefined;
  readonly requestId: string;
  readonly caller?: { readonly accessKeyId: string; readonly principal: string | undefined };
  readonly oidc?: {
    readonly providerArn: string;
    readonly subject: string;
    readonly issuer: string;
    readonly audience: readonly string[];
  };
}

/**
 * Makes fresh STS credentials (`STS.` AccessKey ID, secret, long `CAIS…` security token) valid for
 * `durationSeconds` on the emulator's clock, registers them so the ESA server and `AssumeRole`
 * accept them, records the session (without secrets), and returns STS's `AssumedRoleUser` and
 * `Credentials` members.
 */
export function issueCredentials(ctx: EmulatorContext, request: IssueRequest): Record<string, unknown> {
  const now = ctx.options.now();
  // Expiration is whole seconds, as STS writes it; the credentials are refused from that instant.
  const expiration = new Date(Math.floor(now / 1000) * 1000 + request.durationSeconds * 1000);
  const principal = assumedRoleArn(request.roleArn, request.roleSessionName);
  const assumedRoleId = `${roleId(request.roleArnText)}:${request.roleSessionName}`;
  const accessKeyId = `STS.N${randomAlphanumeric(24)}`;
  const accessKeySecret = randomAlphanumeric(44);
  const securityToken = `CAIS${randomBytes(480).toString('base64')}`;
  ctx.state.issuedCredentials.set(accessKeyId, {
    accessKeyId,
    accessKeySecret,
    securityToken,
    principal,
    expiresAt: expiration.getTime(),
  });
  ctx.state.stsSessions.push({
    action: request.action,
    accessKeyId,
    roleArn: request.roleArnText,
    roleSessionName: request.roleSessionName,
    principal,
    assumedRoleId,
    durationSeconds: request.durationSeconds,
    issuedAt: new Date(now),
    expiration,
    policy: request.policy,
    callerAccessKeyId: request.caller?.accessKeyId,
    callerPrincipal: request.caller?.principal,
    oidcProviderArn: request.oidc?.providerArn,
    subject: request.oidc?.subject,
    issuer: request.oidc?.issuer,
    audience: request.oidc?.audience,
    requestId: request.requestId,
  });
  return {
    AssumedRoleUser: { Arn: principal, AssumedRoleId: assumedRoleId },
    Credentials: {
      AccessKeyId: accessKeyId,
      AccessKeySecret: accessKeySecret,
      SecurityToken: securityToken,
      Expiration: formatStsTime(expiration),
    },
  };
}
