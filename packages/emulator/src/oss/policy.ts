import { OssError } from './errors.js';

/** A policy condition on one form field (exact-match maps become `eq`). */
export interface FieldCondition {
  readonly kind: 'field';
  readonly operator: 'eq' | 'starts-with' | 'in' | 'not-in';
  /** Lower-case field name without the `$`. */
  readonly field: string;
  readonly value: string | readonly string[];
  /** The condition as OSS prints it in "Policy Condition failed: …". */
  readonly text: string;
}

export interface LengthCondition {
  readonly kind: 'content-length-range';
  readonly min: number;
  readonly max: number;
  readonly text: string;
}

export type PolicyCondition = FieldCondition | LengthCondition;

/** A decoded and validated PostObject policy. */
export interface PostPolicy {
  readonly expiration: Date;
  readonly conditions: readonly PolicyCondition[];
}

/** Looks a condition's field up: the form value (or `''` when absent), or the bucket name. */
export type FieldLookup = (field: string) => string;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function invalid(message: string): OssError {
  return new OssError('InvalidPolicyDocument', 400, `Invalid Policy: ${message}`);
}

/** JSON text as OSS prints a condition: `["starts-with", "$key", "user/eric/"]`. */
export function formatCondition(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatCondition).join(', ')}]`;
  return JSON.stringify(value) ?? 'null';
}

/** Decodes base64 → UTF-8 → JSON; throws InvalidPolicyDocument. */
function decodeJson(policyBase64: string): unknown {
  if (policyBase64.length === 0 || !BASE64.test(policyBase64)) {
    throw invalid('Invalid Base64 encoding of the policy.');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(policyBase64, 'base64'));
  } catch {
    throw invalid('Invalid JSON: the policy is not valid UTF-8.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`Invalid JSON: ${(error as Error).message}`);
  }
}

function fieldName(raw: unknown, text: string): string {
  if (typeof raw !== 'string' || !raw.startsWith('$') || raw.length < 2) {
    throw invalid(`Invalid Condition: the field name must start with "$": ${text}`);
  }
  return raw.slice(1).toLowerCase();
}

function lengthBound(raw: unknown, text: string): number {
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw invalid(`Invalid content-length-range Condition: ${text}`);
  }
  return n;
}

function parseListCondition(item: readonly unknown[]): PolicyCondition {
  const text = formatCondition(item);
  const [operator, subject, value] = item;
  if (item.length !== 3 || typeof operator !== 'string') {
    throw invalid(`Invalid Condition: a condition list must have three items: ${text}`);
  }
  switch (operator) {
    case 'content-length-range': {
      const min = lengthBound(subject, text);
      const max = lengthBound(value, text);
      if (min > max) throw invalid(`Invalid content-length-range Condition: ${text}`);
      return { kind: 'content-length-range', min, max, text };
    }
    case 'eq':
    case 'starts-with': {
      const field = fieldName(subject, text);
      if (typeof value !== 'string') throw invalid(`Invalid Condition: the value must be a string: ${text}`);
      return { kind: 'field', operator, field, value, text };
    }
    case 'in':
    case 'not-in': {
      const field = fieldName(subject, text);
      if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
        throw invalid(`Invalid Condition: the value must be a list of strings: ${text}`);
      }
      return { kind: 'field', operator, field, value: [...value], text };
    }
    default:
      throw invalid(`Invalid Condition: unknown operator ${JSON.stringify(operator)}: ${text}`);
  }
}

function parseMapCondition(item: object): PolicyCondition {
  const entries = Object.entries(item);
  const entry = entries[0];
  if (entries.length !== 1 || entry === undefined) {
    throw invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
  }
  const [name, value] = entry;
  if (typeof value !== 'string') {
    throw invalid(`Invalid Simple-Condition: the value of "${name}" must be a string.`);
  }
  const field = name.toLowerCase();
  return { kind: 'field', operator: 'eq', field, value, text: formatCondition(['eq', `$${field}`, value]) };
}

function parseCondition(item: unknown): PolicyCondition {
  if (Array.isArray(item)) return parseListCondition(item);
  if (typeof item === 'object' && item !== null) return parseMapCondition(item);
  throw invalid(`Invalid Condition: a condition must be a map or a list: ${formatCondition(item)}`);
}

/**
 * Decodes and validates the base64 `policy` field. Throws `InvalidPolicyDocument` (400) for
 * anything that is not a well-formed policy; does not check expiration or conditions.
 */
export function decodePolicy(policyBase64: string): PostPolicy {
  const json = decodeJson(policyBase64);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid('Invalid JSON: the policy must be a JSON object.');
  }
  const { expiration, conditions } = json as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalid('Policy missing expiration.');
  const expiresAt =
    typeof expiration === 'string' && ISO_8601.test(expiration) ? Date.parse(expiration) : NaN;
  if (Number.isNaN(expiresAt)) throw invalid(`Invalid 'expiration' value: ${formatCondition(expiration)}`);
  if (conditions === undefined) throw invalid('Policy missing conditions.');
  if (!Array.isArray(conditions) || conditions.length === 0) {
    throw invalid("Invalid 'conditions' value: conditions must be a list with at least one item.");
  }
  return { expiration: new Date(expiresAt), conditions: conditions.map(parseCondition) };
}

/** Throws `AccessDenied` (403) once the policy has expired at `nowMs`. */
export function checkPolicyExpiration(policy: PostPolicy, nowMs: number): void {
  if (policy.expiration.getTime() <= nowMs) {
    throw new OssError('AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
  }
}

function fieldConditionHolds(condition: FieldCondition, actual: string): boolean {
  const { operator, value } = condition;
  if (operator === 'eq') return actual === value;
  if (operator === 'starts-with') return typeof value === 'string' && actual.startsWith(value);
  const listed = typeof value !== 'string' && value.includes(actual);
  return operator === 'in' ? listed : !listed;
}

/**
 * Checks every field condition (all but `content-length-range`) against the form. Throws
 * `AccessDenied` (403) "Invalid according to Policy: Policy Condition failed: […]" for the first
 * that fails.
 */
export function checkPolicyFields(policy: PostPolicy, lookup: FieldLookup): void {
  for (const condition of policy.conditions) {
    if (condition.kind === 'field' && !fieldConditionHolds(condition, lookup(condition.field))) {
      throw new OssError(
        'AccessDenied',
        403,
        `Invalid according to Policy: Policy Condition failed: ${condition.text}`,
      );
    }
  }
}

/** The largest size every `content-length-range` allows (Infinity without one). */
export function policyMaxSize(policy: PostPolicy): number {
  return Math.min(
    Number.POSITIVE_INFINITY,
    ...policy.conditions.flatMap((c) => (c.kind === 'content-length-range' ? [c.max] : [])),
  );
}

/** Throws `EntityTooLarge` / `EntityTooSmall` (400) when `size` is outside a `content-length-range`. */
export function checkPolicyContentLength(policy: PostPolicy, size: number): void {
  for (const condition of policy.conditions) {
    if (condition.kind !== 'content-length-range') continue;
    if (size > condition.max) throw entityTooLarge();
    if (size < condition.min) {
      throw new OssError(
        'EntityTooSmall',
        400,
        'Your proposed upload is smaller than the minimum allowed size.',
      );
    }
  }
}

export function entityTooLarge(): OssError {
  return new OssError('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size.');
}
