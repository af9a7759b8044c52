import { ConfigError, EsaStageError } from '../errors.js';
import type { EsaClient } from '../esa/client.js';
import { normalizeVerify } from '../options/normalize.js';
import type { EnvName, VerifyOptions } from '../options/types.js';
import { verifyProblems } from '../options/validate.js';
import { listVersions } from '../pipeline/code-versions.js';
import { Deployer, planDeployment } from '../pipeline/deploy.js';
import { pruneVersions } from '../pipeline/prune.js';
import { PublishRecord, type VersionShare } from '../pipeline/record.js';
import { type RoutineState, readRoutineState } from '../pipeline/routine-state.js';
import { readStagingIps } from '../pipeline/staging-access.js';
import { type StagingCheck, stagingAddress, verifyStaging } from '../pipeline/verify-staging.js';
import { type RoutineEnvironment, type RoutineOptions, withRoutine } from './connect.js';

/** A version as `esa-stage versions list` shows it. */
export interface VersionInfo {
  readonly codeVersion: string;
  readonly createTime: string;
  readonly description: string;
  /** The environments serving it, with its share of each. */
  readonly servedBy: readonly { readonly env: EnvName; readonly percentage: number }[];
}

function servedBy(state: RoutineState, codeVersion: string): VersionInfo['servedBy'] {
  return (['staging', 'production'] as const).flatMap((env) => {
    const share = state.envs[env]?.find((v) => v.codeVersion === codeVersion);
    return share ? [{ env, percentage: share.percentage }] : [];
  });
}

async function routineState(client: EsaClient, name: string): Promise<RoutineState> {
  return readRoutineState((await client.call('GetRoutine', { Name: name })).body);
}

/** Every version ESA lists (newest first, at most 40), and which environment serves each. */
export function listRoutineVersions(
  options: RoutineOptions,
  environment: RoutineEnvironment = {},
): Promise<{ versions: VersionInfo[]; total: number }> {
  return withRoutine(options, environment, async ({ client, opts }) => {
    const [state, listing] = await Promise.all([
      routineState(client, opts.name),
      listVersions(client, opts.name),
    ]);
    return {
      total: listing.total,
      versions: listing.versions.map((v) => ({
        codeVersion: v.codeVersion,
        createTime: v.createTime,
        description: v.description,
        servedBy: servedBy(state, v.codeVersion),
      })),
    };
  });
}

/** Deletes versions; refuses, before deleting any, a version an environment serves. */
export function deleteRoutineVersions(
  options: RoutineOptions,
  codeVersions: readonly string[],
  environment: RoutineEnvironment = {},
): Promise<{ deleted: string[] }> {
  return withRoutine(options, environment, async ({ client, opts, logger }) => {
    const state = await routineState(client, opts.name);
    const deployed = codeVersions.filter((v) => servedBy(state, v).length > 0);
    if (deployed.length > 0) {
      const detail = deployed
        .map(
          (v) =>
            `${v} (${servedBy(state, v)
              .map((s) => `${s.env} ${s.percentage}%`)
              .join(', ')})`,
        )
        .join(', ');
      throw new EsaStageError(`refusing to delete deployed version ${detail}; nothing was deleted`, {
        code: 'VersionDeployed',
        hint: `deploy another version there first (\`esa-stage deploy --name ${opts.name} --version <other> --env <env>\`)`,
      });
    }
    const deleted: string[] = [];
    for (const codeVersion of codeVersions) {
      await client.call('DeleteRoutineCodeVersion', { Name: opts.name, CodeVersion: codeVersion });
      deleted.push(codeVersion);
      logger.info(`deleted version ${codeVersion}`);
    }
    return { deleted };
  });
}

/** Deletes the versions no environment serves beyond the newest `keep`. */
export function pruneRoutineVersions(
  options: RoutineOptions,
  keep: number,
  environment: RoutineEnvironment = {},
): Promise<{ deleted: string[]; total: number }> {
  return withRoutine(options, environment, async ({ client, opts, logger }) => {
    const report = await pruneVersions(client, opts.name, keep, logger);
    return { deleted: report.deleted.map((v) => v.codeVersion), total: report.total };
  });
}

/**
 * Deploys an existing version (promote, roll back, or a canary at `percentage` beside what the
 * environment serves now). Resolves what the environment serves afterwards.
 */
export function deployRoutineVersion(
  options: RoutineOptions & { readonly deployApi?: 'deployment' | 'legacy' },
  target: {
    readonly codeVersion: string;
    readonly env: EnvName;
    readonly percentage?: number;
    /**
     * Prove the version answers on staging first (see the publish option `verify`): to production,
     * staging is made to serve it, then asked, and production changes only if it answered.
     */
    readonly verify?: string | VerifyOptions;
  },
  environment: RoutineEnvironment = {},
): Promise<{
  env: EnvName;
  codeVersions: readonly VersionShare[];
  changed: boolean;
  requestId: string | undefined;
  verify: StagingCheck | undefined;
}> {
  const { deployApi, ...routineOptions } = options;
  const env = environment.env ?? process.env;
  const percentage = target.percentage ?? 100;
  const problems = verifyProblems(target.verify, { env: target.env, percentage }, env);
  if (problems.length > 0) throw new ConfigError(problems, { hint: 'fix the --verify flags' });
  const verify = normalizeVerify(target.verify, env);
  return withRoutine(routineOptions, environment, async ({ client, opts, logger }) => {
    const state = await routineState(client, opts.name);
    const record = new PublishRecord();
    const deployer = new Deployer(client, opts.name, deployApi ?? 'deployment', logger, record);
    /** Deploys a step unless the environment serves it so already; what it serves afterwards. */
    const deployStep = async (envName: EnvName, share: number) => {
      const wanted = planDeployment(
        { env: envName, percentage: share },
        target.codeVersion,
        state.envs[envName],
      );
      if (!wanted) {
        logger.info(`${envName} already serves ${target.codeVersion} at ${share}%`);
        return { codeVersions: state.envs[envName] ?? [], changed: false };
      }
      await deployer.deploy({ env: envName, codeVersions: wanted });
      logger.info(
        `${opts.name}: ${envName} now serves ${wanted.map((v) => `${v.codeVersion} at ${v.percentage}%`).join(' and ')}`,
      );
      return { codeVersions: wanted, changed: true };
    };
    let checked: StagingCheck | undefined;
    if (verify) {
      // Where staging is asked, known before it changes.
      const ips = readStagingIps((await client.call('GetRoutineStagingEnvIp', {})).body);
      const address = stagingAddress(state.host, ips);
      const staged = await deployStep('staging', 100);
      checked = await verifyStaging({
        verify,
        name: opts.name,
        address,
        codeVersion: target.codeVersion,
        before: state.envs.staging,
        env,
        proxy: opts.proxy,
        logger,
        signal: opts.signal,
      });
      if (target.env === 'staging') {
        return { env: 'staging', ...staged, requestId: record.requestIds.staging, verify: checked };
      }
    }
    const done = await deployStep(target.env, percentage);
    return { env: target.env, ...done, requestId: record.requestIds[target.env], verify: checked };
  });
}
