import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ChunkSource } from './options/types.js';

/** Hex sha256 of a chunk's bytes, streaming a file from disk. */
export async function sha256Of(source: ChunkSource): Promise<string> {
  const hash = createHash('sha256');
  if ('bytes' in source) return hash.update(source.bytes).digest('hex');
  for await (const chunk of createReadStream(source.path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
