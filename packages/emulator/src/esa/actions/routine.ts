import { ENV_NAMES, type EnvName, type Routine } from '../../state.js';
import { badRequest } from '../errors.js';
import { type EsaAction, requireRoutine, rfc3339 } from './common.js';

const ROUTINE_NAME = /^[a-z0-9-]{2,}$/;

/** Creates a routine; `HasAssets` (`true`/`false`, default false) is stored and `GetRoutine` answers it. */
export const createRoutine: EsaAction = (ctx, params) => {
  const name = params.required('Name');
  const description = params.optional('Description') ?? '';
  const hasAssets = params.boolean('HasAssets', false);
  if (!ROUTINE_NAME.test(name)) {
    throw badRequest(
      'InvalidParameter',
      `Name must be at least 2 characters of lower-case letters, digits and hyphens, got "${name}".`,
    );
  }
  if (ctx.state.routines.has(name)) {
    throw badRequest('RoutineAlreadyExist', `The routine name already exists: ${name}.`);
  }
  ctx.state.createRoutine(name, description, hasAssets);
  return { Status: 'OK' };
};

/** An environment's `CodeDeploy`: every version of its deployment with its percentage. */
function codeDeploy(routine: Routine, env: EnvName) {
  const deployment = routine.envs.get(env);
  if (!deployment) return undefined;
  return {
    DeployId: deployment.deployId,
    CreationTime: rfc3339(deployment.creationTime),
    Strategy: deployment.strategy,
    CodeVersions: deployment.codeVersions.map(({ codeVersion, percentage }) => {
      const version = routine.versions.get(codeVersion);
      return {
        CodeVersion: codeVersion,
        Percentage: percentage,
        Description: version?.description ?? '',
        CreateTime: version ? rfc3339(version.createTime) : '',
      };
    }),
  };
}

export const getRoutine: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  return {
    CreateTime: rfc3339(routine.createTime),
    Description: routine.description,
    DefaultRelatedRecord: routine.defaultRelatedRecord,
    HasAssets: routine.hasAssets,
    Envs: ENV_NAMES.map((env) => {
      const deploy = codeDeploy(routine, env);
      return deploy ? { Env: env, CodeDeploy: deploy } : { Env: env };
    }),
  };
};
