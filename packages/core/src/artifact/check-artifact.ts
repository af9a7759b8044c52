import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { ChunkError } from '../errors.js';
import type { OutputChunk } from '../options/types.js';
import type { BundlerInfo } from './bundler.js';
import { classifyArtifact, type ModuleFacts, usesDom } from './classify.js';
import { notEsModuleHint } from './fix-hints.js';
import { ModuleScanner, ModuleSyntaxError } from './scan-module.js';

/** What the check learnt of a file that passed it. */
export interface ArtifactNotes {
  /** `import(expr)` calls whose target cannot be known before the routine runs. */
  readonly computedImports: number;
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string;
}

/**
 * The file is read in pieces of this size: strings this small live in V8's young generation and
 * are freed at once, so a check costs the same memory for a 1 KB file and a 1 GB one.
 */
const PIECE_BYTES = 64 * 1024;
/** Text kept from the end of one piece for the DOM check of the next: a match spans less. */
const DOM_OVERLAP = 256;

function unreadable(path: string, error: unknown): ChunkError {
  return new ChunkError(`cannot read ${path}: ${(error as Error).message}`, {
    code: 'ChunkUnreadable',
    hint: 'publish a file (not a directory) after the bundler has written it, and check the path',
    cause: error,
  });
}

/** The file's bytes, a piece at a time. */
async function* readPieces(chunk: OutputChunk): AsyncGenerator<Uint8Array> {
  if ('bytes' in chunk.source) {
    const { bytes } = chunk.source;
    for (let at = 0; at < bytes.length; at += PIECE_BYTES) yield bytes.subarray(at, at + PIECE_BYTES);
    return;
  }
  const { path } = chunk.source;
  let handle: FileHandle;
  try {
    handle = await open(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const buffer = Buffer.allocUnsafe(PIECE_BYTES);
    for (;;) {
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(buffer, 0, PIECE_BYTES, null));
      } catch (error) {
        throw unreadable(path, error);
      }
      if (read === 0) return;
      yield buffer.subarray(0, read);
    }
  } finally {
    await handle.close();
  }
}

function notJavaScript(error: unknown, chunk: OutputChunk, bundler: BundlerInfo): unknown {
  if (!(error instanceof ModuleSyntaxError)) return error;
  return new ChunkError(
    `${chunk.fileName} cannot be read as JavaScript (${error.message} near line ${error.line})`,
    { code: 'NotAnEsModule', hint: notEsModuleHint(bundler), cause: error },
  );
}

/**
 * Reads the file once, in pieces: its sha256 and its module facts. {@link ModuleScanner} reads
 * what es-module-lexer (Vite's lexer) reads, in flat memory; es-module-lexer would hold the text
 * three times over, its copy in WebAssembly memory that is never given back.
 */
async function readFacts(
  chunk: OutputChunk,
  bundler: BundlerInfo,
): Promise<{ facts: ModuleFacts; sha256: string }> {
  const hash = createHash('sha256');
  const decoder = new TextDecoder();
  const scanner = new ModuleScanner();
  let dom = false;
  let tail = '';
  try {
    for await (const bytes of readPieces(chunk)) {
      hash.update(bytes);
      const text = decoder.decode(bytes, { stream: true });
      dom ||= usesDom(tail + text);
      tail = text.slice(-DOM_OVERLAP);
      scanner.write(text);
    }
    scanner.write(decoder.decode());
    return { facts: { ...scanner.end(), usesDom: dom }, sha256: hash.digest('hex') };
  } catch (error) {
    throw notJavaScript(error, chunk, bundler);
  }
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
  const { facts, sha256 } = await readFacts(chunk, bundler);
  const refusal = classifyArtifact(facts, {
    fileName: chunk.fileName,
    outputNames: outputs.map((o) => o.fileName),
    bundler,
  });
  if (refusal) throw refusal;
  return { computedImports: facts.imports.filter((s) => s === undefined).length, sha256 };
}
