// biome-ignore-all lint/suspicious/noTemplateCurlyInString: OSS callback bodies use the ${var} syntax in plain strings.
import { createHash } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import {
  aliOssSign,
  base64Json,
  type CallbackServer,
  inOneHour,
  multipartBody,
  type Part,
  parseXmlError,
  post,
  replyJson,
  startCallbackServer,
} from './oss-helpers.js';

const CODE = 'export default { fetch() { return new Response("callback"); } };\n';
const ETAG = createHash('md5').update(CODE).digest('hex').toUpperCase();
const KEY = 'site_er_js/my routine/v1.js';

let emulator: Emulator;
let servers: CallbackServer[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ callbackTimeoutMs: 300 });
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  await emulator.close();
});

async function callbackServer(...args: Parameters<typeof startCallbackServer>): Promise<CallbackServer> {
  const server = await startCallbackServer(...args);
  servers.push(server);
  return server;
}

function uploadWithCallback(callback: object | string, extra: Part[] = []): Buffer {
  const { name, accessKeyId, accessKeySecret } = emulator.bucket;
  const callbackField = typeof callback === 'string' ? callback : base64Json(callback);
  const signed = aliOssSign({ accessKeyId, accessKeySecret }, name, {
    expiration: inOneHour(),
    conditions: [{ bucket: name }, ['starts-with', '$key', 'site_er_js/'], { callback: callbackField }],
  });
  return multipartBody([
    { name: 'key', value: KEY },
    { name: 'OSSAccessKeyId', value: signed.OSSAccessKeyId },
    { name: 'policy', value: signed.policy },
    { name: 'Signature', value: signed.Signature },
    { name: 'callback', value: callbackField },
    ...extra,
    { name: 'file', value: CODE, filename: 'index.js', contentType: 'application/javascript' },
  ]);
}

function expectStored(): void {
  const stored = emulator.state.objects.get(KEY);
  expect(stored?.sha256).toBe(createHash('sha256').update(CODE).digest('hex'));
}

async function expectCallbackFailed(body: Buffer, message: string | RegExp): Promise<void> {
  const answer = await post(emulator.ossEndpoint, body);
  expect(answer.status).toBe(203);
  expect(answer.headers.etag).toBe(`"${ETAG}"`);
  const error = parseXmlError(answer.text);
  expect(error.Code).toBe('CallbackFailed');
  if (typeof message === 'string') expect(error.Message).toBe(message);
  else expect(error.Message).toMatch(message);
  expect(error.RequestId).toBe(answer.headers['x-oss-request-id']);
  expect(emulator.state.requests.at(-1)).toMatchObject({
    service: 'oss',
    status: 203,
    code: 'CallbackFailed',
  });
  expectStored();
}

describe('PostObject callback success', () => {
  it('relays the JSON answer with 200 and sends form-encoded variables', async () => {
    const server = await callbackServer((res) => replyJson(res, { Status: 'OK', n: 1 }));
    const answer = await post(
      emulator.ossEndpoint,
      uploadWithCallback(
        {
          callbackUrl: server.url,
          callbackHost: 'callback.example.com',
          callbackBody:
            'bucket=${bucket}&object=${object}&etag=${etag}&size=${size}&mimeType=${mimeType}&routine=${x:routine}&f=$(filename)',
        },
        [{ name: 'x:routine', value: 'my-routine&co' }],
      ),
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ Status: 'OK', n: 1 });
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers.etag).toBe(`"${ETAG}"`);
    expect(answer.headers['x-oss-request-id']).toMatch(/^[0-9A-F-]{36}$/);
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/callback');
    expect(received?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received?.headers.host).toBe('callback.example.com');
    expect(received?.headers['content-length']).toBe(String(Buffer.byteLength(received?.body ?? '')));
    expect(Object.fromEntries(new URLSearchParams(received?.body))).toEqual({
      bucket: emulator.bucket.name,
      object: KEY,
      etag: ETAG,
      size: String(Buffer.byteLength(CODE)),
      mimeType: 'application/javascript',
      routine: 'my-routine&co',
      f: '$(filename)',
    });
    expectStored();
    expect(emulator.state.requests.at(-1)).toMatchObject({ service: 'oss', status: 200, code: undefined });
  });

  it('sends JSON-typed variables as JSON literals, size as a number', async () => {
    const server = await callbackServer((res) => replyJson(res, { ok: true }));
    const answer = await post(
      emulator.ossEndpoint,
      uploadWithCallback(
        {
          callbackUrl: server.url,
          callbackBody:
            '{"object":${object},"size":${size},"etag":${etag},"mime":${mimeType},"v":${x:version}}',
          callbackBodyType: 'application/json',
        },
        [{ name: 'X:Version', value: '1.2 "beta"' }],
      ),
    );
    expect(answer.status).toBe(200);
    const [received] = server.received;
    expect(received?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received?.body ?? '')).toEqual({
      object: KEY,
      size: Buffer.byteLength(CODE),
      etag: ETAG,
      mime: 'application/javascript',
      v: '1.2 "beta"',
    });
  });

  it('ignores success_action_status when a callback answers', async () => {
    const server = await callbackServer((res) => replyJson(res, { ok: 1 }));
    const answer = await post(
      emulator.ossEndpoint,
      uploadWithCallback({ callbackUrl: server.url, callbackBody: 'a=b' }, [
        { name: 'success_action_status', value: '201' },
      ]),
    );
    expect([answer.status, answer.text]).toEqual([200, '{"ok":1}']);
  });

  it('tries the URLs in order until one succeeds', async () => {
    const failing = await callbackServer((res) => replyJson(res, { no: true }, 500));
    const working = await callbackServer((res) => replyJson(res, { yes: true }));
    const answer = await post(
      emulator.ossEndpoint,
      uploadWithCallback({ callbackUrl: `${failing.url};${working.url}`, callbackBody: 'a=b' }),
    );
    expect([answer.status, answer.text]).toEqual([200, '{"yes":true}']);
    expect([failing.received.length, working.received.length]).toEqual([1, 1]);
  });
});

