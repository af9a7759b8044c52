// The few DER (ASN.1 Distinguished Encoding Rules) pieces an X.509 v3 certificate needs: enough to
// write one, and to find a field again in one written before. Pure functions on bytes.

/** The length octets of a TLV: short form below 128, else the long form. */
function lengthOctets(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value: `tag`, then the length of the contents, then the contents. */
export function tlv(tag: number, ...contents: readonly Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body]);
}

/** `SEQUENCE { items }`. */
export function sequence(...items: readonly Buffer[]): Buffer {
  return tlv(0x30, ...items);
}

/** `SET { item }`: one member (a set of several would have to be sorted). */
export function setOf(item: Buffer): Buffer {
  return tlv(0x31, item);
}

/** `BOOLEAN`: DER writes TRUE as `ff`. */
export function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/**
 * A non-negative `INTEGER` from a number or its big-endian magnitude: leading zero octets dropped,
 * one `00` put back when the first octet's high bit is set (else it would read as negative).
 */
export function integer(value: number | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a DER integer: ${value}`);
    const octets: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
    bytes = Buffer.from(octets);
  } else {
    bytes = value;
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const magnitude = bytes.length === 0 ? Buffer.from([0]) : bytes.subarray(start);
  const first = magnitude[0] ?? 0;
  return tlv(0x02, first & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
}

/** `OBJECT IDENTIFIER` from its dotted form (`2.5.4.3`): the first two arcs in one, base 128. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) {
    throw new RangeError(`not an object identifier: ${dotted}`);
  }
  const octets: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc % 128];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128)) {
      base128.unshift(0x80 | (high % 128));
    }
    octets.push(...base128);
  }
  return tlv(0x06, Buffer.from(octets));
}

/** `OCTET STRING`. */
export function octetString(bytes: Buffer): Buffer {
  return tlv(0x04, bytes);
}

/** `BIT STRING` of whole octets (no unused bits). */
export function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.from([0]), bytes);
}

/**
 * A named-bit `BIT STRING` (as `KeyUsage`) with bits `bits` set, bit 0 the first octet's high bit.
 * DER drops the trailing zero bits and counts them as unused.
 */
export function namedBits(bits: readonly number[]): Buffer {
  const highest = Math.max(...bits);
  const octets = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) {
    const index = Math.floor(bit / 8);
    octets[index] = (octets[index] ?? 0) | (0x80 >> (bit % 8));
  }
  return tlv(0x03, Buffer.from([7 - (highest % 8)]), octets);
}

/** `UTF8String`. */
export function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

/**
 * An X.509 `Time`: `UTCTime` (`YYMMDDHHMMSSZ`) for the years 1950 to 2049, `GeneralizedTime`
 * (`YYYYMMDDHHMMSSZ`) otherwise, as RFC 5280 requires; whole seconds, UTC.
 */
export function time(date: Date): Buffer {
  const digits = date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(0x17, Buffer.from(digits.slice(2)))
    : tlv(0x18, Buffer.from(digits));
}

/** `[n] EXPLICIT`: a constructed context-specific tag around a whole encoding. */
export function explicit(n: number, content: Buffer): Buffer {
  return tlv(0xa0 | n, content);
}

/** `[n] IMPLICIT` of a primitive type: the contents with a context-specific tag. */
export function implicitPrimitive(n: number, contents: Buffer): Buffer {
  return tlv(0x80 | n, contents);
}

/** One TLV read back: its tag, where its contents are, and where it ends. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the tag octet. */
  readonly start: number;
  /** Offset of the first contents octet. */
  readonly contentStart: number;
  /** Offset just after the element. */
  readonly end: number;
}

/** Reads the TLV starting at `offset` (definite lengths only, as DER has). Throws on truncation. */
export function readElement(der: Buffer, offset: number): DerElement {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw new RangeError('DER: truncated element');
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new RangeError('DER: unsupported length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (der[contentStart + i] ?? 0);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) throw new RangeError('DER: truncated element');
  return { tag, start: offset, contentStart, end };
}

/** The members of the constructed element `parent`, in order. */
export function children(der: Buffer, parent: DerElement): DerElement[] {
  const found: DerElement[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const element = readElement(der, at);
    found.push(element);
    at = element.end;
  }
  return found;
}
