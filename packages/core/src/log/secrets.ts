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

  /** `text` with every known secret replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    return out;
  }
}
