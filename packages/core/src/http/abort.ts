import { EsaStageError, NetworkError } from '../errors.js';

/** A signal that fires on the caller's abort or after `timeoutMs`, whichever comes first. */
export function requestSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** How long past its timeout a request may go before {@link withDeadline} gives up on it anyway. */
const DEADLINE_GRACE_MS = 1000;

/**
 * Settles no later than `timeoutMs` (plus a second's grace), whatever the HTTP stack does: a last
 * guard so that no request can outlive its timeout. The late rejection reads as a timeout.
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error('no answer by the deadline');
      error.name = 'TimeoutError';
      reject(error);
    }, timeoutMs + DEADLINE_GRACE_MS);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Turns what a failed request threw into a {@link NetworkError} (aborted by the caller, timed out,
 * or the network), or, for a request the HTTP client refused to send, an `InvalidRequest` error
 * that is never retried.
 */
export function toNetworkError(
  error: unknown,
  what: string,
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
): EsaStageError {
  if (error instanceof EsaStageError) return error;
  if (callerSignal?.aborted) {
    return new NetworkError(`${what} was aborted`, {
      code: 'Aborted',
      hint: 'the publish was cancelled by its signal; what it had done by then is said above',
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  const proxyStatus = /Proxy response \((\d{3})\) !== 200/.exec(message)?.[1];
  if (proxyStatus) {
    return new NetworkError(`${what} failed: the proxy answered ${proxyStatus} to the tunnel request`, {
      code: proxyStatus === '407' ? 'ProxyAuthRequired' : 'ProxyRefused',
      hint:
        proxyStatus === '407'
          ? 'the proxy wants credentials: put them in the proxy URL (http://user:password@proxy:3128) of HTTPS_PROXY / HTTP_PROXY'
          : 'check HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY to go direct',
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : '';
  const code = (error as { code?: unknown } | undefined)?.code;
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return new NetworkError(`${what} got no answer within ${timeoutMs} ms`, {
      code: 'RequestTimeout',
      hint: 'check the network, or raise the `timeout` option',
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'UND_ERR_INVALID_ARG' || error instanceof TypeError) {
    return new EsaStageError(`${what} could not be sent: ${detail}`, {
      code: 'InvalidRequest',
      hint: 'a value sent in a header is not valid HTTP; check the credentials and the endpoint for stray characters',
      cause: error,
    });
  }
  return new NetworkError(
    `${what} failed on the network (${typeof code === 'string' ? `${code}: ` : ''}${detail})`,
    {
      code: 'NetworkError',
      hint: 'check the endpoint and the network connection',
      cause: error,
    },
  );
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
