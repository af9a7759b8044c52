import { formatAcsDate } from '@esa-stage/core/signing';
import type { EmulatorContext } from '../../context.js';
import type { Routine } from '../../state.js';
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
