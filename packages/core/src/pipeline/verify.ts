import { EsaStageError } from '../errors.js';
import type { EsaClient } from '../esa/client.js';
import type { Logger } from '../log/logger.js';
import { codeSha256 } from './code-versions.js';
import type { PublishRecord } from './record.js';

/**
 * Checks that a committed version holds exactly the bytes this publish uploaded. The legacy
 * upload goes to one staging object per routine and a commit takes whatever is there, so two
 * publishes at once can commit each other's code. On a mismatch nothing is deployed: the version
 * (someone else's bytes under this build's description) is deleted, and `ConcurrentPublish` thrown.
 */
export async function verifyVersion(input: {
  readonly client: EsaClient;
  readonly name: string;
  readonly codeVersion: string;
  readonly sha256: string;
  readonly logger: Logger;
  readonly record: PublishRecord;
}): Promise<void> {
  const { client, name, codeVersion, record } = input;
  const stored = await record.step(
    'verify',
    () => codeSha256(client, name, codeVersion),
    (r) => r.requestId,
  );
  if (stored.sha256 === input.sha256) return;
  let removed = false;
  try {
    await client.call('DeleteRoutineCodeVersion', { Name: name, CodeVersion: codeVersion });
    record.versionsDeleted.push(codeVersion);
    removed = true;
  } catch (error) {
    input.logger.warn(`could not delete version ${codeVersion}: ${(error as Error).message}`);
  }
  throw new EsaStageError(
    `version ${codeVersion} holds other bytes (sha256 ${stored.sha256.slice(0, 12)}…) than this build uploaded (${input.sha256.slice(0, 12)}…): another publish to ${name} uploaded between this upload and this commit. Nothing was deployed${removed ? `, and ${codeVersion} was deleted` : ''}`,
    {
      code: 'ConcurrentPublish',
      hint: 'publish again; let one publish per routine run at a time (in GitHub Actions, a `concurrency:` group per routine)',
    },
  );
}
