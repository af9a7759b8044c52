import { createChunkMatcher, selectChunk } from '../chunk/select-chunk.js';
import { sha256Of } from '../hash-file.js';
import type { ChunkOption, OutputChunk } from '../options/types.js';

/** The chunk a publish would pick, with the sha256 of its bytes (for "unchanged since last time"). */
export async function pickChunkWithHash(
  outputs: readonly OutputChunk[],
  option: ChunkOption | undefined,
): Promise<{ chunk: OutputChunk; sha256: string }> {
  const chunk = selectChunk(outputs, await createChunkMatcher(option), option !== undefined);
  return { chunk, sha256: await sha256Of(chunk.source) };
}
