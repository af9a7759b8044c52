const MASK = '***';

/**
 * The secret values of one publish (AccessKey secret, security token, OSS signature, policy and
 * callback). Every log line and error message passes through {@link redact} before it leaves core.
 */
export class Secrets {
  private readonly values = new Set<string>();

  /** Remembers a secret; values shorter than 4 characters are ignored (they would mask everything). */
  add(value: string | undefined): void {
    if (value !== undefined && value.length >= 4) this.values.add(value);
  }

  /**
   * The error with every secret removed: from its message, stack and every other string field
   * (hint, recommend, ...), and from its causes, so neither `util.inspect` nor `JSON.stringify`
   * can show one.
   */
  redactError<T>(error: T, depth = 0): T {
    if (!(error instanceof Error) || depth > 5) return error;
    for (const key of [...Object.getOwnPropertyNames(error), 'message', 'stack']) {
      const value: unknown = (error as unknown as Record<string, unknown>)[key];
      if (typeof value !== 'string') continue;
      const redacted = this.redact(value);
      if (redacted !== value) Object.defineProperty(error, key, { value: redacted, configurable: true });
    }
    this.redactError(error.cause, depth + 1);
    return error;
  }

  /** `text` with every known secret replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    return out;
  }
}
