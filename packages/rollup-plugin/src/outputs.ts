import { dirname, join, resolve } from 'node:path';
import type { OutputChunk } from '@esa-stage/core';
import type { BundleEntryLike, OutputOptionsLike } from './types.js';

/** Which output of a multi-output build to publish from: its `dir`/`file` path, or a predicate. */
export type OutputSelector = string | ((output: OutputOptionsLike) => boolean);

const ES_FORMATS = new Set(['es', 'esm', 'module']);

/** The directory Rollup wrote an output's files to. */
export function outputDir(output: OutputOptionsLike): string {
  if (output.dir) return resolve(output.dir);
  return output.file ? dirname(resolve(output.file)) : process.cwd();
}

/** A short name for an output in messages: its file or dir, and its format. */
export function describeOutput(output: OutputOptionsLike): string {
  const where = output.file ?? output.dir ?? '(no dir)';
  return `${where} (format ${output.format})`;
}

export function isEsOutput(output: OutputOptionsLike): boolean {
  return ES_FORMATS.has(output.format);
}

/** Whether an output is the one to publish from: it matches `selector`, or by default it is an ES module. */
export function outputMatches(output: OutputOptionsLike, selector: OutputSelector | undefined): boolean {
  if (selector === undefined) return isEsOutput(output);
  if (typeof selector === 'function') return selector(output);
  const wanted = resolve(selector);
  return [output.dir, output.file].some((p) => p !== undefined && resolve(p) === wanted);
}

/** A Rollup output bundle in core's neutral shape, each file at the path it was written to. */
export function toOutputChunks(
  output: OutputOptionsLike,
  bundle: Readonly<Record<string, BundleEntryLike>>,
): OutputChunk[] {
  const dir = outputDir(output);
  return Object.values(bundle).map((entry) => ({
    fileName: entry.fileName,
    isEntry: entry.type === 'chunk' && entry.isEntry,
    source: { path: join(dir, entry.fileName) },
  }));
}
