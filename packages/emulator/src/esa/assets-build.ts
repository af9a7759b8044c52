import type { EmulatorContext } from '../context.js';
import type { CodeVersionRecord, PendingBuild, StoredObject } from '../state.js';
import { readAssetsZip } from './assets-zip.js';

/**
 * What ESA does when its bucket receives the zip of an assets version (an object whose key
 * `CreateRoutineWithAssetsCodeVersion` signed): reads it, then records the build's outcome on the
 * version, due `assetsReadyDelayMs` later. The version stays `init` until a query at or after that
 * time settles it as `available` (with its routine and assets) or `failed` (with a reason: a zip
 * that breaks a rule of {@link readAssetsZip}, or an `assetsBuild` fault for a valid one).
 *
 * Any other object, a version since deleted, and a version already settled (a retried upload
 * after its build) are left alone. Never throws: OSS answers the upload whatever ESA makes of it.
 */
export async function buildAssetsUpload(ctx: EmulatorContext, object: StoredObject): Promise<void> {
  const ticket = ctx.state.tickets.get(object.key);
  if (ticket?.kind !== 'assets' || !buildingVersion(ctx, ticket.routine, ticket.codeVersion)) return;
  const result = await readAssetsZip(object.bytes);
  // Looked up again after reading: the version may have been deleted or settled meanwhile.
  const routine = ctx.state.routines.get(ticket.routine);
  const version = buildingVersion(ctx, ticket.routine, ticket.codeVersion);
  if (!routine || !version) return;
  const failureReason = result.ok ? ctx.faults.takeAssetsBuildFailure() : result.reason;
  const readyAt = new Date(ctx.options.now() + ctx.options.assetsReadyDelayMs);
  const pendingBuild: PendingBuild =
    result.ok && failureReason === undefined
      ? { readyAt, status: 'available', failureReason, ...result.content }
      : { readyAt, status: 'failed', failureReason, routine: undefined, assets: new Map() };
  routine.versions.set(version.codeVersion, { ...version, pendingBuild });
}

/** The version an upload builds, if it still exists and is `init` (its build not yet settled). */
function buildingVersion(
  ctx: EmulatorContext,
  routineName: string,
  codeVersion: string,
): CodeVersionRecord | undefined {
  const routine = ctx.state.routines.get(routineName);
  const version = routine && ctx.state.settleVersion(routine, codeVersion);
  return version?.status === 'init' ? version : undefined;
}
