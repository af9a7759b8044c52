import type { Env } from './types.js';

/** Env switches that change a build without editing its config. */
export const ENV_SWITCHES = ['ESA_STAGE_DISABLED', 'ESA_STAGE_DRY_RUN'] as const;
export type EnvSwitch = (typeof ENV_SWITCHES)[number];

const ON = /^(?:1|true|yes|on)$/i;
const OFF = /^(?:0|false|no|off|)$/i;

/** The switch's value: true, false, or undefined when unset. Pure. */
export function envSwitch(env: Env, name: EnvSwitch): boolean | undefined {
  const value = env[name]?.trim();
  if (value === undefined) return undefined;
  if (ON.test(value)) return true;
  return OFF.test(value) ? false : undefined;
}

/** Why a switch's value is not understood, if it is not. */
export function envSwitchProblem(env: Env, name: EnvSwitch): string | undefined {
  const value = env[name]?.trim();
  if (value === undefined || ON.test(value) || OFF.test(value)) return undefined;
  return `must be 1 or 0 (true/false, yes/no), got ${JSON.stringify(value)}`;
}

const CI_VARIABLES = [
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'BUILDKITE',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'TF_BUILD',
  'CODEBUILD_BUILD_ID',
  'BITBUCKET_BUILD_NUMBER',
  'TEAMCITY_VERSION',
];

/** Whether this runs in CI: `CI` set to anything but false/0, or a known CI service's variable. */
export function isCi(env: Env): boolean {
  const ci = env.CI?.trim();
  if (ci !== undefined && ci !== '' && !/^(?:0|false)$/i.test(ci)) return true;
  return CI_VARIABLES.some((name) => (env[name] ?? '') !== '');
}
