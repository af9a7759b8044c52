import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChunkError } from '../errors.js';
import type { ChunkSource } from '../options/types.js';

/** Bytes read from an asset at a time: small reads keep the garbage between collections small. */
const READ_CHUNK = 16 * 1024;

/** Files stored as they are: compressing them again gains nothing and costs time. */
const ALREADY_COMPRESSED =
  /\.(?:png|jpe?g|gif|webp|avif|ico|woff2?|ttf|otf|eot|zip|gz|tgz|br|zst|xz|7z|mp3|mp4|m4a|webm|ogg|ogv|wasm|pdf)$/i;

/** The zip of a version with assets, written to a temp file (OSS needs its exact length). */
export interface AssetsZip {
  readonly path: string;
  readonly size: number;
  /** sha256 over every file's path and sha256: the version's content, whatever the zip's bytes. */
  readonly contentSha256: string;
  /** Number of asset files. */
  readonly assets: number;
  /** Removes the temp file. */
  remove(): Promise<void>;
}

/** Every file under `directory`, as `/`-separated relative paths, sorted. Symbolic links are followed. */
export async function listAssetFiles(directory: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(directory, { recursive: true });
  } catch (error) {
    throw new ChunkError(`cannot read the assets directory ${directory}: ${(error as Error).message}`, {
      code: 'AssetsUnreadable',
      hint: 'point `assets.directory` at the directory the build writes its static files to, after it wrote them',
      cause: error,
    });
  }
  const files: string[] = [];
  for (const entry of entries) {
    if ((await stat(join(directory, entry))).isFile()) files.push(entry.split(sep).join('/'));
  }
  return files.sort();
}

/** A stream of `source` that also feeds `hash`. */
function hashed(source: Readable, hash: ReturnType<typeof createHash>): Readable {
  const through = new PassThrough();
  source.on('data', (chunk: Buffer) => hash.update(chunk));
  source.on('error', (error) => through.destroy(error));
  return source.pipe(through);
}

/**
 * Zips a version with assets the way esa-cli lays it out: `routine/index.js` (when there is a
 * routine) and `assets/<path>` for every file under `directory`. Files stream from disk through
 * yazl (loaded here, on first use) into a temp file, so memory stays flat whatever their size;
 * already-compressed types are stored, the rest deflated.
 */
export async function buildAssetsZip(input: {
  readonly routine: ChunkSource | undefined;
  readonly directory: string | undefined;
}): Promise<AssetsZip> {
  const { ZipFile } = await import('yazl');
  const files = input.directory ? await listAssetFiles(input.directory) : [];
  if (!input.routine && files.length === 0) {
    throw new ChunkError(
      `nothing to publish: no routine, and no files in ${input.directory ?? 'the assets directory'}`,
      {
        code: 'AssetsEmpty',
        hint: 'build the static files before publishing, or publish a routine',
      },
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'esa-stage-assets-'));
  const path = join(dir, 'version.zip');
  const zip = new ZipFile();
  const listing: string[] = [];
  const hashes: Promise<void>[] = [];
  const add = (name: string, source: (() => Readable) | Uint8Array, compress: boolean) => {
    const hash = createHash('sha256');
    if (source instanceof Uint8Array) {
      hash.update(source);
      listing.push(`${name}\0${hash.digest('hex')}`);
      zip.addBuffer(Buffer.from(source), name, { compress, mtime: new Date(0) });
      return;
    }
    // Opened only when yazl reaches the entry: one file is read at a time, through the hash.
    let done: (error?: Error) => void = () => undefined;
    hashes.push(
      new Promise<void>((resolve, reject) => {
        done = (error) => (error ? reject(error) : resolve());
      }),
    );
    zip.addReadStreamLazy(name, { compress, mtime: new Date(0) }, (callback) => {
      const stream = hashed(source(), hash);
      stream.on('end', () => {
        listing.push(`${name}\0${hash.digest('hex')}`);
        done();
      });
      stream.on('error', (error) => done(error));
      callback(null, stream);
    });
  };
  if (input.routine) {
    const routine = input.routine;
    add('routine/index.js', 'bytes' in routine ? routine.bytes : () => createReadStream(routine.path), true);
  }
  for (const file of files) {
    add(
      `assets/${file}`,
      () => createReadStream(join(input.directory ?? '', file), { highWaterMark: READ_CHUNK }),
      !ALREADY_COMPRESSED.test(file),
    );
  }
  zip.end();
  try {
    await Promise.all([pipeline(zip.outputStream, createWriteStream(path)), ...hashes]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new ChunkError(`could not zip the version: ${(error as Error).message}`, {
      code: 'AssetsUnreadable',
      hint: 'check that the build finished writing the assets directory',
      cause: error,
    });
  }
  const contentSha256 = createHash('sha256').update(listing.sort().join('\n')).digest('hex');
  return {
    path,
    size: (await stat(path)).size,
    contentSha256,
    assets: files.length,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
