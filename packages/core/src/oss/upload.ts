import { createHash, type Hash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { OssError } from '../errors.js';
import { retryAfterOf } from '../esa/retry.js';
import { requestSignal, toNetworkError, withDeadline } from '../http/abort.js';
import { openDispatcher } from '../http/dispatcher.js';
import type { ProxySettings } from '../http/proxy-settings.js';
import { isRetryableNetworkError, withRetries } from '../http/retry-loop.js';
import type { Logger } from '../log/logger.js';
import type { ChunkSource } from '../options/types.js';
import type { ProgressFactory } from '../progress/upload-progress.js';
import { USER_AGENT } from '../version.js';
import { CHUNK_SIZE, readFileChunks, writesFlushed } from './file-chunks.js';
import { frameMultipart, type MultipartFrame, newBoundary } from './multipart.js';
import type { PostTarget } from './post-config.js';
import { parseOssXmlError } from './xml-error.js';

/** The file to upload: its name in the form, where its bytes are, and its size (from stat or length). */
export interface UploadFile {
  readonly fileName: string;
  readonly source: ChunkSource;
  readonly size: number;
}

export interface UploadOptions {
  /** The proxy variables in force (an upload goes through the same proxy as every call). */
  readonly proxy: ProxySettings;
  readonly timeout: number;
  readonly retries: number;
  readonly signal?: AbortSignal | undefined;
  readonly logger: Logger;
  /** @default Math.random */
  readonly random?: () => number;
  /** Shows the upload's progress (a terminal, outside CI). @default undefined (none) */
  readonly progress?: ProgressFactory | undefined;
}

export interface UploadResult {
  readonly status: number;
  readonly requestId: string | undefined;
  /** The callback server's answer that OSS relayed (a 200 upload), if any. */
  readonly callbackBody: string | undefined;
  /** Hex sha256 of the bytes actually sent. */
  readonly sha256: string;
}

/**
 * The body as a stream: head, the file (hashed and counted as it goes), tail. Nothing is buffered
 * whole; a file on disk goes through a fixed ring of buffers (see {@link readFileChunks}).
 */
async function* streamBody(
  frame: MultipartFrame,
  file: UploadFile,
  hash: Hash,
  flushed: () => Promise<void>,
  onSent: ((sent: number) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  yield frame.head;
  let sent = 0;
  if ('bytes' in file.source) {
    const { bytes } = file.source;
    hash.update(bytes);
    // In slices that wait for the socket like the file ring does, so progress follows the wire.
    for (let at = 0, n = 0; at < bytes.length; at += CHUNK_SIZE, n++) {
      if (n >= 4) await flushed();
      const slice = bytes.subarray(at, at + CHUNK_SIZE);
      sent += slice.length;
      yield slice;
      onSent?.(sent);
    }
  } else {
    for await (const chunk of readFileChunks(file.source.path, hash, flushed)) {
      sent += chunk.length;
      // Never send more than the Content-Length announced: the file grew since it was measured.
      if (sent > file.size) break;
      yield chunk;
      onSent?.(sent);
    }
  }
  if (sent !== file.size) {
    throw new Error(
      `${file.fileName} changed while it was uploaded (${file.size} bytes expected, ${sent} read)`,
    );
  }
  yield frame.tail;
}

/** What to do about the OSS errors an upload can meet. */
export function ossHint(code: string, message: string): string {
  if (code === 'AccessDenied' && /expired/i.test(message)) {
    return "the upload policy expired before the upload: check this machine's clock, or publish again";
  }
  if (code === 'SignatureDoesNotMatch' || code === 'InvalidAccessKeyId' || code === 'AccessDenied') {
    return 'OSS refused the upload credentials ESA issued: publish again, and report it if it persists';
  }
  if (code === 'EntityTooLarge')
    return 'the file is larger than ESA accepts for a routine: shrink the bundle (minify, drop dependencies)';
  if (code === 'CallbackFailed')
    return 'OSS stored the file but could not register it with ESA: publish again';
  if (code.startsWith('Throttling') || code === 'SlowDown')
    return 'OSS is throttling uploads (retried already): wait and publish again';
  if (/^HTTP\d{3}$/.test(code))
    return `OSS answered HTTP ${code.slice(4)} without an error body: check for a proxy in between, then publish again`;
  return 'OSS refused the upload: the message says why; publish again, and report the request id if it persists';
}

function isRetryable(error: unknown): boolean {
  if (isRetryableNetworkError(error)) return true;
  if (error instanceof OssError) {
    return (
      error.status >= 500 ||
      error.status === 203 ||
      error.code === 'RequestTimeout' ||
      error.code.startsWith('Throttling') ||
      error.code === 'SlowDown'
    );
  }
  return false;
}

async function uploadOnce(
  target: PostTarget,
  file: UploadFile,
  options: UploadOptions,
): Promise<UploadResult> {
  const frame = frameMultipart(target.fields, file.fileName, file.size, newBoundary());
  const hash = createHash('sha256');
  // A connection of its own, whose socket (the tunnel's, through a proxy) the body generator can
  // see to know when a ring buffer has been flushed and may be refilled.
  let socket: Socket | undefined;
  const url = new URL(target.url);
  const client = await openDispatcher({
    proxy: options.proxy,
    onSocket: (connected) => {
      socket = connected;
    },
  });
  let response: Dispatcher.ResponseData;
  let text: string;
  let failed = false;
  const ticker = options.progress?.(file.fileName, file.size);
  try {
    const sent = client.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: {
        'content-type': frame.contentType,
        'content-length': String(frame.contentLength),
        'user-agent': USER_AGENT,
      },
      // undici streams an async iterable as it is pulled (its types omit it): no extra buffering layer.
      body: streamBody(frame, file, hash, () => writesFlushed(socket), ticker?.tick) as unknown as Readable,
      signal: requestSignal(options.signal, options.timeout),
    });
    ({ response, text } = await withDeadline(
      sent.then(async (r) => ({ response: r, text: await r.body.text() })),
      options.timeout,
    ));
  } catch (error) {
    failed = true;
    ticker?.stop();
    if (error instanceof Error && error.message.includes('changed while it was uploaded')) {
      throw new OssError(error.message, {
        code: 'FileChanged',
        status: 0,
        hint: 'do not modify the output while it is published',
      });
    }
    throw toNetworkError(error, 'the OSS upload', options.signal, options.timeout);
  } finally {
    // A request that failed may still hold the socket: destroy rather than wait for it.
    await (failed ? client.destroy() : client.close()).catch(() => undefined);
  }
  const header = response.headers['x-oss-request-id'];
  const headerId = typeof header === 'string' ? header : undefined;
  const status = response.statusCode;
  if (status === 200 || status === 201 || status === 204) {
    ticker?.done();
    return {
      status,
      requestId: headerId,
      callbackBody: status === 200 && text ? text : undefined,
      sha256: hash.digest('hex'),
    };
  }
  ticker?.stop();
  const xml = parseOssXmlError(text);
  const code = xml.code ?? `HTTP${status}`;
  const message =
    xml.message ?? (status === 203 ? 'the upload callback failed' : `OSS answered HTTP ${status}`);
  throw new OssError(`OSS upload ${status === 203 ? 'callback failed' : 'failed'}: ${message}`, {
    code,
    status,
    requestId: xml.requestId ?? headerId,
    hostId: xml.hostId,
    retryAfterMs: retryAfterOf(response.headers, Date.now()),
    hint: ossHint(code, message),
  });
}

/**
 * Uploads a file to OSS as a PostObject form: the fields ESA gave, then the file streamed from disk
 * (or memory) with an exact Content-Length. 200 (with ESA's callback answer), 201 and 204 succeed;
 * 203 CallbackFailed, 5xx and network errors are retried with a fresh stream; other answers throw
 * an {@link OssError} carrying OSS's code and request id.
 */
export async function uploadToOss(
  target: PostTarget,
  file: UploadFile,
  options: UploadOptions,
): Promise<UploadResult> {
  return withRetries(() => uploadOnce(target, file, options), {
    what: 'OSS upload',
    retries: options.retries,
    isRetryable,
    logger: options.logger,
    signal: options.signal,
    timeout: options.timeout,
    random: options.random,
  });
}
