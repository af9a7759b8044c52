import { createHash, type Hash } from 'node:crypto';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** A key longer than this is never the field, so it is not kept. */
const MAX_KEY = 64;
const SCRATCH = 64 * 1024;
/** UTF-8 of U+FFFD, what a lone surrogate becomes when a string is hashed as UTF-8. */
const REPLACEMENT = [0xef, 0xbf, 0xbd];
const SIMPLE_ESCAPES: Readonly<Record<number, number>> = {
  34: 0x22,
  92: 0x5c,
  47: 0x2f,
  98: 0x08,
  102: 0x0c,
  110: 0x0a,
  114: 0x0d,
  116: 0x09,
};

enum State {
  Structure,
  String,
  StringEscape,
  Digest,
  DigestEscape,
  DigestUnicode,
}

/**
 * Reads a JSON object from a byte stream and replaces the string value of one top-level field by
 * the hex sha256 of its UTF-8 (what `createHash('sha256').update(value)` gives), without ever
 * holding that value: `GetRoutineCodeVersion` answers with the routine's whole code as
 * `RoutineCode`, and only its hash is needed. Everything else passes through to {@link end}.
 */
export class JsonFieldDigest {
  private readonly kept: Uint8Array[] = [];
  private state = State.Structure;
  private depth = 0;
  /** Bytes of the string being read at depth 1 (a key), up to MAX_KEY. */
  private key: number[] | undefined;
  private lastKey = '';
  private afterColon = false;
  private hash: Hash | undefined;
  private readonly scratch = new Uint8Array(SCRATCH);
  private used = 0;
  private unicode = '';
  private highSurrogate = -1;
  private found = false;

  constructor(private readonly field: string) {}

