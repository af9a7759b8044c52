import type { CodeVersionStatus } from '../../state.js';
import { badRequest } from '../errors.js';
import {
  type EsaAction,
  requireAvailableVersion,
  requireEnvName,
  requireRoutine,
  requireVersion,
  rfc3339,
} from './common.js';

/** ESA's documented paging limits of `ListRoutineCodeVersions`: at most 2 pages of 20. */
export const MAX_VERSION_PAGE_NUMBER = 2;
export const MAX_VERSION_PAGE_SIZE = 20;

/** `Status` as `ListRoutineCodeVersions` spells it (ESA's example: `Available`). */
const LISTED_STATUS: Readonly<Record<CodeVersionStatus, string>> = {
  init: 'Init',
  available: 'Available',
  failed: 'Failed',
};

/** The legacy deploy: points the environment at one version, at 100%. The version must be `available`. */
export const publishRoutineCodeVersion: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const env = requireEnvName('Env', params.required('Env'));
  const codeVersion = params.required('CodeVersion');
  requireAvailableVersion(ctx, routine, codeVersion);
  ctx.state.deploy(routine, env, [{ codeVersion, percentage: 100 }]);
  return { CodeVersion: codeVersion };
};

/**
 * Versions newest first; `TotalCount` counts every matching version, even beyond the 2 pages. Items
 * carry `Status` capitalised (`Init`, `Available`, `Failed`), `BuildId` (0 when none), `ExtraInfo`
 * and `ConfOptions.NotFoundStrategy` (`''` when none).
 */
export const listRoutineCodeVersions: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const pageNumber = params.integer('PageNumber', 1, 1, MAX_VERSION_PAGE_NUMBER);
  const pageSize = params.integer('PageSize', MAX_VERSION_PAGE_SIZE, 1, MAX_VERSION_PAGE_SIZE);
  const keyword = params.optional('SearchKeyWord') ?? '';
  const matching = ctx.state
    .settleVersions(routine)
    .reverse()
    .filter((v) => keyword === '' || v.codeVersion.includes(keyword) || v.description.includes(keyword));
  const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: matching.length,
    CodeVersions: page.map((v) => ({
      CodeVersion: v.codeVersion,
      CodeDescription: v.description,
      CreateTime: rfc3339(v.createTime),
      Status: LISTED_STATUS[v.status],
      BuildId: v.buildId ?? 0,
      ExtraInfo: v.extraInfo,
      ConfOptions: { NotFoundStrategy: v.notFoundStrategy ?? '' },
    })),
  };
};

/**
 * One version's description, creation time and code: its stored bytes as UTF-8 (an assets
 * version's `routine/index.js`, `''` when it has none or is not built).
 */
export const getRoutineCodeVersion: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const version = requireVersion(ctx, routine, params.required('CodeVersion'));
  return {
    CodeDescription: version.description,
    CreateTime: rfc3339(version.createTime),
    RoutineCode: version.bytes.toString('utf8'),
  };
};

/**
 * Deletes a version no environment's deployment references, else `DependedByOthers`, whatever its
 * status (an `init` or `failed` assets version too).
 */
export const deleteRoutineCodeVersion: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const codeVersion = params.required('CodeVersion');
  requireVersion(ctx, routine, codeVersion);
  const envs = ctx.state.deployedEnvs(routine, codeVersion);
  if (envs.length > 0) {
    throw badRequest(
      'DependedByOthers',
      `Code version ${codeVersion} is deployed to ${envs.join(' and ')}; deploy other versions there before deleting it.`,
    );
  }
  routine.versions.delete(codeVersion);
  return { Status: 'OK' };
};
