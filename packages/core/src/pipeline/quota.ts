import { EsaError } from '../errors.js';
import type { EsaClient } from '../esa/client.js';
import type { Logger } from '../log/logger.js';
import type { PruneOptions } from '../options/types.js';
import { pruneVersions } from './prune.js';
import type { PublishRecord } from './record.js';

export const isQuotaFull = (error: unknown): boolean =>
  error instanceof EsaError && error.code === 'CodeVersionNumberExceedQuotaLimit';

/** The error, with a hint naming `pruneVersions` and the CLI when the version quota is full. */
export function quotaHint(error: unknown, name: string): unknown {
  if (!isQuotaFull(error)) return error;
  Object.defineProperty(error, 'hint', {
    value: `delete versions no environment serves: \`esa-stage versions prune --name ${name} --keep 5\`, or let publishes do it with \`pruneVersions: { keep: 5 }\` (CLI \`--prune 5\`)`,
  });
  return error;
}

/** What frees the quota once a publish meets it (when `pruneVersions` allows): true when it freed some. */
export function quotaPruner(
  client: EsaClient,
  name: string,
  prune: PruneOptions | undefined,
  logger: Logger,
  record: PublishRecord,
): (() => Promise<boolean>) | undefined {
  if (!prune) return undefined;
  return async () => {
    logger.info(
      `the version quota of ${name} is full; deleting old versions no environment serves (keeping ${prune.keep})`,
    );
    const report = await record.step('prune', () =>
      pruneVersions(client, name, prune.keep, logger, (v) => record.versionsDeleted.push(v)),
    );
    return report.deleted.length > 0;
  };
}
