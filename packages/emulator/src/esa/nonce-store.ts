import { badRequest } from './errors.js';

/**
 * Signature nonces seen within the replay window (the `x-acs-date` skew allowed). Old nonces are
 * forgotten lazily, on the next use.
 */
export class NonceStore {
  /** Nonce → when it was first accepted (epoch ms). Insertion order is acceptance order. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** Number of nonces still remembered. */
  get size(): number {
    return this.seen.size;
  }

  /** Accepts a nonce once; a second use within the window throws `SignatureNonceUsed`. */
  use(nonce: string, now: number): void {
    this.purge(now);
    const at = this.seen.get(nonce);
    if (at !== undefined && Math.abs(now - at) <= this.windowMs) {
      throw badRequest('SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
    this.seen.delete(nonce);
    this.seen.set(nonce, now);
  }

  private purge(now: number): void {
    for (const [nonce, at] of this.seen) {
      if (now - at <= this.windowMs) break;
      this.seen.delete(nonce);
    }
  }
}
