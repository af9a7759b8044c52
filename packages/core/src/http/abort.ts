import { NetworkError } from '../errors.js';

/** A signal that fires on the caller's abort or after `timeoutMs`, whichever comes first. */
export function requestSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** Turns what a failed request threw into a {@link NetworkError}: aborted by the caller, timed out, or the network. */
export function toNetworkError(
  error: unknown,
  what: string,
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
): NetworkError {
  if (error instanceof NetworkError) return error;
  if (callerSignal?.aborted) {
    return new NetworkError(`${what} was aborted`, { code: 'Aborted', cause: error });
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
