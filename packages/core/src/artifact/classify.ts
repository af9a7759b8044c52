import { posix } from 'node:path';
import { ChunkError } from '../errors.js';
import type { BundlerInfo } from './bundler.js';
import {
  browserBuildHint,
  chunkImportsHint,
  externalImportHint,
  noDefaultExportHint,
  notEsModuleHint,
} from './fix-hints.js';

/** What the lexer found in a file. */
export interface ModuleFacts {
  /** Any `import`/`export` statement, `import()` or `import.meta`. */
  readonly hasModuleSyntax: boolean;
  readonly exportNames: readonly string[];
  /** Specifiers of static and dynamic imports; `undefined` for a computed `import(expr)`. */
  readonly imports: readonly (string | undefined)[];
  /** The code touches `document` / `window`: a page script, if it exports no handler. */
  readonly usesDom: boolean;
}

/** Where the file came from: its name, the other files of the build, and the tool. */
export interface ArtifactContext {
  readonly fileName: string;
  /** Every file the build wrote (output-relative names), the checked one included. */
  readonly outputNames: readonly string[];
  readonly bundler: BundlerInfo;
}

/**
 * The `node:` modules ESA's runtime provides: the ones Alibaba's esa-cli leaves external when it
 * bundles a routine (`NODE_EXTERNALS`). Everything else a routine imports must be in the file.
 */
export const ESA_NODE_MODULES: ReadonlySet<string> = new Set(
  [
    'assert',
    'async_hooks',
    'buffer',
    'crypto',
    'diagnostics_channel',
    'events',
    'path',
    'process',
    'stream',
    'string_decoder',
    'util',
  ].map((m) => `node:${m}`),
);

const DOM_USE = /\b(?:document|window)\s*\.\s*[A-Za-z_$]|\bcustomElements\s*\.\s*define\b/;

/** Whether source text touches the DOM the way page scripts do. */
export function usesDom(source: string): boolean {
  return DOM_USE.test(source);
}

function list(items: readonly string[], max = 6): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

const isRelative = (specifier: string) => /^\.{0,2}\//.test(specifier);

/** Splits a file's imports into other chunks of this build and everything left outside it. */
function sortImports(facts: ModuleFacts, context: ArtifactContext) {
  const outputs = new Set(context.outputNames);
  const dir = posix.dirname(context.fileName);
  // The CLI and library callers hand over one file: a relative import may be a chunk or a source
  // file, and both are fixed the same way (one bundled file), so they count as chunks.
  const knowsOutputs = context.bundler.kind !== 'cli' && context.bundler.kind !== 'api';
  const chunks: string[] = [];
  const outside: string[] = [];
  for (const specifier of new Set(facts.imports)) {
    if (specifier === undefined || ESA_NODE_MODULES.has(specifier)) continue;
    if (!isRelative(specifier)) outside.push(specifier);
    else if (!knowsOutputs || outputs.has(posix.join(dir, specifier).replace(/^\/+/, ''))) {
      chunks.push(specifier);
    } else outside.push(specifier);
  }
  return { chunks, outside };
}

function refusal(code: string, message: string, hint: string): ChunkError {
  return new ChunkError(message, { code, hint });
}

/**
 * Decides whether a file can run as an Edge Routine: an ES module whose default export handles
 * requests, with nothing to import but the `node:` modules ESA provides. Returns the refusal (with
 * the fix for the tool at hand), or undefined when the file is fit to publish. Pure.
 */
export function classifyArtifact(facts: ModuleFacts, context: ArtifactContext): ChunkError | undefined {
  const { fileName, bundler } = context;
  const html = context.outputNames.filter((name) => /\.html?$/i.test(name));
  if (html.length > 0) {
    return refusal(
      'BrowserBuild',
      `${fileName} comes from a browser build (the build wrote ${list(html)}); ESA would run the page's script as the routine`,
      browserBuildHint(bundler),
    );
  }
  const hasDefault = facts.exportNames.includes('default');
  if (!hasDefault && facts.usesDom) {
    return refusal(
      'BrowserBuild',
      `${fileName} is a page script (it uses document/window and has no default export), not an Edge Routine`,
      browserBuildHint(bundler),
    );
  }
  if (!facts.hasModuleSyntax) {
    return refusal(
      'NotAnEsModule',
      `${fileName} is not an ES module (no import or export: CommonJS, IIFE, UMD or a plain script); ESA runs an ES module whose default export handles requests`,
      notEsModuleHint(bundler),
    );
  }
  if (!hasDefault) {
    const names =
      facts.exportNames.length > 0 ? `it exports ${list(facts.exportNames)}` : 'it exports nothing';
    return refusal(
      'NoDefaultExport',
      `${fileName} has no default export (${names})`,
      noDefaultExportHint(bundler),
    );
  }
  const { chunks, outside } = sortImports(facts, context);
  if (chunks.length > 0) {
    return refusal(
      'ChunkHasImports',
      `${fileName} imports other chunks (${list(chunks)}); ESA runs one file`,
      chunkImportsHint(bundler),
    );
  }
  if (outside.length > 0) {
    return refusal(
      'ExternalImport',
      `${fileName} imports modules that are not in the bundle (${list(outside)}); ESA runs one file and provides only ${[...ESA_NODE_MODULES].slice(0, 3).join(', ')} and a few more node: modules`,
      externalImportHint(bundler),
    );
  }
  return undefined;
}