describe('PostObject callback failures (203, object stored)', () => {
  it('the server answers 500', async () => {
    const server = await callbackServer((res) => replyJson(res, { error: 'boom' }, 500));
    await expectCallbackFailed(
      uploadWithCallback({ callbackUrl: server.url, callbackBody: 'a=b' }),
      'Error status : 500.',
    );
  });

  it('the server answers something that is not JSON', async () => {
    const server = await callbackServer((res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
    await expectCallbackFailed(
      uploadWithCallback({ callbackUrl: server.url, callbackBody: 'a=b' }),
      'Response body is not valid json format.',
    );
  });

  it('the server answers without Content-Length', async () => {
    const server = await callbackServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
      res.end('true}');
    });
    await expectCallbackFailed(
      uploadWithCallback({ callbackUrl: server.url, callbackBody: 'a=b' }),
      'User server missing content-length.',
    );
  });

  it('the server is slower than callbackTimeoutMs', async () => {
    const server = await callbackServer((res) => {
      setTimeout(() => replyJson(res, { late: true }), 1500);
    });
    const started = Date.now();
    await expectCallbackFailed(
      uploadWithCallback({ callbackUrl: server.url, callbackBody: 'a=b' }),
      /reply timeout, cost: \d+ MS$/,
    );
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('nothing listens at the callback URL', async () => {
    const server = await callbackServer((res) => replyJson(res, {}));
    const url = server.url;
    await server.close();
    await expectCallbackFailed(
      uploadWithCallback({ callbackUrl: url, callbackBody: 'a=b' }),
      'Error status : -1. OSS can not connect to your callbackUrl, please check it.',
    );
  });

  it('a non-loopback callback URL is never contacted', async () => {
    const attempted: string[] = [];
    const onRequest = (message: unknown) => {
      const { request } = message as { request: ClientRequest };
      attempted.push(request.host);
    };
    subscribe('http.client.request.start', onRequest);
    try {
      const slow = await startEmulator({ callbackTimeoutMs: 5000 });
      try {
        const { name, accessKeyId, accessKeySecret } = slow.bucket;
        const signed = aliOssSign({ accessKeyId, accessKeySecret }, name, {
          expiration: inOneHour(),
          conditions: [{ bucket: name }],
        });
        const body = multipartBody([
          { name: 'key', value: KEY },
          { name: 'OSSAccessKeyId', value: signed.OSSAccessKeyId },
          { name: 'policy', value: signed.policy },
          { name: 'Signature', value: signed.Signature },
          {
            name: 'callback',
            value: base64Json({
              callbackUrl: 'http://10.0.0.1/;https://example.com/cb',
              callbackBody: 'a=b',
            }),
          },
          { name: 'file', value: CODE },
        ]);
        const started = Date.now();
        const answer = await post(slow.ossEndpoint, body);
        expect(Date.now() - started).toBeLessThan(1000);
        expect(answer.status).toBe(203);
        expect(parseXmlError(answer.text).Message).toBe(
          'Error status : -1. OSS can not connect to your callbackUrl, please check it.',
        );
        expect(slow.state.objects.has(KEY)).toBe(true);
      } finally {
        await slow.close();
      }
    } finally {
      unsubscribe('http.client.request.start', onRequest);
    }
    expect(attempted).toEqual([]);
  });

  it('the callback body needs image info', async () => {
    const server = await callbackServer((res) => replyJson(res, {}));
    await expectCallbackFailed(
      uploadWithCallback({ callbackUrl: server.url, callbackBody: 'w=${imageInfo.width}' }),
      'Get image info failed.',
    );
    expect(server.received).toEqual([]);
  });
});

describe('PostObject callback configuration errors (400, nothing stored)', () => {
  it.each([
    ['not base64 JSON', 'bm90IGpzb24='],
    ['no callbackBody', { callbackUrl: 'http://127.0.0.1:1/' }],
    ['an unknown variable', { callbackUrl: 'http://127.0.0.1:1/', callbackBody: 'a=${foo}' }],
    ['a field over 5 KB', { callbackUrl: 'http://127.0.0.1:1/', callbackBody: `a=${'b'.repeat(5000)}` }],
  ])('InvalidArgument for %s', async (_label, callback) => {
    const answer = await post(emulator.ossEndpoint, uploadWithCallback(callback));
    expect(answer.status).toBe(400);
    expect(parseXmlError(answer.text).Code).toBe('InvalidArgument');
    expect(emulator.state.objects.size).toBe(0);
  });

  it('says the configuration is not json format', async () => {
    const answer = await post(emulator.ossEndpoint, uploadWithCallback('bm90IGpzb24='));
    const error = parseXmlError(answer.text);
    expect(error.Message).toBe('The callback configuration is not json format.');
    expect(error.ArgumentName).toBe('callback');
  });
});
