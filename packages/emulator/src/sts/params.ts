import { badRequest } from '../esa/errors.js';
import type { Params } from '../esa/parse-request.js';
import { parseRoleArn, type RoleArn } from './arn.js';

/** `DurationSeconds` when absent, and its bounds (15 minutes to a role's 12-hour maximum). */
export const DEFAULT_DURATION_SECONDS = 3600;
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43_200;
/** Longest session `Policy`, in characters. */
export const MAX_POLICY_LENGTH = 2048;

const SESSION_NAME = /^[\w.@-]{2,64}$/;

/**
 * Typed access to an STS action's parameters, throwing STS's parameter errors (all HTTP 400). The
 * codes and messages are STS's documented ones (AssumeRole, AssumeRoleWithSAML); `MissingParameter.<Name>`
 * is documented for AssumeRoleWithSAML and assumed for the other actions.
 */
export class StsParams {
  constructor(private readonly params: Params) {}

  /** A parameter that must be present, else `MissingParameter.<name>`. May be empty. */
  required(name: string): string {
    const value = this.params[name];
    if (value === undefined) {
      throw badRequest(`MissingParameter.${name}`, `Parameter ${name} is required.`);
    }
    return value;
  }

  /** `RoleArn`: required, `acs:ram::<account>:role/<name>`, else `InvalidParameter.RoleArn`. */
  roleArn(): { readonly text: string; readonly arn: RoleArn } {
    const text = this.required('RoleArn');
    const arn = parseRoleArn(text);
    if (!arn) {
      throw badRequest(
        'InvalidParameter.RoleArn',
        'The parameter RoleArn is wrongly formed: it must look like acs:ram::<account id>:role/<role name>.',
      );
    }
    return { text, arn };
  }

  /** `RoleSessionName`: required, 2-64 letters, digits, `.`, `@`, `-` or `_`. */
  roleSessionName(): string {
    const value = this.required('RoleSessionName');
    if (!SESSION_NAME.test(value)) {
      throw badRequest(
        'InvalidParameter.RoleSessionName',
        'The parameter RoleSessionName is wrongly formed: 2 to 64 letters, digits, periods (.), at signs (@), hyphens (-) and underscores (_).',
      );
    }
    return value;
  }

  /** `DurationSeconds`: a whole number from 900 to 43200, 3600 when absent. */
  durationSeconds(): number {
    const text = this.params.DurationSeconds;
    if (text === undefined) return DEFAULT_DURATION_SECONDS;
    const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= MIN_DURATION_SECONDS && value <= MAX_DURATION_SECONDS)) {
      throw badRequest(
        'InvalidParameter.DurationSeconds',
        `The Min/Max value of DurationSeconds is 15min/12hr: it must be a whole number of seconds from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}, got "${text.slice(0, 32)}".`,
      );
    }
    return value;
  }

  /**
   * `Policy`, optional: a JSON policy document `{"Version": "1", "Statement": [...]}` of 1 to 2048
   * characters (`InvalidParameter.PolicySize`, `InvalidParameter.PolicyGrammar`). Not enforced.
   */
  policy(): string | undefined {
    const text = this.params.Policy;
    if (text === undefined) return undefined;
    if (text.length < 1 || text.length > MAX_POLICY_LENGTH) {
      throw badRequest(
        'InvalidParameter.PolicySize',
        `The size of Policy must be from 1 to ${MAX_POLICY_LENGTH} characters, got ${text.length}.`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    const ok =
      typeof doc === 'object' &&
      doc !== null &&
      typeof (doc as { Version?: unknown }).Version === 'string' &&
      Array.isArray((doc as { Statement?: unknown }).Statement);
    if (!ok) {
      throw badRequest(
        'InvalidParameter.PolicyGrammar',
        'The parameter Policy has not passed grammar check: it must be a JSON object with a "Version" string and a "Statement" array.',
      );
    }
    return text;
  }
}
