import { EsaStageError, NetworkError } from '../errors.js';
import { backoffDelay } from '../esa/retry.js';
import type { Logger } from '../log/logger.js';
import { sleep, toNetworkError } from './abort.js';

export interface RetryLoopOptions {
  /** What is being tried, for the log line and a cancelled wait (e.g. `GetRoutine`, `OSS upload`). */
  readonly what: string;
  /** Retries after the first try. */
  readonly retries: number;
  /** Whether a failure may be tried again (network errors other than an abort, as a rule). */
  readonly isRetryable: (error: unknown) => boolean;
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
  /** The per-request time limit, for the message of a cancelled wait. */
  readonly timeout: number;
  /** @default Math.random */
  readonly random?: (() => number) | undefined;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or `retries` are spent. Waits with jittered
 * exponential backoff (or what an error's `Retry-After` asked) between tries, logging each retry at info. A
 * request that timed out is tried once more at most: a server that does not answer in `timeout`
 * is unlikely to answer the third time, and the user would wait `retries` times `timeout`.
 *
 * Hand-written rather than undici's RetryHandler: that one decides by HTTP method and status, but
 * whether an ESA call may be repeated depends on the error code in the body (a commit must never be
 * repeated blindly), and it cannot restart a streamed upload body.
 */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryLoopOptions): Promise<T> {
  const random = options.random ?? Math.random;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const timedOut = error instanceof NetworkError && error.code === 'RequestTimeout';
      if (!options.isRetryable(error) || n >= options.retries || (timedOut && n >= 1)) throw error;
      // What the service asked for (`Retry-After`), else backoff.
      const wait =
        (error instanceof EsaStageError ? error.retryAfterMs : undefined) ?? backoffDelay(n, random);
      const failure = error as { code?: unknown; message?: unknown };
      options.logger.info(
        `${options.what} failed (${String(failure.code)}: ${String(failure.message)}); retry ${n + 1}/${options.retries} in ${wait} ms`,
      );
      await sleep(wait, options.signal).catch((reason: unknown) => {
        throw toNetworkError(reason, options.what, options.signal, options.timeout);
      });
    }
  }
}

/** A network failure worth another try: anything but the caller's own abort or a proxy that wants credentials. */
export function isRetryableNetworkError(error: unknown): boolean {
  return error instanceof NetworkError && error.code !== 'Aborted' && error.code !== 'ProxyAuthRequired';
}
