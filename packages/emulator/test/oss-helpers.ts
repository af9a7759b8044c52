import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';

/** What ali-oss's `calculatePostSignature` returns. */
export interface PostSignature {
  readonly OSSAccessKeyId: string;
  readonly Signature: string;
  readonly policy: string;
}

interface AliOssClient {
  calculatePostSignature(policy: object | string): PostSignature;
}
type AliOssConstructor = new (options: {
  accessKeyId: string;
  accessKeySecret: string;
  region: string;
  bucket: string;
}) => AliOssClient;

const require = createRequire(import.meta.url);
const AliOss = require('ali-oss') as unknown as AliOssConstructor;

/** Signs a policy with ali-oss (the oracle; no network). */
export function aliOssSign(
  credentials: { readonly accessKeyId: string; readonly accessKeySecret: string },
  bucket: string,
  policy: object,
): PostSignature {
  const client = new AliOss({ ...credentials, region: 'oss-cn-hangzhou', bucket });
  return client.calculatePostSignature(policy);
}

export function inOneHour(now = Date.now()): string {
  return new Date(now + 3600_000).toISOString();
}

/** One multipart part: a field, or a file with optional filename and Content-Type. */
export interface Part {
  readonly name: string;
  readonly value: string | Buffer;
  readonly filename?: string;
  readonly contentType?: string;
}

export const BOUNDARY = '----esaStageOssTestBoundary7MA4YWxkTrZu0gW';

/** A hand-written multipart/form-data body: exact bytes, parts in the given order. */
export function multipartBody(parts: readonly Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** POSTs a body with undici.request; `chunked` leaves out Content-Length. */
export async function post(
  url: string,
  body: Buffer,
  options: { contentType?: string; chunked?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? `multipart/form-data; boundary=${BOUNDARY}`,
  };
  let payload: Buffer | Readable;
  if (options.chunked) {
    const half = Math.floor(body.length / 2);
    payload = Readable.from([body.subarray(0, half), body.subarray(half)]);
  } else {
    payload = body;
    headers['content-length'] = String(body.length);
  }
  const res = await request(url, { method: 'POST', headers, body: payload });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** The elements of an OSS XML error body. */
export function parseXmlError(text: string): Record<string, string> {
  expectXmlError(text);
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/<([A-Za-z]+)>([^<]*)<\/\1>/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) out[name] = unescapeXml(value);
  }
  return out;
}

function expectXmlError(text: string): void {
  if (!text.startsWith('<?xml version="1.0" encoding="UTF-8"?>') || !text.includes('<Error>')) {
    throw new Error(`not an OSS XML error: ${text.slice(0, 200)}`);
  }
}

function unescapeXml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A request a test callback server received. */
export interface ReceivedCallback {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A loopback HTTP server standing in for a user's callback server. */
export interface CallbackServer {
  readonly url: string;
  readonly received: ReceivedCallback[];
  close(): Promise<void>;
}

export async function startCallbackServer(
  reply: (res: ServerResponse, received: ReceivedCallback) => void,
): Promise<CallbackServer> {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      reply(res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers a JSON body with a Content-Length, as OSS requires of a callback server. */
export function replyJson(res: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function base64Json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}
