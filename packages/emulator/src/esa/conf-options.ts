import type { NotFoundStrategy } from '../state.js';
import { badRequest, type EsaApiError } from './errors.js';

/** The `NotFoundStrategy` values, by their lower-case spelling. */
const STRATEGIES: ReadonlyMap<string, NotFoundStrategy> = new Map([
  ['singlepageapplication', 'SinglePageApplication'],
  ['404page', '404Page'],
]);

function invalid(message: string): EsaApiError {
  return badRequest('InvalidParameter', message);
}

/**
 * A `NotFoundStrategy`, matched without regard to case (esa-cli sends `singlePageApplication` and
 * `404Page`) and normalised to `SinglePageApplication` or `404Page`. `''` means none.
 */
export function parseNotFoundStrategy(value: unknown): NotFoundStrategy | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const strategy = typeof value === 'string' ? STRATEGIES.get(value.toLowerCase()) : undefined;
  if (!strategy) {
    throw invalid(
      `ConfOptions.NotFoundStrategy must be SinglePageApplication or 404Page, got ${JSON.stringify(value)}.`,
    );
  }
  return strategy;
}

/**
 * Parses `ConfOptions`: a JSON object whose only member is `NotFoundStrategy` (the SDK sends it as a
 * JSON string in a form body, esa-cli as a nested object in a JSON body; both arrive as JSON text).
 * Absent or empty means no options. Throws `InvalidParameter` for bad JSON, another shape, an
 * unknown member or an unknown strategy.
 */
export function parseConfOptions(text: string | undefined): {
  notFoundStrategy: NotFoundStrategy | undefined;
} {
  if (text === undefined || text === '') return { notFoundStrategy: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(`ConfOptions must be a JSON object {"NotFoundStrategy": …}, got "${text.slice(0, 200)}".`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('ConfOptions must be a JSON object {"NotFoundStrategy": …}.');
  }
  const members = parsed as Record<string, unknown>;
  const unknown = Object.keys(members).find((name) => name !== 'NotFoundStrategy');
  if (unknown !== undefined) {
    throw invalid(`ConfOptions has an unknown member "${unknown}"; the only one is NotFoundStrategy.`);
  }
  return { notFoundStrategy: parseNotFoundStrategy(members.NotFoundStrategy) };
}
