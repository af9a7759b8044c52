import { CALLBACK_PATH } from '../../context.js';
import { badRequest } from '../errors.js';
import { buildOssPostConfig } from '../upload-info.js';
import { type EsaAction, requireEnvName, requireRoutine, requireVersionQuota } from './common.js';

export const getRoutineStagingCodeUploadInfo: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const description = params.optional('CodeDescription') ?? '';
  requireVersionQuota(ctx, routine);
  const codeVersion = ctx.state.nextCodeVersion();
  const issuedAt = ctx.state.clock();
  const config = buildOssPostConfig({
    routine: routine.name,
    codeVersion,
    description,
    now: issuedAt.getTime(),
    policyTtlMs: ctx.options.policyTtlMs,
    maxObjectSize: ctx.options.maxObjectSize,
    bucket: ctx.bucket,
    ossUrl: ctx.endpoints.oss,
    callbackUrl: `${ctx.endpoints.esa}${CALLBACK_PATH}`,
  });
  ctx.state.tickets.set(config.key, {
    kind: 'staging',
    objectKey: config.key,
    routine: routine.name,
    codeVersion,
    description,
    issuedAt,
    postConfig: { ...config },
  });
  return { CodeVersion: codeVersion, OssPostConfig: config };
};

/**
 * Snapshots the staging code as a new version. `DeployEnv` (not in SDK 2.43.0; Terraform sends it)
 * names the environment whose variables the version bundles; it is recorded on the version.
 */
export const commitRoutineStagingCode: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const description = params.optional('CodeDescription');
  const deployEnvText = params.optional('DeployEnv');
  const deployEnv =
    deployEnvText === undefined || deployEnvText === ''
      ? undefined
      : requireEnvName('DeployEnv', deployEnvText);
  const staging = routine.staging;
  if (!staging) {
    throw badRequest(
      'InvalidParameter',
      `Routine ${routine.name} has no staging code: upload it to OSS first (GetRoutineStagingCodeUploadInfo, then PostObject).`,
    );
  }
  requireVersionQuota(ctx, routine);
  const codeVersion = routine.versions.has(staging.codeVersion)
    ? ctx.state.nextCodeVersion()
    : staging.codeVersion;
  routine.versions.set(codeVersion, {
    codeVersion,
    description: description ?? staging.description,
    bytes: staging.bytes,
    size: staging.size,
    sha256: staging.sha256,
    createTime: ctx.state.clock(),
    deployEnv,
    status: 'available',
    failureReason: undefined,
    routine: staging.bytes,
    assets: new Map(),
    extraInfo: '',
    buildId: undefined,
    notFoundStrategy: undefined,
    pendingBuild: undefined,
  });
  return { CodeVersion: codeVersion };
};
