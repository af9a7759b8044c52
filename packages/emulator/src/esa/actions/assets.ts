import { codeBytesOf } from '../../code-bytes.js';
import { buildAssetsOssPostConfig } from '../assets-upload-info.js';
import { parseConfOptions } from '../conf-options.js';
import { type EsaAction, requireRoutine, requireVersion, requireVersionQuota, rfc3339 } from './common.js';

/**
 * Creates a code version at once, status `init`, and signs an `OssPostConfig` for its zip
 * (`routine/index.js` and/or `assets/**`): `Name` (required), `CodeDescription`, `ExtraInfo` (kept
 * as given), `BuildId` (a whole number), `ConfOptions` (`{"NotFoundStrategy": …}`, the strategy
 * matched without regard to case). The version counts toward the quota from now on, uploaded or
 * not. Whether a routine created without `HasAssets` takes it is undocumented; the emulator allows
 * it (mcp-server-esa relies on it).
 */
export const createRoutineWithAssetsCodeVersion: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const description = params.optional('CodeDescription') ?? '';
  const extraInfo = params.optional('ExtraInfo') ?? '';
  const buildId = params.optionalInteger('BuildId');
  const { notFoundStrategy } = parseConfOptions(params.optional('ConfOptions'));
  requireVersionQuota(ctx, routine);
  const codeVersion = ctx.state.nextCodeVersion();
  const createTime = ctx.state.clock();
  const config = buildAssetsOssPostConfig({
    routine: routine.name,
    codeVersion,
    now: createTime.getTime(),
    policyTtlMs: ctx.options.policyTtlMs,
    maxObjectSize: ctx.options.maxObjectSize,
    bucket: ctx.bucket,
    ossUrl: ctx.endpoints.oss,
  });
  routine.versions.set(codeVersion, {
    codeVersion,
    description,
    createTime,
    deployEnv: undefined,
    ...codeBytesOf(Buffer.alloc(0)),
    status: 'init',
    failureReason: undefined,
    routine: undefined,
    assets: new Map(),
    extraInfo,
    buildId,
    notFoundStrategy,
    pendingBuild: undefined,
  });
  ctx.state.tickets.set(config.Key, {
    kind: 'assets',
    objectKey: config.Key,
    routine: routine.name,
    codeVersion,
    description,
    issuedAt: createTime,
    postConfig: { ...config },
  });
  return { CodeVersion: codeVersion, Status: 'init', OssPostConfig: config };
};

/**
 * A version's build status and settings (documented, but not in SDK 2.43.0: esa-cli calls it with
 * GET and a query; POST with a body works too). `Status` is lower-case as esa-cli and
 * mcp-server-esa read it: `init`, `available` or `failed`. A committed staging version is
 * `available`. `HasAssets` is true when the version has files under `assets/`; `BuildId` is 0 and
 * `ExtraInfo` and `NotFoundStrategy` are `''` when none was given.
 */
export const getRoutineCodeVersionInfo: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const version = requireVersion(ctx, routine, params.required('CodeVersion'));
  return {
    CodeVersion: version.codeVersion,
    Status: version.status,
    CodeDescription: version.description,
    CreateTime: rfc3339(version.createTime),
    HasAssets: version.assets.size > 0,
    ExtraInfo: version.extraInfo,
    BuildId: version.buildId ?? 0,
    ConfOptions: { NotFoundStrategy: version.notFoundStrategy ?? '' },
  };
};
