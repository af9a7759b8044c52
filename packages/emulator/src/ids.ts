import { randomBytes, randomUUID } from 'node:crypto';

/** A request id shaped like Alibaba Cloud's: an upper-case UUID. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/**
 * Makes 19-digit `CodeVersion` strings like ESA's (`1710120201067203242`): the 13-digit epoch
 * millisecond time and a 6-digit sequence, strictly increasing even within one millisecond. The
 * value is above 2^53 on purpose, so a client that parses it as a JSON number loses digits.
 */
export function createCodeVersionGenerator(now: () => number): () => string {
  let last = 0n;
  return () => {
    const candidate = BigInt(Math.floor(now())) * 1_000_000n + BigInt(randomBytes(2).readUInt16BE(0));
    last = candidate > last ? candidate : last + 1n;
    return last.toString();
  };
}
