import { formatAcsDate } from '@esa-stage/core/signing';
import type { EmulatorContext } from '../../context.js';
import type { CodeVersionRecord, EnvName, Routine } from '../../state.js';
import { badRequest } from '../errors.js';
import type { ActionParams } from './params.js';

/** One ESA action: parameters in, the response body (without `RequestId`) out, or an `EsaApiError`. */
export type EsaAction = (ctx: EmulatorContext, params: ActionParams) => Record<string, unknown>;

/** ESA's time format: RFC 3339 in UTC, whole seconds (`2025-01-02T03:04:05Z`). */
export function rfc3339(date: Date): string {
  return formatAcsDate(date);
}

/** The routine named by the `Name` parameter, else `RoutineNotExist`. */
export function requireRoutine(ctx: EmulatorContext, params: ActionParams): Routine {
  const name = params.required('Name');
  const routine = ctx.state.routines.get(name);
  if (!routine) throw badRequest('RoutineNotExist', `The routine name does not exist: ${name}.`);
  return routine;
}

/** `CodeVersionNumberExceedQuotaLimit` once a routine keeps as many versions as the quota allows. */
export function requireVersionQuota(ctx: EmulatorContext, routine: Routine): void {
  if (routine.versions.size >= ctx.state.versionQuota) {
    throw badRequest(
      'CodeVersionNumberExceedQuotaLimit',
      `The maximum number of code versions in your plan has been reached (${routine.versions.size} of ${ctx.state.versionQuota} for routine ${routine.name}). Delete a code version with DeleteRoutineCodeVersion, or upgrade your plan.`,
    );
  }
}

/** An environment name given in parameter `name`: `staging` or `production`, else `InvalidParameter`. */
export function requireEnvName(name: string, value: string): EnvName {
  if (value !== 'staging' && value !== 'production') {
    throw badRequest('InvalidParameter', `${name} must be staging or production, got "${value}".`);
  }
  return value;
}

/**
 * The routine's version `codeVersion`, its pending build settled as of now. The real code for an
 * unknown version is a guess.
 */
export function requireVersion(
  ctx: EmulatorContext,
  routine: Routine,
  codeVersion: string,
): CodeVersionRecord {
  const version = ctx.state.settleVersion(routine, codeVersion);
  if (!version) {
    throw badRequest(
      'InvalidParameter',
      `Code version ${codeVersion} does not exist in routine ${routine.name}.`,
    );
  }
  return version;
}

/**
 * A version that may be deployed: it exists and its status is `available`, else `InvalidParameter`
 * naming its status (an `init` version waits for its zip or its build; a `failed` one says why).
 */
export function requireAvailableVersion(
  ctx: EmulatorContext,
  routine: Routine,
  codeVersion: string,
): CodeVersionRecord {
  const version = requireVersion(ctx, routine, codeVersion);
  if (version.status === 'init') {
    throw badRequest(
      'InvalidParameter',
      `Code version ${codeVersion} of routine ${routine.name} cannot be deployed: its status is init (upload its zip to the OssPostConfig of CreateRoutineWithAssetsCodeVersion, then wait until GetRoutineCodeVersionInfo answers available).`,
    );
  }
  if (version.status === 'failed') {
    throw badRequest(
      'InvalidParameter',
      `Code version ${codeVersion} of routine ${routine.name} cannot be deployed: its status is failed (${version.failureReason ?? 'build failed'}).`,
    );
  }
  return version;
}
