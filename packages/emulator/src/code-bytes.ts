import { createHash } from 'node:crypto';
import type { CodeBytes } from './state.js';

/** `bytes` with its size and lower-case hex sha256. */
export function codeBytesOf(bytes: Buffer): CodeBytes {
  return { bytes, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}
