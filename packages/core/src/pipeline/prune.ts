import { EsaError } from '../errors.js';
import type { EsaClient } from '../esa/client.js';
import type { Logger } from '../log/logger.js';
import { type ListedVersion, listVersions } from './code-versions.js';
import { readRoutineState, servedVersions } from './routine-state.js';

/**
 * The versions to delete to keep at most `keep` (newest first in `versions`): every version older
 * than the newest `keep` that no environment serves, oldest first. Deployed versions stay. Pure.
 */
export function pickPrunable(
  versions: readonly ListedVersion[],
  deployed: ReadonlySet<string>,
  keep: number,
): ListedVersion[] {
  return versions
    .slice(keep)
    .filter((v) => !deployed.has(v.codeVersion))
    .reverse();
}

export interface PruneReport {
  readonly deleted: readonly ListedVersion[];
  /** Versions ESA lists in all (`TotalCount`), before the deletions. */
  readonly total: number;
  /** How many versions the listing showed (ESA lists at most 40). */
  readonly listed: number;
}

/**
 * Deletes old versions no environment serves, keeping the newest `keep`; logs each deletion.
 * A version that became deployed meanwhile (`DependedByOthers`) is kept.
 */
export async function pruneVersions(
  client: EsaClient,
  name: string,
  keep: number,
  logger: Logger,
  onDeleted: (codeVersion: string) => void = () => undefined,
): Promise<PruneReport> {
  const [routine, listing] = await Promise.all([
    client.call('GetRoutine', { Name: name }),
    listVersions(client, name),
  ]);
  const deployed = servedVersions(readRoutineState(routine.body));
  const deleted: ListedVersion[] = [];
  for (const version of pickPrunable(listing.versions, deployed, keep)) {
    try {
      await client.call('DeleteRoutineCodeVersion', { Name: name, CodeVersion: version.codeVersion });
    } catch (error) {
      if (error instanceof EsaError && error.code === 'DependedByOthers') {
        logger.info(`kept version ${version.codeVersion}: an environment serves it now`);
        continue;
      }
      throw error;
    }
    deleted.push(version);
    onDeleted(version.codeVersion);
    logger.info(
      `deleted version ${version.codeVersion} (created ${version.createTime || 'at an unknown time'}, ${JSON.stringify(version.description)})`,
    );
  }
  return { deleted, total: listing.total, listed: listing.versions.length };
}
