import { randomBytes } from 'node:crypto';
import type { FormField } from './post-config.js';

/** The bytes around the file in a multipart/form-data body, and its exact length. */
export interface MultipartFrame {
  readonly boundary: string;
  readonly contentType: string;
  /** Every field part, then the file part's headers. */
  readonly head: Buffer;
  /** CRLF after the file and the closing boundary. */
  readonly tail: Buffer;
  /** head + file + tail, for an exact Content-Length. */
  readonly contentLength: number;
}

/** Field names are quoted; a quote or line break in one is percent-encoded, as browsers do. */
function quoteName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function newBoundary(): string {
  return `esa-stage-${randomBytes(18).toString('hex')}`;
}

/**
 * Frames a PostObject body: the fields in order, then `file` last with a filename and
 * `application/javascript`. Values are sent byte for byte (no newline rewriting). Pure given the
 * boundary, which must not occur in any value.
 */
export function frameMultipart(
  fields: readonly FormField[],
  fileName: string,
  fileSize: number,
  boundary: string,
): MultipartFrame {
  if (fields.some((f) => f.value.includes(boundary) || f.name.includes(boundary))) {
    throw new Error('multipart boundary occurs in a field; choose another');
  }
  const parts = fields.map(
    (f) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoteName(f.name)}"\r\n\r\n${f.value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoteName(fileName)}"\r\nContent-Type: application/javascript\r\n\r\n`,
  );
  const head = Buffer.from(parts.join(''), 'utf8');
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return {
    boundary,
    contentType: `multipart/form-data; boundary=${boundary}`,
    head,
    tail,
    contentLength: head.length + fileSize + tail.length,
  };
}
