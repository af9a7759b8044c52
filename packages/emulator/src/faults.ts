/** Which requests a fault applies to. */
export type FaultTarget =
  /** An ESA OpenAPI action by name, or `'*'` for every action. */
  | { readonly action: string }
  /** An STS action by name (`AssumeRole`, `AssumeRoleWithOIDC`), or `'*'` for every STS request. */
  | { readonly stsAction: string }
  /** The OSS PostObject upload. */
  | { readonly oss: true }
  /** The emulator's own upload callback receiver (a failing callback gives OSS 203 CallbackFailed). */
  | { readonly callback: true }
  /**
   * The build of an uploaded assets zip (`CreateRoutineWithAssetsCodeVersion`): each use makes the
   * build of the next valid zip fail, so its version ends `failed` with `message` as its
   * `failureReason`. Takes only `message` and `times`; the upload itself still succeeds.
   */
  | { readonly assetsBuild: true };

/** What happens to a matching request. Combine `delayMs` with an error or either drop. */
export interface FaultSpec {
  /** Answer with this HTTP status and error `code` instead of handling the request. */
  readonly status?: number;
  readonly code?: string;
  readonly message?: string;
  /** With `status`: send `Retry-After: <seconds>` with the error, as a throttling service does. */
  readonly retryAfterSeconds?: number;
  /** Wait this long (ms) before answering, or before the error or drop. */
  readonly delayMs?: number;
  /** Destroy the connection without an answer, before handling the request. */
  readonly drop?: boolean;
  /**
   * ESA and STS actions only: handle the request normally (state changes, STS credentials are
   * issued, the request is recorded with the status it would have answered), then destroy the
   * connection without sending the answer, as a lost response looks to a client. Not with `status`
   * or `drop`.
   */
  readonly dropAfterProcessing?: boolean;
  /**
   * Apply to this many matching requests, then stop ("fail N times then succeed").
   * @default Infinity
   */
  readonly times?: number;
}

export type FaultRule = FaultTarget & FaultSpec;

/** The effect to apply to one request. */
export interface FaultEffect {
  readonly delayMs: number;
  readonly drop: boolean;
  /** Handle the request, then destroy the connection instead of answering. */
  readonly dropAfterProcessing: boolean;
  readonly error:
    | {
        readonly status: number;
        readonly code: string;
        readonly message: string;
        /** The `Retry-After` header to send with it, if any. */
        readonly retryAfterSeconds: number | undefined;
      }
    | undefined;
}

interface ActiveRule {
  readonly id: number;
  readonly rule: FaultRule;
  remaining: number;
}

/** The request a fault is matched against. */
export type FaultSubject =
  | { readonly action: string }
  | { readonly stsAction: string }
  | { readonly oss: true }
  | { readonly callback: true };

/** The failure reason of an `assetsBuild` fault given without a `message`. */
export const DEFAULT_ASSETS_BUILD_FAILURE =
  'The build failed (an assetsBuild fault injected into the esa-stage emulator).';

function matches(rule: FaultRule, subject: FaultSubject): boolean {
  if ('action' in rule) return 'action' in subject && (rule.action === '*' || rule.action === subject.action);
  if ('stsAction' in rule) {
    return 'stsAction' in subject && (rule.stsAction === '*' || rule.stsAction === subject.stsAction);
  }
  if ('oss' in rule) return 'oss' in subject;
  if ('callback' in rule) return 'callback' in subject;
  return false;
}