  /** Reads the next bytes of the body. */
  push(bytes: Uint8Array): void {
    let from = 0;
    let i = 0;
    const n = bytes.length;
    // In the field's value, the next quote and backslash, found natively and once each.
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, n);
    let nextQuote = -1;
    let nextBackslash = -1;
    const next = (byte: number) => {
      const at = view.indexOf(byte, i);
      return at === -1 ? n : at;
    };
    while (i < n) {
      switch (this.state) {
        case State.Structure: {
          const b = bytes[i] as number;
          if (b === QUOTE) {
            if (this.depth === 1 && this.afterColon && this.lastKey === this.field && !this.found) {
              // The field's value: keep its opening quote, hash what follows.
              this.kept.push(bytes.subarray(from, i + 1));
              this.hash = createHash('sha256');
              this.found = true;
              this.state = State.Digest;
              from = i + 1;
            } else {
              this.key = this.depth === 1 && !this.afterColon ? [] : undefined;
              this.state = State.String;
            }
            this.afterColon = false;
          } else if (b === 0x7b || b === 0x5b) {
            this.depth++;
            this.afterColon = false;
          } else if (b === 0x7d || b === 0x5d) {
            this.depth--;
            this.afterColon = false;
          } else if (b === 0x3a) {
            this.afterColon = this.depth === 1;
          } else if (b === 0x2c) {
            this.afterColon = false;
            this.lastKey = '';
          } else if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) {
            this.afterColon = false;
          }
          i++;
          continue;
        }
        case State.String: {
          const b = bytes[i] as number;
          if (b === QUOTE) {
            if (this.key) this.lastKey = Buffer.from(this.key).toString('utf8');
            this.key = undefined;
            this.state = State.Structure;
          } else if (b === BACKSLASH) {
            this.state = State.StringEscape;
          } else if (this.key) {
            if (this.key.length < MAX_KEY) this.key.push(b);
            else this.key = undefined;
          }
          i++;
          continue;
        }
        case State.StringEscape:
          // Keys with escapes are not the field's (ESA's keys are plain ASCII).
          this.key = undefined;
          this.state = State.String;
          i++;
          continue;
        case State.Digest: {
          // Plain bytes run to the next quote or backslash, and are hashed as they are.
          if (nextQuote < i) nextQuote = next(QUOTE);
          if (nextBackslash < i) nextBackslash = next(BACKSLASH);
          const end = Math.min(nextQuote, nextBackslash);
          if (end > i) {
            this.flushSurrogate();
            this.feed(bytes.subarray(i, end));
          }
          i = end;
          if (i >= n) continue;
          if (bytes[i] === QUOTE) {
            this.flushSurrogate();
            this.flush();
            const digest = this.hash?.digest('hex') ?? '';
            this.kept.push(new TextEncoder().encode(digest));
            this.hash = undefined;
            this.state = State.Structure;
            from = i;
            // The closing quote passes through.
            continue;
          }
          this.state = State.DigestEscape;
          i++;
          continue;
        }
        case State.DigestEscape: {
          const b = bytes[i] as number;
          i++;
          if (b === 0x75) {
            this.unicode = '';
            this.state = State.DigestUnicode;
            continue;
          }
          this.flushSurrogate();
          const plain = SIMPLE_ESCAPES[b];
          this.feedByte(plain ?? b);
          this.state = State.Digest;
          continue;
        }
        case State.DigestUnicode: {
          this.unicode += String.fromCharCode(bytes[i] as number);
          i++;
          if (this.unicode.length === 4) {
            this.codeUnit(Number.parseInt(this.unicode, 16));
            this.state = State.Digest;
          }
          continue;
        }
      }
    }
    if (
      this.state !== State.Digest &&
      this.state !== State.DigestEscape &&
      this.state !== State.DigestUnicode
    ) {
      if (from < n) this.kept.push(bytes.slice(from, n));
    }
  }

  /** The body's text with the field's value replaced by its hash (unchanged if it has no such field). */
  end(): string {
    return Buffer.concat(this.kept).toString('utf8');
  }

  private codeUnit(unit: number): void {
    if (unit >= 0xd800 && unit <= 0xdbff) {
      this.flushSurrogate();
      this.highSurrogate = unit;
      return;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      if (this.highSurrogate === -1) {
        for (const b of REPLACEMENT) this.feedByte(b);
        return;
      }
      const point = 0x10000 + ((this.highSurrogate - 0xd800) << 10) + (unit - 0xdc00);
      this.highSurrogate = -1;
      this.feedUtf8(point);
      return;
    }
    this.flushSurrogate();
    this.feedUtf8(unit);
  }

  /** A high surrogate not followed by a low one stands alone: U+FFFD. */
  private flushSurrogate(): void {
    if (this.highSurrogate === -1) return;
    this.highSurrogate = -1;
    for (const b of REPLACEMENT) this.feedByte(b);
  }

  private feedUtf8(point: number): void {
    if (point < 0x80) this.feedByte(point);
    else if (point < 0x800) {
      this.feedByte(0xc0 | (point >> 6));
      this.feedByte(0x80 | (point & 0x3f));
    } else if (point < 0x10000) {
      this.feedByte(0xe0 | (point >> 12));
      this.feedByte(0x80 | ((point >> 6) & 0x3f));
      this.feedByte(0x80 | (point & 0x3f));
    } else {
      this.feedByte(0xf0 | (point >> 18));
      this.feedByte(0x80 | ((point >> 12) & 0x3f));
      this.feedByte(0x80 | ((point >> 6) & 0x3f));
      this.feedByte(0x80 | (point & 0x3f));
    }
  }

  private feedByte(b: number): void {
    if (this.used === SCRATCH) this.flush();
    this.scratch[this.used++] = b;
  }

  private feed(run: Uint8Array): void {
    if (this.used + run.length > SCRATCH) this.flush();
    if (run.length > SCRATCH) {
      this.hash?.update(run);
      return;
    }
    this.scratch.set(run, this.used);
    this.used += run.length;
  }

  private flush(): void {
    if (this.used > 0) this.hash?.update(this.scratch.subarray(0, this.used));
    this.used = 0;
  }
}
