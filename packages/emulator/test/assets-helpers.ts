// Helpers of the assets tests: zips made with the maintained `yazl` (and patched where yazl refuses
// to write a bad one), and the PostObject upload of a zip as esa-cli sends it, with `form-data`.
import type { IncomingMessage } from 'node:http';
import FormData from 'form-data';
import { ZipFile } from 'yazl';

/** One zip entry: a file (stored when `compress` is false) or, with `directory`, a directory. */
export type ZipEntry =
  | { readonly name: string; readonly data: string | Buffer; readonly compress?: boolean }
  | { readonly directory: string };

/** A zip of `entries`, in order, written by yazl. */
export function makeZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const entry of entries) {
    if ('directory' in entry) {
      zip.addEmptyDirectory(entry.directory);
    } else {
      const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
      zip.addBuffer(data, entry.name, { compress: entry.compress ?? true });
    }
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** Replaces every occurrence of `from` by `to` (same byte length) in a copy of `zip`. */
export function patchBytes(zip: Buffer, from: string | Buffer, to: string | Buffer): Buffer {
  const a = typeof from === 'string' ? Buffer.from(from, 'utf8') : from;
  const b = typeof to === 'string' ? Buffer.from(to, 'utf8') : to;
  if (a.length !== b.length) throw new Error('patchBytes needs two strings of the same byte length');
  const out = Buffer.from(zip);
  let at = out.indexOf(a);
  if (at < 0) throw new Error(`patchBytes: "${a.toString()}" is not in the zip`);
  while (at >= 0) {
    b.copy(out, at);
    at = out.indexOf(a, at + b.length);
  }
  return out;
}

/** Offset of the central directory header of the entry named `name`. */
function centralHeaderOf(zip: Buffer, name: string): number {
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = zip.indexOf(signature); at >= 0; at = zip.indexOf(signature, at + 4)) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.subarray(at + 46, at + 46 + nameLength).toString('utf8') === name) return at;
  }
  throw new Error(`no central directory entry named ${name}`);
}

/** A copy of `zip` whose central directory gives entry `name` another uncompressed size. */
export function patchUncompressedSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  out.writeUInt32LE(size, centralHeaderOf(out, name) + 24);
  return out;
}

/** The `OssPostConfig` of `CreateRoutineWithAssetsCodeVersion` as the SDK models it. */
export interface AssetsPostConfig {
  readonly url?: string | undefined;
  readonly key?: string | undefined;
  readonly policy?: string | undefined;
  readonly OSSAccessKeyId?: string | undefined;
  readonly signature?: string | undefined;
  readonly XOssSecurityToken?: string | undefined;
}

/**
 * Uploads a zip as esa-cli does: the SDK's capitalised fields mapped to OSS's form names, in
 * esa-cli's order (`OSSAccessKeyId`, `Signature`, `x-oss-security-token` even when empty, `policy`,
 * `key`), then `file` (a buffer without filename). `extra` fields go before `file`.
 */
export function uploadZip(
  config: AssetsPostConfig,
  zip: Buffer,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  const form = new FormData();
  form.append('OSSAccessKeyId', config.OSSAccessKeyId ?? '');
  form.append('Signature', config.signature ?? '');
  form.append('x-oss-security-token', config.XOssSecurityToken ?? '');
  form.append('policy', config.policy ?? '');
  form.append('key', config.key ?? '');
  for (const [name, value] of Object.entries(extra)) form.append(name, value);
  form.append('file', zip);
  return new Promise((resolve, reject) => {
    form.submit(config.url ?? '', (error: Error | null, res: IncomingMessage) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        }),
      );
      res.on('error', reject);
    });
  });
}
