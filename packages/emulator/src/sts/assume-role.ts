import { findSigningCredential } from '../context.js';
import { EsaApiError } from '../esa/errors.js';
import { roleExists, type StsCall } from './call.js';
import { issueCredentials } from './issue.js';
import { StsParams } from './params.js';
import { verifyRpcSignature } from './verify-rpc.js';

/**
 * STS `AssumeRole`, signed with the legacy RPC HMAC-SHA1 signature by any AccessKey the emulator
 * accepts (built-in, configured, or issued by this server, with its `SecurityToken`). The role must
 * be in `ramRoles`: a role known only from `oidc` answers 403 `NoPermission`, an unknown one 404
 * `EntityNotExist.Role`.
 */
export function assumeRole(call: StsCall): Record<string, unknown> {
  const { ctx, params, caller } = call;
  const now = ctx.options.now();
  const verified = verifyRpcSignature(call.method, params, {
    findCredential: (accessKeyId) => findSigningCredential(ctx, accessKeyId),
    now,
    maxClockSkewMs: ctx.options.maxClockSkewMs,
  });
  caller.accessKeyId = verified.credential.accessKeyId;
  caller.principal = verified.credential.principal;
  call.nonces.use(verified.nonce, now);

  const p = new StsParams(params);
  const role = p.roleArn();
  const roleSessionName = p.roleSessionName();
  const durationSeconds = p.durationSeconds();
  const policy = p.policy();
  if (!roleExists(ctx, role.text)) {
    throw new EsaApiError(404, 'EntityNotExist.Role', `The specified Role not exists: ${role.text}.`);
  }
  if (!ctx.options.ramRoles.includes(role.text)) {
    throw new EsaApiError(
      403,
      'NoPermission',
      `No permission perform sts:AssumeRole on this Role. Maybe this role is not trusted by you, or you have no sts:AssumeRole permission: ${role.text} is not in the emulator's ramRoles.`,
    );
  }
  return issueCredentials(ctx, {
    action: 'AssumeRole',
    roleArnText: role.text,
    roleArn: role.arn,
    roleSessionName,
    durationSeconds,
    policy,
    requestId: call.requestId,
    caller: { accessKeyId: verified.credential.accessKeyId, principal: verified.credential.principal },
  });
}
