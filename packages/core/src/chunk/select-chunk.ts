import { ChunkError } from '../errors.js';
import type { ChunkOption, OutputChunk } from '../options/types.js';

/** Decides whether an output file is the one to publish. */
export type ChunkMatcher = (chunk: OutputChunk) => boolean;

const JAVASCRIPT = /\.(?:m|c)?js$/;

/**
 * Turns the `chunk` option into a matcher. Names, globs and RegExps go through
 * `@rollup/pluginutils`' `createFilter` with `resolve: false`, so patterns match output-relative
 * names (`assets/*.js`) as written; it is loaded only when such an option is given.
 */
export async function createChunkMatcher(option: ChunkOption | undefined): Promise<ChunkMatcher> {
  if (option === undefined) return (chunk) => chunk.isEntry;
  if (typeof option === 'function') {
    return (chunk) => {
      try {
        return option(chunk) === true;
      } catch (error) {
        throw new ChunkError(
          `the \`chunk\` function threw for ${chunk.fileName}: ${error instanceof Error ? error.message : String(error)}`,
          {
            code: 'ChunkOptionFailed',
            hint: 'fix the `chunk` function: it gets each output file and returns true for the one to publish',
            cause: error,
          },
        );
      }
    };
  }
  const { createFilter } = await import('@rollup/pluginutils');
  const filter = createFilter(option as string | RegExp | (string | RegExp)[], null, { resolve: false });
  return (chunk) => filter(chunk.fileName);
}

function list(chunks: readonly OutputChunk[]): string {
  return chunks.length === 0
    ? 'no files'
    : chunks.map((c) => `${c.fileName}${c.isEntry ? ' (entry)' : ''}`).join(', ');
}

/**
 * Picks the one JavaScript file to publish from a build's outputs: the one the matcher accepts, by
 * default the single entry chunk. Whether ESA can run it is `checkArtifact`'s question. Throws a {@link ChunkError} that lists what the build produced.
 */
export function selectChunk(
  outputs: readonly OutputChunk[],
  matcher: ChunkMatcher,
  optionGiven: boolean,
): OutputChunk {
  const matched = outputs.filter(matcher);
  const candidates = matched.filter((c) => JAVASCRIPT.test(c.fileName));
  const how = optionGiven ? 'matching the `chunk` option' : 'that is an entry';
  if (candidates.length === 0) {
    const nonJs = matched.length > 0 ? ` (matched, but not JavaScript: ${list(matched)})` : '';
    throw new ChunkError(`no JavaScript output ${how}${nonJs}; the build wrote ${list(outputs)}`, {
      code: 'ChunkNotFound',
      hint: optionGiven
        ? 'set `chunk` to one of the file names listed'
        : 'give the build one entry point, or set the `chunk` option to the file to publish',
    });
  }
  if (candidates.length > 1) {
    throw new ChunkError(`${candidates.length} JavaScript outputs ${how}: ${list(candidates)}`, {
      code: 'ChunkAmbiguous',
      hint: 'an Edge Routine is one file: set the `chunk` option to the file name to publish',
    });
  }
  return candidates[0] as OutputChunk;
}
