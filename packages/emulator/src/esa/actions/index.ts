import { createRoutineWithAssetsCodeVersion, getRoutineCodeVersionInfo } from './assets.js';
import type { EsaAction } from './common.js';
import { createRoutineCodeDeployment } from './deployment.js';
import { createRoutine, getRoutine } from './routine.js';
import { commitRoutineStagingCode, getRoutineStagingCodeUploadInfo } from './staging.js';
import { getRoutineStagingEnvIp } from './staging-env.js';
import {
  deleteRoutineCodeVersion,
  getRoutineCodeVersion,
  listRoutineCodeVersions,
  publishRoutineCodeVersion,
} from './versions.js';

export type { EsaAction } from './common.js';
export { ActionParams } from './params.js';

/** The ESA 2024-09-10 actions the emulator implements, by name. */
export const ESA_ACTIONS: ReadonlyMap<string, EsaAction> = new Map([
  ['CreateRoutine', createRoutine],
  ['GetRoutine', getRoutine],
  ['GetRoutineStagingCodeUploadInfo', getRoutineStagingCodeUploadInfo],
  ['CommitRoutineStagingCode', commitRoutineStagingCode],
  ['CreateRoutineWithAssetsCodeVersion', createRoutineWithAssetsCodeVersion],
  ['GetRoutineCodeVersionInfo', getRoutineCodeVersionInfo],
  ['PublishRoutineCodeVersion', publishRoutineCodeVersion],
  ['ListRoutineCodeVersions', listRoutineCodeVersions],
  ['DeleteRoutineCodeVersion', deleteRoutineCodeVersion],
  ['CreateRoutineCodeDeployment', createRoutineCodeDeployment],
  ['GetRoutineCodeVersion', getRoutineCodeVersion],
  ['GetRoutineStagingEnvIp', getRoutineStagingEnvIp],
]);
