import { badRequest } from '../errors.js';
import type { Params } from '../parse-request.js';

/** Typed access to an action's parameters, throwing the gateway's parameter errors. */
export class ActionParams {
  constructor(private readonly params: Params) {}

  /** A parameter that must be present and non-empty, else `MissingParameter`. */
  required(name: string): string {
    const value = this.params[name];
    if (value === undefined || value === '') {
      throw badRequest('MissingParameter', `${name} is mandatory for this action.`);
    }
    return value;
  }

  optional(name: string): string | undefined {
    return this.params[name];
  }

  /** An optional integer within `[min, max]`, `fallback` when absent, else `InvalidParameter`. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.params[name];
    if (text === undefined || text === '') return fallback;
    const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) {
      throw badRequest(
        'InvalidParameter',
        `${name} must be an integer from ${min} to ${max}, got "${text}".`,
      );
    }
    return value;
  }

  /** An optional whole number from 0 to 2^53 - 1, undefined when absent, else `InvalidParameter`. */
  optionalInteger(name: string): number | undefined {
    const text = this.params[name];
    if (text === undefined || text === '') return undefined;
    const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value)) {
      throw badRequest('InvalidParameter', `${name} must be a whole number, got "${text}".`);
    }
    return value;
  }

  /** An optional `true` / `false`, else `InvalidParameter`. */
  boolean(name: string, fallback: boolean): boolean {
    const text = this.params[name];
    if (text === undefined || text === '') return fallback;
    if (text !== 'true' && text !== 'false') {
      throw badRequest('InvalidParameter', `${name} must be true or false, got "${text}".`);
    }
    return text === 'true';
  }
}
