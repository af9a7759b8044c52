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
 * Up to this size a file is read whole and lexed by es-module-lexer (what Vite itself uses, and
 * the fastest); a larger one is read in 64 KiB pieces (young-generation strings, freed at once) through {@link ModuleScanner},
 * which finds the same facts in flat memory (es-module-lexer would hold the text 3 times over, in
 * WebAssembly memory that is never given back).
 */
export const WHOLE_FILE_BYTES = 4 * 1024 * 1024;
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

/** The file's bytes: whole up to {@link WHOLE_FILE_BYTES} (one piece), else in pieces. */
async function* readPieces(chunk: OutputChunk): AsyncGenerator<{ bytes: Uint8Array; whole: boolean }> {
  if ('bytes' in chunk.source) {
    const { bytes } = chunk.source;
    if (bytes.length <= WHOLE_FILE_BYTES) yield { bytes, whole: true };
    else
      for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
        yield { bytes: bytes.subarray(at, at + PIECE_BYTES), whole: false };
      }
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
    let size: number;
    try {
      size = (await handle.stat()).size;
      if (size <= WHOLE_FILE_BYTES) {
        yield { bytes: await handle.readFile(), whole: true };
        return;
      }
    } catch (error) {
      throw unreadable(path, error);
    }
    const buffer = Buffer.allocUnsafe(PIECE_BYTES);
    for (;;) {
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(buffer, 0, PIECE_BYTES, null));
      } catch (error) {
        throw unreadable(path, error);
      }
      if (read === 0) return;
      yield { bytes: buffer.subarray(0, read), whole: false };
    }
  } finally {
    await handle.close();
  }
}

function lineOf(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

function unreadableText(
  chunk: OutputChunk,
  bundler: BundlerInfo,
  problem: string,
  line: number | undefined,
  cause: unknown,
) {
  return new ChunkError(
    `${chunk.fileName} cannot be read as JavaScript (${problem}${line === undefined ? '' : ` near line ${line}`})`,
    { code: 'NotAnEsModule', hint: notEsModuleHint(bundler), cause },
  );
}

/** Lexes a whole file with es-module-lexer, loaded on the first check. */
async function lexWhole(source: string, chunk: OutputChunk, bundler: BundlerInfo): Promise<ModuleFacts> {
  const { init, parse } = await import('es-module-lexer');
  await init();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source, chunk.fileName);
  } catch (error) {
    const at = (error as { idx?: number }).idx;
    throw unreadableText(
      chunk,
      bundler,
      (error as Error).message.split('\n')[0] ?? '',
      at === undefined ? undefined : lineOf(source, at),
      error,
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

/** Reads the file once: its sha256 and its module facts. */
async function readFacts(
  chunk: OutputChunk,
  bundler: BundlerInfo,
): Promise<{ facts: ModuleFacts; sha256: string }> {
  const hash = createHash('sha256');
  const decoder = new TextDecoder();
  const scanner = new ModuleScanner();
  let dom = false;
  let tail = '';
  for await (const { bytes, whole } of readPieces(chunk)) {
    hash.update(bytes);
    if (whole) {
      const facts = await lexWhole(decoder.decode(bytes), chunk, bundler);
      return { facts, sha256: hash.digest('hex') };
    }
    const text = decoder.decode(bytes, { stream: true });
    dom ||= usesDom(tail + text);
    tail = text.slice(-DOM_OVERLAP);
    try {
      scanner.write(text);
    } catch (error) {
      throw scanError(error, chunk, bundler);
    }
  }
  try {
    scanner.write(decoder.decode());
    const scanned = scanner.end();
    return { facts: { ...scanned, usesDom: dom }, sha256: hash.digest('hex') };
  } catch (error) {
    throw scanError(error, chunk, bundler);
  }
}

function scanError(error: unknown, chunk: OutputChunk, bundler: BundlerInfo): unknown {
  return error instanceof ModuleSyntaxError
    ? unreadableText(chunk, bundler, error.message, error.line, error)
    : error;
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
