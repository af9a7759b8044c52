import type { CodeVersionRecord } from '../state.js';

/** An asset file chosen to answer a request, with the status to answer it with. */
export interface AssetAnswer {
  readonly status: 200 | 404;
  /** Its path below `assets/`. */
  readonly path: string;
  readonly bytes: Buffer;
}

/**
 * The asset path a URL path asks for: percent-decoded, without its leading `/`; a path ending in
 * `/` asks for that folder's `index.html`. Undefined when it cannot be decoded.
 */
export function assetPathOf(pathname: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  path = path.replace(/^\/+/, '');
  return path === '' || path.endsWith('/') ? `${path}index.html` : path;
}

/** The version's asset file at `pathname`, if it has one there. */
export function findAsset(version: CodeVersionRecord, pathname: string): AssetAnswer | undefined {
  const path = assetPathOf(pathname);
  const bytes = path === undefined ? undefined : version.assets.get(path);
  return path !== undefined && bytes ? { status: 200, path, bytes } : undefined;
}

/**
 * What the version's `notFoundStrategy` answers for a path that is no asset:
 * `SinglePageApplication` its `index.html` with 200, `404Page` its `404.html` with 404. Undefined
 * without a strategy or without that file.
 */
export function notFoundAsset(version: CodeVersionRecord): AssetAnswer | undefined {
  const strategy = version.notFoundStrategy;
  const [path, status] =
    strategy === 'SinglePageApplication'
      ? (['index.html', 200] as const)
      : strategy === '404Page'
        ? (['404.html', 404] as const)
        : [undefined, undefined];
  const bytes = path === undefined ? undefined : version.assets.get(path);
  return path !== undefined && status !== undefined && bytes ? { status, path, bytes } : undefined;
}
