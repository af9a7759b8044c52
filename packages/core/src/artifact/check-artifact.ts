import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ChunkError } from '../errors.js';
import type { OutputChunk } from '../options/types.js';
import type { BundlerInfo } from './bundler.js';
import { classifyArtifact, type ModuleFacts, usesDom } from './classify.js';
import { notEsModuleHint } from './fix-hints.js';

/** What the check learnt of a file that passed it. */
export interface ArtifactNotes {
  /** `import(expr)` calls whose target cannot be known before the routine runs. */
  readonly computedImports: number;
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string;
}

async function readBytes(chunk: OutputChunk): Promise<Uint8Array> {
  if ('bytes' in chunk.source) return chunk.source.bytes;
  const { path } = chunk.source;
  try {
    return await readFile(path);
  } catch (error) {
    throw new ChunkError(`cannot read ${path}: ${(error as Error).message}`, {
      code: 'ChunkUnreadable',
      hint: 'publish a file (not a directory) after the bundler has written it, and check the path',
      cause: error,
    });
  }
}

function lineOf(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

/** Lexes a file with es-module-lexer (what Vite itself uses), loaded on the first check. */
async function lex(source: string, chunk: OutputChunk, bundler: BundlerInfo): Promise<ModuleFacts> {
  const { init, parse } = await import('es-module-lexer');
  await init();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source, chunk.fileName);
  } catch (error) {
    const at = (error as { idx?: number }).idx;
    throw new ChunkError(
      `${chunk.fileName} cannot be read as JavaScript (${(error as Error).message.split('\n')[0]}${at === undefined ? '' : ` near line ${lineOf(source, at)}`})`,
      { code: 'NotAnEsModule', hint: notEsModuleHint(bundler), cause: error },
    );
  }
  const [imports, exports, , hasModuleSyntax] = parsed;
  return {
    hasModuleSyntax,
    exportNames: exports.flatMap((e) => (e.type === 'reexport-all' ? [] : [e.name])),
    imports: imports.flatMap((i) => (i.type === 'import-meta' ? [] : [i.specifier])),
    usesDom: usesDom(source),
  };
}

/**
 * Refuses a file that ESA cannot run as an Edge Routine (see {@link classifyArtifact}), with the
 * fix for the tool that built it. `outputs` are all the files of the build, to tell another chunk
 * of it from a file it left out. Throws a {@link ChunkError}; resolves what is worth a warning.
 */
export async function checkArtifact(
  chunk: OutputChunk,
  outputs: readonly OutputChunk[],
  bundler: BundlerInfo,
): Promise<ArtifactNotes> {
  const bytes = await readBytes(chunk);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const source = new TextDecoder().decode(bytes);
  const facts = await lex(source, chunk, bundler);
  const refusal = classifyArtifact(facts, {
    fileName: chunk.fileName,
    outputNames: outputs.map((o) => o.fileName),
    bundler,
  });
  if (refusal) throw refusal;
  return { computedImports: facts.imports.filter((s) => s === undefined).length, sha256 };
}
