import { createHash } from 'node:crypto';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { crc32, createDeflateRaw } from 'node:zlib';
import { ChunkError } from '../errors.js';
import type { ChunkSource } from '../options/types.js';

/** Bytes read from an asset at a time, into one buffer reused for every read. */
const READ_CHUNK = 64 * 1024;

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

/** The part of fflate's `ZipInputFile` a deflated entry fills in. */
interface DeflatedFile {
  filename: string;
  compression: number;
  crc: number;
  size: number;
  ondata?: (error: Error | null, data: Uint8Array, final: boolean) => void;
}

/**
 * A zip entry deflated by node's zlib, one stream per entry that is closed (its native memory
 * freed) when the entry ends, rather than left for the garbage collector. Each chunk is fully
 * consumed before `push` resolves, so the caller may reuse its buffer.
 */
function deflatedEntry(
  name: string,
  add: (file: DeflatedFile) => void,
): { push(chunk: Uint8Array, final: boolean): Promise<void> } {
  const file: DeflatedFile = { filename: name, compression: 8, crc: 0, size: 0 };
  add(file);
  const deflater = createDeflateRaw({ level: 6 });
  const out: Buffer[] = [];
  deflater.on('data', (piece: Buffer) => out.push(piece));
  const forward = (final: boolean) => {
    const pieces = out.splice(0);
    pieces.forEach((piece, i) => {
      file.ondata?.(null, piece, final && i === pieces.length - 1);
    });
    if (final && pieces.length === 0) file.ondata?.(null, new Uint8Array(0), true);
  };
  return {
    async push(chunk, final) {
      if (chunk.length > 0) {
        file.crc = crc32(chunk, file.crc);
        file.size += chunk.length;
        await new Promise<void>((resolve, reject) =>
          deflater.write(chunk, (error) => (error ? reject(error) : resolve())),
        );
      }
      if (final) {
        await new Promise<void>((resolve, reject) => {
          deflater.once('end', resolve);
          deflater.once('error', reject);
          deflater.end();
        });
        // Free zlib's native state now, not when the stream is collected.
        await new Promise<void>((resolve) => deflater.close(() => resolve()));
      }
      forward(final);
    },
  };
}

/**
 * Zips a version with assets the way esa-cli lays it out: `routine/index.js` (when there is a
 * routine) and `assets/<path>` for every file under `directory`, into a temp file. fflate (loaded
 * here, on first use) lays out the zip; files are read one at a time into one reused buffer, each
 * chunk is consumed (stored, or deflated by a zlib stream closed with its entry) and every piece
 * written before the next read: memory stays flat whatever the size of the assets. Already-compressed
 * types are stored, the rest deflated.
 */
export async function buildAssetsZip(input: {
  readonly routine: ChunkSource | undefined;
  readonly directory: string | undefined;
}): Promise<AssetsZip> {
  const { Zip, ZipPassThrough } = await import('fflate');
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
  const output = await open(path, 'w');
  const listing: string[] = [];
  // What the zip produced and is not written yet: written (and so released) before the next read.
  const produced: Uint8Array[] = [];
  let zipError: Error | null = null;
  const zip = new Zip((error, data) => {
    if (error) zipError = error;
    else produced.push(data);
  });
  const drain = async () => {
    for (let piece = produced.shift(); piece; piece = produced.shift()) await output.write(piece);
    if (zipError) throw zipError;
  };
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  const add = async (name: string, source: ChunkSource, compress: boolean) => {
    const hash = createHash('sha256');
    let entry: { push(chunk: Uint8Array, final: boolean): Promise<void> };
    if (compress) {
      entry = deflatedEntry(name, (file) => zip.add(file as Parameters<typeof zip.add>[0]));
    } else {
      const stored = new ZipPassThrough(name);
      zip.add(stored);
      entry = {
        push: async (chunk, final) => {
          stored.push(chunk, final);
        },
      };
    }
    if ('bytes' in source) {
      hash.update(source.bytes);
      await entry.push(source.bytes, true);
    } else {
      const file = await open(source.path, 'r');
      try {
        for (;;) {
          const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
          const chunk = buffer.subarray(0, bytesRead);
          hash.update(chunk);
          await entry.push(chunk, bytesRead === 0);
          await drain();
          if (bytesRead === 0) break;
        }
      } finally {
        await file.close();
      }
    }
    await drain();
    listing.push(`${name}\0${hash.digest('hex')}`);
  };
  try {
    if (input.routine) await add('routine/index.js', input.routine, true);
    for (const file of files) {
      await add(
        `assets/${file}`,
        { path: join(input.directory ?? '', file) },
        !ALREADY_COMPRESSED.test(file),
      );
    }
    zip.end();
    await drain();
    await output.close();
  } catch (error) {
    await output.close().catch(() => undefined);
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
