import type { ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { escapeXml } from '../http.js';
import { type OssError, ossErrorXml } from './errors.js';

/** The `HostId` of every OSS answer: the emulated bucket's virtual host. */
export function ossHostId(ctx: EmulatorContext): string {
  return `${ctx.bucket.name}.oss-emulator.127.0.0.1`;
}

function commonHeaders(requestId: string): Record<string, string> {
  return { server: 'AliyunOSS', 'x-oss-request-id': requestId, date: new Date().toUTCString() };
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  res.end(bytes);
}

/** Answers an OSS error as XML. `etag` is set for 203 CallbackFailed, whose object was stored. */
export function sendOssError(
  ctx: EmulatorContext,
  res: ServerResponse,
  requestId: string,
  error: OssError,
  etag?: string,
): void {
  const headers: Record<string, string> = { ...commonHeaders(requestId), 'content-type': 'application/xml' };
  if (etag !== undefined) headers.etag = `"${etag}"`;
  send(res, error.status, headers, ossErrorXml(error, requestId, ossHostId(ctx)));
}

/** Answers a stored upload without a callback: `success_action_status` 200/204 empty, 201 XML. */
export function sendPostSuccess(
  ctx: EmulatorContext,
  res: ServerResponse,
  requestId: string,
  upload: { readonly key: string; readonly etag: string; readonly status: 200 | 201 | 204 },
): void {
  const headers = { ...commonHeaders(requestId), etag: `"${upload.etag}"` };
  if (upload.status !== 201) {
    res.writeHead(upload.status, upload.status === 200 ? { ...headers, 'content-length': '0' } : headers);
    res.end();
    return;
  }
  const location = `${ctx.endpoints.oss}/${upload.key.split('/').map(encodeURIComponent).join('/')}`;
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
    `<Bucket>${escapeXml(ctx.bucket.name)}</Bucket>` +
    `<Location>${escapeXml(location)}</Location>` +
    `<Key>${escapeXml(upload.key)}</Key>` +
    `<ETag>${escapeXml(`"${upload.etag}"`)}</ETag>` +
    '</PostResponse>';
  send(res, 201, { ...headers, 'content-type': 'application/xml' }, xml);
}

/** Answers a successful callback: 200 with the callback server's JSON body. */
export function sendCallbackSuccess(
  res: ServerResponse,
  requestId: string,
  etag: string,
  body: Buffer,
): void {
  send(
    res,
    200,
    { ...commonHeaders(requestId), etag: `"${etag}"`, 'content-type': 'application/json' },
    body,
  );
}
