import { Readable } from 'node:stream';
import busboy from '@fastify/busboy';
import { describe, expect, it } from 'vitest';
import { frameMultipart, newBoundary } from '../src/oss/multipart.js';
import { readPostConfig } from '../src/oss/post-config.js';

interface Parsed {
  fields: Array<[string, string]>;
  file: { name: string; filename: string | undefined; mimeType: string; bytes: Buffer } | undefined;
}

/** Parses a body with @fastify/busboy, an independent multipart implementation. */
function parse(contentType: string, body: Buffer): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const parsed: Parsed = { fields: [], file: undefined };
    const bb = busboy({ headers: { 'content-type': contentType } });
    bb.on('field', (name: string, value: string) => parsed.fields.push([name, value]));
    bb.on(
      'file',
      (name: string, stream: Readable, filename: string | undefined, _enc: string, mimeType: string) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          parsed.file = { name, filename, mimeType, bytes: Buffer.concat(chunks) };
        });
      },
    );
    bb.on('finish', () => resolve(parsed));
    bb.on('error', reject);
    Readable.from([body]).pipe(bb);
  });
}

describe('frameMultipart', () => {
  const fields = [
    { name: 'OSSAccessKeyId', value: 'LTAIxxx' },
    { name: 'policy', value: 'eyJleHBpcmF0aW9uIjoi' },
    { name: 'Signature', value: 'abc+/=' },
    { name: 'key', value: 'site_er_js/r.1.unstable.js' },
    { name: 'callback', value: 'eyJjYWxsYmFja1VybCI6' },
    { name: 'x:codeDescription', value: 'bXVsdGkKbGluZSDkuK3mlofigJQ=' },
    { name: 'x:raw', value: 'line1\nline2 ä' },
  ];
  const file = Buffer.from('export default { async fetch() { return new Response("\\r\\n--x"); } };\n');

  it('frames fields in order and the file last, parsed back exactly by busboy', async () => {
    const frame = frameMultipart(fields, 'index.js', file.length, newBoundary());
    const body = Buffer.concat([frame.head, file, frame.tail]);
    expect(body.length).toBe(frame.contentLength);
    const parsed = await parse(frame.contentType, body);
    expect(parsed.fields).toEqual(fields.map((f) => [f.name, f.value]));
    expect(parsed.file?.name).toBe('file');
    expect(parsed.file?.filename).toBe('index.js');
    expect(parsed.file?.mimeType).toBe('application/javascript');
    expect(parsed.file?.bytes.equals(file)).toBe(true);
  });

  it('sends values byte for byte (no CRLF rewriting)', () => {
    const frame = frameMultipart([{ name: 'x:raw', value: 'a\nb' }], 'a.js', 0, 'B');
    expect(frame.head.toString()).toContain('\r\n\r\na\nb\r\n');
  });

  it('refuses a boundary that occurs in a value', () => {
    expect(() => frameMultipart([{ name: 'k', value: 'xxBOUNDARYxx' }], 'a.js', 1, 'BOUNDARY')).toThrow(
      /boundary/,
    );
  });

  it('makes long random boundaries', () => {
    const a = newBoundary();
    expect(a.length).toBeGreaterThanOrEqual(27);
    expect(a).not.toBe(newBoundary());
  });
});

describe('readPostConfig', () => {
  it('keeps the order, drops Url and maps key spellings to OSS fields', () => {
    const target = readPostConfig({
      Url: 'https://bucket.oss-cn-hangzhou.aliyuncs.com',
      OSSAccessKeyId: 'ak',
      Key: 'routine/index.zip',
      Policy: 'p',
      Signature: 's',
      XOssSecurityToken: 'tok',
      callback: 'cb',
      'x:codeDescription': 'ZA==',
    });
    expect(target.url).toBe('https://bucket.oss-cn-hangzhou.aliyuncs.com');
    expect(target.objectKey).toBe('routine/index.zip');
    expect(target.fields.map((f) => f.name)).toEqual([
      'OSSAccessKeyId',
      'key',
      'policy',
      'Signature',
      'x-oss-security-token',
      'callback',
      'x:codeDescription',
    ]);
  });

  it('leaves out empty values such as an absent security token', () => {
    const target = readPostConfig({
      Url: 'http://127.0.0.1:1',
      key: 'k',
      policy: 'p',
      OSSAccessKeyId: 'a',
      Signature: 's',
      XOssSecurityToken: '',
    });
    expect(target.fields.map((f) => f.name)).toEqual(['key', 'policy', 'OSSAccessKeyId', 'Signature']);
  });

  it('names what is missing or wrong', () => {
    expect(() => readPostConfig(undefined)).toThrow(/OssPostConfig is missing/);
    expect(() => readPostConfig({ key: 'k' })).toThrow(/Url is missing/);
    expect(() => readPostConfig({ Url: 'x', key: 'k' })).toThrow(/not a URL/);
    expect(() => readPostConfig({ Url: 'https://a', key: 'k', policy: 'p', Signature: 's' })).toThrow(
      /OSSAccessKeyId is missing/,
    );
    const full = { key: 'k', policy: 'p', OSSAccessKeyId: 'a', Signature: 's' };
    expect(() => readPostConfig({ Url: 'ftp://oss.example.com/', ...full })).toThrow(
      /must be https .*ftp: URL/,
    );
    expect(() => readPostConfig({ Url: 'http://oss.example.com/', ...full })).toThrow(
      /http: URL to oss\.example\.com/,
    );
    expect(readPostConfig({ Url: 'http://127.0.0.1:9/', ...full }).url).toBe('http://127.0.0.1:9/');
    expect(() => readPostConfig({ Url: 'http://a', key: 1 })).toThrow(/key is not a string/);
  });
});
