import { EsaError, EsaStageError, NetworkError } from '../errors.js';
import type { EsaClient, EsaResponse } from '../esa/client.js';
import { backoffDelay, isRetryableEsaFailure } from '../esa/retry.js';
import { sleep, toNetworkError } from '../http/abort.js';
import type { Logger } from '../log/logger.js';
import type { EnvName } from '../options/types.js';
import { codeSha256, listVersions } from './code-versions.js';
import type { PublishRecord } from './record.js';

export interface CommitInput {
  readonly client: EsaClient;
  readonly name: string;
  readonly description: string;
  /** The environment whose variables ESA bundles with the version (`DeployEnv`). */
  readonly deployEnv: EnvName;
  /** sha256 of the bytes uploaded, to recognise the version a lost answer created. */
  readonly sha256: string;
  /** The version number the upload info announced, if any: the first place to look. */
  readonly announced: string | undefined;
  /** Versions known to exist before this commit (never the one it made). */
  readonly existing: ReadonlySet<string>;
  readonly retries: number;
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
  readonly logger: Logger;
  readonly record: PublishRecord;
  /** Frees the version quota, once, when ESA says it is full; false when it freed nothing. */
  readonly prune: (() => Promise<boolean>) | undefined;
  readonly random?: () => number;
}

/** The committed version, and whether its content is known to be this build's already. */
export interface Committed {
  readonly codeVersion: string;
  /** True for a version found after a lost answer: its code was compared then. */
  readonly verified: boolean;
}

/** Margin for clock skew between this machine and ESA when looking for a version by time. */
const CLOCK_SKEW_MS = 60_000;

export function codeVersionOf(response: EsaResponse, action: string): string {
  const value = response.body.CodeVersion;
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new EsaStageError(`${action} answered without a CodeVersion`, {
    code: 'InvalidResponse',
    requestId: response.requestId,
    hint: 'this is unexpected from ESA; check the routine in the ESA console',
  });
}

function isRetryable(error: unknown): boolean {
  if (error instanceof NetworkError) return error.code !== 'Aborted';
  return error instanceof EsaError && isRetryableEsaFailure(error.status, error.code);
}

/** Whether ESA may have processed a commit whose answer never arrived whole. */
function mayHaveCommitted(error: unknown): boolean {
  if (error instanceof NetworkError) return error.code !== 'Aborted';
  // Throttling refuses a request before it runs; any other failure ESA may retry can come after.
  if (error instanceof EsaError)
    return isRetryableEsaFailure(error.status, error.code) && !error.code.startsWith('Throttling');
  return error instanceof EsaStageError && error.code === 'InvalidResponse';
}

const isQuotaFull = (error: unknown) =>
  error instanceof EsaError && error.code === 'CodeVersionNumberExceedQuotaLimit';

/**
 * The version an earlier attempt created, if its answer was lost: the number the upload info
 * announced, or else one listed since the attempt, not known before, with this description; in
 * both cases only with this build's code.
 */
async function findCommitted(input: CommitInput, since: number): Promise<string | undefined> {
  const { versions } = await listVersions(input.client, input.name);
  // ESA announced the number this upload becomes: only that version can be this commit's.
  const candidates = versions.filter((v) =>
    input.announced !== undefined
      ? v.codeVersion === input.announced
      : v.description === input.description &&
        !input.existing.has(v.codeVersion) &&
        !(v.created < since - CLOCK_SKEW_MS),
  );
  for (const candidate of candidates) {
    const { sha256 } = await codeSha256(input.client, input.name, candidate.codeVersion);
    if (sha256 === input.sha256) return candidate.codeVersion;
  }
  return undefined;
}

/**
 * `CommitRoutineStagingCode`, sending `DeployEnv`. A commit is not retried blindly: when its
 * answer is lost (reset, truncated, 5xx, timeout) ESA may have created the version, so the version
 * is looked for first, and only a commit that left none is sent again. A full version quota is
 * pruned once when the caller allows it.
 */
export async function commitVersion(input: CommitInput): Promise<Committed> {
  const { client, record, logger } = input;
  const random = input.random ?? Math.random;
  let pruned = false;
  for (let attempt = 0; ; attempt++) {
    const since = Date.now();
    try {
      const response = await record.step(
        'commit',
        () =>
          record.changing(
            `a new version${input.announced ? ` (announced as ${input.announced})` : ''} of ${input.name}`,
            () =>
              client.call(
                'CommitRoutineStagingCode',
                { Name: input.name, CodeDescription: input.description, DeployEnv: input.deployEnv },
                { retries: 0 },
              ),
          ),
        (r) => r.requestId,
      );
      const codeVersion = codeVersionOf(response, 'CommitRoutineStagingCode');
      record.versionsCreated.push(codeVersion);
      return { codeVersion, verified: false };
    } catch (error) {
      if (isQuotaFull(error) && input.prune && !pruned) {
        pruned = true;
        if (await input.prune()) {
          attempt -= 1;
          continue;
        }
      }
      if (!isRetryable(error) && !mayHaveCommitted(error)) throw error;
      if (mayHaveCommitted(error)) {
        const found = await record.step('recover', () => findCommitted(input, since));
        record.pending = found ? undefined : record.pending;
        if (found) {
          logger.warn(
            `the answer to CommitRoutineStagingCode was lost (${(error as EsaStageError).code}); version ${found}, which it created with this build's bytes, is used`,
          );
          record.versionsCreated.push(found);
          return { codeVersion: found, verified: true };
        }
      }
      if (attempt >= input.retries) throw error;
      record.pending = undefined;
      const wait = backoffDelay(attempt, random);
      logger.info(
        `CommitRoutineStagingCode failed (${(error as EsaStageError).code}: ${(error as Error).message}); no version was created, retry ${attempt + 1}/${input.retries} in ${wait} ms`,
      );
      await sleep(wait, input.signal).catch((reason: unknown) => {
        throw toNetworkError(reason, 'CommitRoutineStagingCode', input.signal, input.timeout);
      });
    }
  }
}
