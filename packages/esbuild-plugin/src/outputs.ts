import { dirname, relative, resolve } from 'node:path';
import type { OutputChunk } from '@esa-stage/core';
import type { BuildOptionsLike, BuildResultLike, EntryPointsLike } from './types.js';

/** The build's own entry points as absolute paths (dynamic-import targets are entries in the metafile too). */
function entryPaths(entryPoints: EntryPointsLike | undefined, cwd: string): Set<string> {
  const inputs = Array.isArray(entryPoints)
    ? entryPoints.map((e) => (typeof e === 'string' ? e : e.in))
    : Object.values(entryPoints ?? {});
  return new Set(inputs.map((p) => resolve(cwd, p)));
}

/**
 * esbuild's outputs in core's neutral shape, from the metafile: names relative to the output
 * directory, entry points, and the bytes on disk or, with
 * `write: false`, in `outputFiles`.
 */
export function toOutputChunks(result: BuildResultLike, options: BuildOptionsLike): OutputChunk[] {
  const cwd = options.absWorkingDir ?? process.cwd();
  const outDir = options.outdir
    ? resolve(cwd, options.outdir)
    : options.outfile
      ? dirname(resolve(cwd, options.outfile))
      : cwd;
  const inMemory = new Map((result.outputFiles ?? []).map((f) => [resolve(f.path), f.contents]));
  const entries = entryPaths(options.entryPoints, cwd);
  const name = (metafilePath: string) => relative(outDir, resolve(cwd, metafilePath)).split('\\').join('/');
  return Object.entries(result.metafile?.outputs ?? {}).map(([path, output]) => {
    const absolute = resolve(cwd, path);
    const bytes = options.write === false ? inMemory.get(absolute) : undefined;
    return {
      fileName: name(path),
      isEntry:
        output.entryPoint !== undefined &&
        (entries.size === 0 || entries.has(resolve(cwd, output.entryPoint))),
      source: bytes ? { bytes } : { path: absolute },
    };
  });
}