/**
 * Programmable faults and latency, shared by the servers. Rules are tried in the order they were
 * added; the first that matches and has uses left applies.
 */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private sequence = 0;

  constructor(public latencyMs = 0) {}

  /** Adds a rule and returns its id (for {@link remove}). */
  inject(rule: FaultRule): number {
    validateRule(rule);
    this.sequence += 1;
    this.rules.push({ id: this.sequence, rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    return this.sequence;
  }

  remove(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  /** Removes every rule; the fixed latency stays. */
  clear(): void {
    this.rules = [];
  }

  /** Rules still active, with the uses they have left. */
  list(): Array<FaultRule & { readonly id: number; readonly remaining: number }> {
    return this.rules.map((r) => ({ ...r.rule, id: r.id, remaining: r.remaining }));
  }

  /** Consumes one use of the first matching rule and says what to do with the request. */
  take(subject: FaultSubject): FaultEffect {
    const active = this.rules.find((r) => r.remaining > 0 && matches(r.rule, subject));
    if (active) active.remaining -= 1;
    const rule = active?.rule;
    const error =
      rule?.status !== undefined
        ? {
            status: rule.status,
            code: rule.code ?? 'InjectedFault',
            message: rule.message ?? 'A fault injected into the esa-stage emulator.',
            retryAfterSeconds: rule.retryAfterSeconds,
          }
        : undefined;
    return {
      delayMs: this.latencyMs + (rule?.delayMs ?? 0),
      drop: rule?.drop ?? false,
      dropAfterProcessing: rule?.dropAfterProcessing ?? false,
      error,
    };
  }

  /**
   * Consumes one use of the first `assetsBuild` rule with uses left and returns the failure reason
   * it sets; undefined when there is none (the build succeeds).
   */
  takeAssetsBuildFailure(): string | undefined {
    const active = this.rules.find((r) => r.remaining > 0 && 'assetsBuild' in r.rule);
    if (!active) return undefined;
    active.remaining -= 1;
    return active.rule.message ?? DEFAULT_ASSETS_BUILD_FAILURE;
  }
}

function validateRule(rule: FaultRule): void {
  const targets = ['action', 'stsAction', 'oss', 'callback', 'assetsBuild'].filter((k) => k in rule);
  if (targets.length !== 1) {
    throw new TypeError(
      'esa-stage emulator: a fault names exactly one of action, stsAction, oss, callback or assetsBuild',
    );
  }
  const name: unknown = 'action' in rule ? rule.action : 'stsAction' in rule ? rule.stsAction : 'none';
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`esa-stage emulator: fault ${targets[0]} must be an action name or '*'`);
  }
  if ('assetsBuild' in rule) {
    validateAssetsBuildRule(rule);
    return;
  }
  if (rule.status === undefined && !rule.drop && !rule.dropAfterProcessing && rule.delayMs === undefined) {
    throw new TypeError('esa-stage emulator: a fault needs a status, drop, dropAfterProcessing or delayMs');
  }
  validateDropAfterProcessing(rule);
  if (
    rule.status !== undefined &&
    (!Number.isInteger(rule.status) || rule.status < 200 || rule.status > 599)
  ) {
    throw new TypeError(`esa-stage emulator: fault status must be an HTTP status, got ${rule.status}`);
  }
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
    throw new TypeError(`esa-stage emulator: fault times must be a positive integer, got ${rule.times}`);
  }
  if (
    rule.retryAfterSeconds !== undefined &&
    (rule.status === undefined || !Number.isInteger(rule.retryAfterSeconds) || rule.retryAfterSeconds < 0)
  ) {
    throw new TypeError(
      'esa-stage emulator: fault retryAfterSeconds must be a whole number of seconds, with a status',
    );
  }
  if (rule.delayMs !== undefined && (!Number.isFinite(rule.delayMs) || rule.delayMs < 0)) {
    throw new TypeError(`esa-stage emulator: fault delayMs must be zero or more, got ${rule.delayMs}`);
  }
}

/** `dropAfterProcessing`: a boolean, for ESA and STS actions only, never with an answer or an early drop. */
function validateDropAfterProcessing(rule: FaultRule): void {
  const value: unknown = rule.dropAfterProcessing;
  if (value === undefined || value === false) return;
  if (value !== true) {
    throw new TypeError(
      `esa-stage emulator: fault dropAfterProcessing must be a boolean, got ${String(value)}`,
    );
  }
  if (!('action' in rule) && !('stsAction' in rule)) {
    throw new TypeError('esa-stage emulator: dropAfterProcessing applies to ESA and STS action faults only');
  }
  if (rule.status !== undefined || rule.drop) {
    throw new TypeError(
      'esa-stage emulator: dropAfterProcessing handles the request and sends no answer; it cannot be combined with status or drop',
    );
  }
}

/** `assetsBuild`: `true`, with only `message` (a string) and `times`; it always means a failed build. */
function validateAssetsBuildRule(rule: FaultRule): void {
  const value: unknown = 'assetsBuild' in rule ? rule.assetsBuild : undefined;
  if (value !== true) {
    throw new TypeError(`esa-stage emulator: fault assetsBuild must be true, got ${String(value)}`);
  }
  const other = ['status', 'code', 'retryAfterSeconds', 'delayMs', 'drop', 'dropAfterProcessing'].find(
    (k) => k in rule,
  );
  if (other !== undefined) {
    throw new TypeError(
      `esa-stage emulator: an assetsBuild fault takes only message and times, not ${other}`,
    );
  }
  const message: unknown = rule.message;
  if (message !== undefined && (typeof message !== 'string' || message === '')) {
    throw new TypeError('esa-stage emulator: fault message must be a non-empty string');
  }
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
    throw new TypeError(`esa-stage emulator: fault times must be a positive integer, got ${rule.times}`);
  }
}
