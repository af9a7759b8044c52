import { EsaError, EsaStageError } from '../errors.js';
import type { EsaClient } from '../esa/client.js';
import type { Logger } from '../log/logger.js';
import type { DeployApi, DeployStep } from '../options/types.js';
import type { EnvChange, PublishRecord, VersionShare } from './record.js';

/**
 * What an environment should serve after deploying `codeVersion` at `step.percentage`, or
 * `undefined` when it serves exactly that already. Below 100% the new version shares the traffic
 * with the version the environment serves most now (ESA allows two versions, summing to 100). Pure.
 */
export function planDeployment(
  step: DeployStep,
  codeVersion: string,
  current: readonly VersionShare[] | undefined,
): VersionShare[] | undefined {
  let wanted: VersionShare[];
  if (step.percentage === 100) {
    wanted = [{ codeVersion, percentage: 100 }];
  } else {
    const base = [...(current ?? [])]
      .filter((v) => v.codeVersion !== codeVersion)
      .sort((a, b) => b.percentage - a.percentage)[0];
    if (!base) {
      throw new EsaStageError(
        `cannot deploy ${codeVersion} to ${step.env} at ${step.percentage}%: ${step.env} serves no other version to share the traffic with`,
        {
          code: 'CanaryWithoutBase',
          hint: `deploy a version to ${step.env} at 100% first (deploy: '${step.env}'), then publish the canary`,
        },
      );
    }
    wanted = [
      { codeVersion, percentage: step.percentage },
      { codeVersion: base.codeVersion, percentage: 100 - step.percentage },
    ];
  }
  const same =
    current !== undefined &&
    current.length === wanted.length &&
    wanted.every((w) =>
      current.some((c) => c.codeVersion === w.codeVersion && c.percentage === w.percentage),
    );
  return same ? undefined : wanted;
}

/** ESA's answer when it does not know an action. */
function isUnknownAction(error: unknown): boolean {
  return (
    error instanceof EsaError &&
    (error.status === 404 || /^Invalid(Api|Action)\.NotFound$/.test(error.code)) &&
    !error.code.startsWith('Routine')
  );
}

/**
 * Deploys versions with `CreateRoutineCodeDeployment` (strategy `percentage`), or with the older
 * `PublishRoutineCodeVersion` when the user chose it or ESA does not know the newer action.
 */
export class Deployer {
  private api: DeployApi;

  constructor(
    private readonly client: EsaClient,
    private readonly name: string,
    api: DeployApi,
    private readonly logger: Logger,
    private readonly record: PublishRecord,
  ) {
    this.api = api;
  }

  /** Makes `env` serve `codeVersions`; records the change under the env's name. */
  async deploy(change: EnvChange): Promise<void> {
    const { env, codeVersions } = change;
    const what = `${env} serving ${codeVersions.map((v) => `${v.codeVersion} at ${v.percentage}%`).join(' and ')}`;
    await this.record.step(
      env,
      () =>
        this.record.changing(what, async () => {
          if (this.api === 'deployment') {
            try {
              return await this.client.call('CreateRoutineCodeDeployment', {
                Name: this.name,
                Env: env,
                Strategy: 'percentage',
                CodeVersions: JSON.stringify(
                  codeVersions.map((v) => ({ CodeVersion: v.codeVersion, Percentage: v.percentage })),
                ),
              });
            } catch (error) {
              if (!isUnknownAction(error)) throw error;
              this.logger.warn(
                'ESA does not know CreateRoutineCodeDeployment here; deploying with PublishRoutineCodeVersion instead',
              );
              this.api = 'legacy';
            }
          }
          const [only] = codeVersions;
          if (codeVersions.length !== 1 || only === undefined || only.percentage !== 100) {
            throw new EsaStageError(`PublishRoutineCodeVersion cannot split ${env} between two versions`, {
              code: 'CanaryNeedsDeploymentApi',
              hint: "canary deploys need CreateRoutineCodeDeployment: use deployApi: 'deployment', or deploy at 100%",
            });
          }
          return this.client.call('PublishRoutineCodeVersion', {
            Name: this.name,
            Env: env,
            CodeVersion: only.codeVersion,
          });
        }),
      (response) => response.requestId,
    );
    this.record.envsChanged.push(change);
  }
}
