import type { EnvName, Routine } from '../../state.js';
import { badRequest } from '../errors.js';
import { type EsaAction, requireRoutine, rfc3339 } from './common.js';

function isEnvName(value: string): value is EnvName {
  return value === 'staging' || value === 'production';
}

/** The version named by `codeVersion`. The real code for an unknown version is a guess. */
function requireVersion(routine: Routine, codeVersion: string) {
  const version = routine.versions.get(codeVersion);
  if (!version) {
    throw badRequest(
      'InvalidParameter',
      `Code version ${codeVersion} does not exist in routine ${routine.name}.`,
    );
  }
  return version;
}

export const publishRoutineCodeVersion: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const env = params.required('Env');
  const codeVersion = params.required('CodeVersion');
  if (!isEnvName(env)) {
    throw badRequest('InvalidParameter', `Env must be staging or production, got "${env}".`);
  }
  requireVersion(routine, codeVersion);
  routine.envs.set(env, {
    codeVersion,
    deployId: ctx.state.nextDeployId(),
    creationTime: ctx.state.clock(),
  });
  return { CodeVersion: codeVersion };
};

export const listRoutineCodeVersions: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const pageNumber = params.integer('PageNumber', 1, 1, 1_000_000);
  const pageSize = params.integer('PageSize', 20, 1, 20);
  const keyword = params.optional('SearchKeyWord') ?? '';
  const matching = [...routine.versions.values()]
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
      Status: 'available',
      BuildId: 0,
      ExtraInfo: '',
      ConfOptions: { NotFoundStrategy: '' },
    })),
  };
};

export const deleteRoutineCodeVersion: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const codeVersion = params.required('CodeVersion');
  requireVersion(routine, codeVersion);
  const envs = ctx.state.deployedEnvs(routine, codeVersion);
  if (envs.length > 0) {
    // The real gateway's code for deleting a deployed version is unknown; this one is a guess.
    throw badRequest(
      'InvalidParameter.CodeVersionInUse',
      `Code version ${codeVersion} is deployed to ${envs.join(' and ')}; publish another version there before deleting it.`,
    );
  }
  routine.versions.delete(codeVersion);
  return { Status: 'OK' };
};
