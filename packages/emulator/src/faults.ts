/** Which requests a fault applies to. */
export type FaultTarget =
  /** An ESA OpenAPI action by name, or `'*'` for every action. */
  | { readonly action: string }
  /** The OSS PostObject upload. */
  | { readonly oss: true }
  /** The emulator's own upload callback receiver (a failing callback gives OSS 203 CallbackFailed). */
  | { readonly callback: true };

/** What happens to a matching request. Combine `delayMs` with an error or either drop. */
export interface FaultSpec {
  /** Answer with this HTTP status and error `code` instead of handling the request. */
  readonly status?: number;
  readonly code?: string;
  readonly message?: string;
  /** Wait this long (ms) before answering, or before the error or drop. */
  readonly delayMs?: number;
  /** Destroy the connection without an answer, before handling the request. */
  readonly drop?: boolean;
  /**
   * ESA actions only: handle the request normally (state changes, the request is recorded with the
   * status it would have answered), then destroy the connection without sending the answer, as a
   * lost response looks to a client. Not with `status` or `drop`.
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
  readonly error: { readonly status: number; readonly code: string; readonly message: string } | undefined;
}

interface ActiveRule {
  readonly id: number;
  readonly rule: FaultRule;
  remaining: number;
}

/** The request a fault is matched against. */
export type FaultSubject = { readonly action: string } | { readonly oss: true } | { readonly callback: true };

function matches(rule: FaultRule, subject: FaultSubject): boolean {
  if ('action' in rule) return 'action' in subject && (rule.action === '*' || rule.action === subject.action);
  if ('oss' in rule) return 'oss' in subject;
  return 'callback' in subject;
}

/**
 * Programmable faults and latency, shared by both servers. Rules are tried in the order they were
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
          }
        : undefined;
    return {
      delayMs: this.latencyMs + (rule?.delayMs ?? 0),
      drop: rule?.drop ?? false,
      dropAfterProcessing: rule?.dropAfterProcessing ?? false,
      error,
    };
  }
}

function validateRule(rule: FaultRule): void {
  const targets = ['action', 'oss', 'callback'].filter((k) => k in rule);
  if (targets.length !== 1) {
    throw new TypeError('esa-stage emulator: a fault names exactly one of action, oss or callback');
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
  if (rule.delayMs !== undefined && (!Number.isFinite(rule.delayMs) || rule.delayMs < 0)) {
    throw new TypeError(`esa-stage emulator: fault delayMs must be zero or more, got ${rule.delayMs}`);
  }
}

/** `dropAfterProcessing`: a boolean, for ESA actions only, never with an answer or an early drop. */
function validateDropAfterProcessing(rule: FaultRule): void {
  const value: unknown = rule.dropAfterProcessing;
  if (value === undefined || value === false) return;
  if (value !== true) {
    throw new TypeError(
      `esa-stage emulator: fault dropAfterProcessing must be a boolean, got ${String(value)}`,
    );
  }
  if (!('action' in rule)) {
    throw new TypeError('esa-stage emulator: dropAfterProcessing applies to ESA action faults only');
  }
  if (rule.status !== undefined || rule.drop) {
    throw new TypeError(
      'esa-stage emulator: dropAfterProcessing handles the request and sends no answer; it cannot be combined with status or drop',
    );
  }
}
