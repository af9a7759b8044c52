/** ESA error codes worth another try: the service said it was busy or failed inside. */
const RETRYABLE_CODES = new Set([
  'InternalException',
  'InternalOperationError',
  'ServiceUnavailable',
  'InternalError',
]);

/** Whether a failed call may be tried again. Never for invalid input, a missing routine, quota or auth. */
export function isRetryableEsaFailure(status: number, code: string | undefined): boolean {
  if (code !== undefined && (code.startsWith('Throttling') || RETRYABLE_CODES.has(code))) return true;
  return status >= 500;
}

export interface BackoffOptions {
  /** @default 250 */
  readonly baseMs?: number;
  /** @default 8000 */
  readonly maxMs?: number;
}

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential from `baseMs`, capped at
 * `maxMs`, with "equal jitter" (half fixed, half random) so parallel clients spread out.
 * `random` is injectable to keep the function pure in tests.
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 250;
  const max = options.maxMs ?? 8000;
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A `Retry-After` header in ms (seconds or an HTTP date), bounded by `maxMs`; undefined if absent or bad. */
export function retryAfterMs(header: string | undefined, now: number, maxMs = 30_000): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, maxMs) : undefined;
}

/** The `Retry-After` of a response's headers in ms (see {@link retryAfterMs}). */
export function retryAfterOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now: number,
): number | undefined {
  const header = headers['retry-after'];
  return retryAfterMs(typeof header === 'string' ? header : undefined, now);
}
