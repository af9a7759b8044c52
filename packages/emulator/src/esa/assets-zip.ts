import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

/** The zip entry that holds the routine's code (esa-cli's fixed name). */
export const ROUTINE_ENTRY = 'routine/index.js';
/** The folder of the static files; each entry's path below it is the asset's path. */
export const ASSETS_PREFIX = 'assets/';

/** The files of a valid assets zip. */
export interface AssetsZipContent {
  /** The bytes of `routine/index.js`; undefined for an assets-only zip. */
  readonly routine: Buffer | undefined;
  /** Every file under `assets/`, by its path below `assets/`. */
  readonly assets: ReadonlyMap<string, Buffer>;
}

export type AssetsZipResult =
  | { readonly ok: true; readonly content: AssetsZipContent }
  | { readonly ok: false; readonly reason: string };

/** A reason to refuse the zip, thrown inside {@link readAssetsZip} and answered as its result. */
class ZipRefusal extends Error {}

/**
 * Why a path inside the zip is unsafe, or undefined when it is a plain relative path: not absolute,
 * no drive letter, no backslash, no `..`, `.` or empty segment (a trailing `/` marks a directory).
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === '') return 'an entry has an empty name';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return `entry "${path}" has an absolute path`;
  if (path.includes('\\')) return `entry "${path}" has a backslash in its path`;
  if (path.includes('\0')) return `entry "${path}" has a NUL character in its path`;
  const segments = (path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  if (segments.includes('..')) return `entry "${path}" has a ".." segment in its path`;
  if (segments.some((s) => s === '' || s === '.')) {
    return `entry "${path}" has an empty or "." segment in its path`;
  }
  return undefined;
}

/** Reads one entry to its end, checking its size and CRC-32 against the central directory. */
async function readEntry(zipfile: yauzl.ZipFile, entry: yauzl.Entry, path: string): Promise<Buffer> {
  let stream: Readable;
  try {
    stream = await zipfile.openReadStreamPromise(entry);
  } catch (error) {
    throw new ZipRefusal(`entry "${path}" cannot be read: ${(error as Error).message}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let crc = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (size > entry.uncompressedSize) break;
      crc = crc32(bytes, crc);
      chunks.push(bytes);
    }
  } catch (error) {
    throw new ZipRefusal(`entry "${path}" is corrupt: ${(error as Error).message}`);
  }
  if (size !== entry.uncompressedSize) {
    throw new ZipRefusal(
      `entry "${path}" holds ${size > entry.uncompressedSize ? 'more than' : 'only'} ${Math.min(size, entry.uncompressedSize)} bytes but the zip says ${entry.uncompressedSize}`,
    );
  }
  // yauzl reads the CRC-32 from the central directory but never checks it.
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw new ZipRefusal(
      `entry "${path}" fails its CRC-32 check (the zip says ${entry.crc32.toString(16).padStart(8, '0')}, its data has ${(crc >>> 0).toString(16).padStart(8, '0')})`,
    );
  }
  return Buffer.concat(chunks, size);
}

/** Reads every entry in order, refusing the first that breaks a rule. */
async function readEntries(zipfile: yauzl.ZipFile): Promise<AssetsZipContent> {
  let routine: Buffer | undefined;
  const assets = new Map<string, Buffer>();
  const seen = new Set<string>();
  for await (const entry of zipfile.eachEntry()) {
    // Names are decoded here (UTF-8 flag, Info-ZIP Unicode Path field), not by yauzl, so that
    // an unsafe one gets a precise reason; backslashes are kept and refused.
    const path = yauzl.getFileNameLowLevel(
      entry.generalPurposeBitFlag,
      entry.fileNameRaw,
      entry.extraFields,
      true,
    );
    const unsafe = unsafePathReason(path);
    if (unsafe) throw new ZipRefusal(unsafe);
    if (seen.has(path)) throw new ZipRefusal(`entry "${path}" appears more than once`);
    seen.add(path);
    if (path.endsWith('/')) continue;
    if (path !== ROUTINE_ENTRY && !path.startsWith(ASSETS_PREFIX)) {
      throw new ZipRefusal(
        `entry "${path}" is outside ${ROUTINE_ENTRY} and ${ASSETS_PREFIX}**; an assets zip holds nothing else`,
      );
    }
    const bytes = await readEntry(zipfile, entry, path);
    if (path === ROUTINE_ENTRY) routine = bytes;
    else assets.set(path.slice(ASSETS_PREFIX.length), bytes);
  }
  if (routine === undefined && assets.size === 0) {
    throw new ZipRefusal(`the zip holds neither ${ROUTINE_ENTRY} nor any file under ${ASSETS_PREFIX}`);
  }
  return { routine, assets };
}

/**
 * Reads an assets zip as ESA builds it, with the maintained `yauzl`: `routine/index.js`
 * (optional) and files under `assets/`, every entry read to its end with its size and CRC-32
 * verified. Directory entries are ignored. Refuses a corrupt zip, an entry elsewhere, an unsafe
 * path, a duplicate path, and a zip with neither a routine nor assets. Never throws.
 */
export async function readAssetsZip(zip: Buffer): Promise<AssetsZipResult> {
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await yauzl.fromBufferPromise(zip, {
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (error) {
    return { ok: false, reason: `the upload is not a valid zip: ${(error as Error).message}` };
  }
  try {
    return { ok: true, content: await readEntries(zipfile) };
  } catch (error) {
    if (error instanceof ZipRefusal) return { ok: false, reason: error.message };
    return { ok: false, reason: `the zip is corrupt: ${(error as Error).message}` };
  } finally {
    zipfile.close();
  }
}
