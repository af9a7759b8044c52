import { badRequest } from '../errors.js';
import { type EsaAction, requireAvailableVersion, requireEnvName, requireRoutine } from './common.js';
import { parseDeploymentCodeVersions } from './deployment-versions.js';

/**
 * Deploys one version, or two as a canary, to `staging` or `production` by percentage. Replaces the
 * environment's deployment. Every version must be `available`.
 */
export const createRoutineCodeDeployment: EsaAction = (ctx, params) => {
  const routine = requireRoutine(ctx, params);
  const env = requireEnvName('Env', params.required('Env'));
  const strategy = params.required('Strategy');
  if (strategy !== 'percentage') {
    throw badRequest('InvalidParameter', `Strategy must be percentage, got "${strategy}".`);
  }
  const codeVersions = parseDeploymentCodeVersions(params.required('CodeVersions'));
  for (const { codeVersion } of codeVersions) requireAvailableVersion(ctx, routine, codeVersion);
  const deployment = ctx.state.deploy(routine, env, codeVersions);
  return {
    CodeVersions: deployment.codeVersions.map((v) => ({
      CodeVersion: v.codeVersion,
      Percentage: v.percentage,
    })),
    DeploymentId: deployment.deployId,
    Strategy: deployment.strategy,
  };
};
