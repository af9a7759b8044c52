import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';

/** The body is not well-formed multipart/form-data (or has no boundary). */
export class MalformedMultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMultipartError';
  }
}

/** The client went away before the body ended; there is nobody to answer. */
export class RequestAbortedError extends Error {
  constructor() {
    super('the request was aborted before its body ended');
    this.name = 'RequestAbortedError';
  }
}

export interface FilePartInfo {
  readonly filename: string | undefined;
  /** The part's Content-Type; busboy reports a part without one as `text/plain`. */
  readonly mimeType: string;
}

/** Receives the parts in order. Every file stream must be consumed (read or resumed). */
export interface MultipartHandlers {
  field(name: string, value: string, valueTruncated: boolean): void;
  file(name: string, stream: Readable, info: FilePartInfo): void;
}

/**
 * A part is streamed as a file when it is named `file` (any case), even without a filename as
 * esa-cli sends it, or when it has a filename.
 */
export function isPartAFile(
  name: string | undefined,
  _contentType: string | undefined,
  filename: string | undefined,
): boolean {
  return name?.toLowerCase() === 'file' || filename !== undefined;
}

/**
 * Streams a multipart/form-data request body into `handlers`. Resolves once every part has been
 * handled; rejects with {@link MalformedMultipartError} or {@link RequestAbortedError}. On a parse
 * error the rest of the body is drained, so the caller can still answer.
 */
export function parseMultipart(
  req: IncomingMessage,
  contentType: string,
  handlers: MultipartHandlers,
  limits: { readonly fieldSize: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    let busboy: ReturnType<typeof Busboy>;
    try {
      busboy = Busboy({ headers: { ...req.headers, 'content-type': contentType }, isPartAFile, limits });
    } catch (error) {
      reject(new MalformedMultipartError((error as Error).message));
      return;
    }
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) {
        req.unpipe(busboy);
        req.resume();
        reject(error);
      } else {
        resolve();
      }
    };
    busboy.on('field', (name, value, _nameTruncated, valueTruncated) =>
      handlers.field(name, value, valueTruncated),
    );
    busboy.on('file', (name, stream, filename, _encoding, mimeType) => {
      // A part cut short also fails the whole parse, which is what gets reported.
      stream.on('error', () => {});
      handlers.file(name, stream, { filename, mimeType });
    });
    busboy.on('finish', () => settle());
    busboy.on('error', (error) => settle(new MalformedMultipartError((error as Error).message)));
    req.on('error', () => settle(new RequestAbortedError()));
    req.on('close', () => {
      if (!req.complete) settle(new RequestAbortedError());
    });
    req.pipe(busboy);
  });
}
