import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import FormData from 'form-data';
import { request, FormData as UndiciFormData } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { signPolicyV1 } from '../src/oss/signature-v1.js';
import {
  aliOssSign,
  BOUNDARY,
  inOneHour,
  multipartBody,
  type Part,
  parseXmlError,
  post,
} from './oss-helpers.js';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  await emulator.close();
});

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function md5Upper(bytes: Buffer | string): string {
  return createHash('md5').update(bytes).digest('hex').toUpperCase();
}

/** The three V1 auth fields for a policy, signed by ali-oss with the bucket's key. */
function authParts(
  conditions: unknown[],
  options: { expiration?: string; secret?: string; accessKeyId?: string } = {},
): Part[] {
  const { name, accessKeyId, accessKeySecret } = emulator.bucket;
  const signed = aliOssSign(
    { accessKeyId: options.accessKeyId ?? accessKeyId, accessKeySecret: options.secret ?? accessKeySecret },
    name,
    { expiration: options.expiration ?? inOneHour(), conditions },
  );
  return [
    { name: 'OSSAccessKeyId', value: signed.OSSAccessKeyId },
    { name: 'policy', value: signed.policy },
    { name: 'Signature', value: signed.Signature },
  ];
}

const CODE = 'export default { fetch() { return new Response("hi"); } };\n';

function defaultConditions(): unknown[] {
  return [
    { bucket: emulator.bucket.name },
    ['starts-with', '$key', 'site_er_js/'],
    ['content-length-range', 1, 1024 * 1024],
  ];
}

function uploadParts(extra: { conditions?: unknown[]; fields?: Part[]; key?: string } = {}): Part[] {
  return [
    { name: 'key', value: extra.key ?? 'site_er_js/routine/1.js' },
    ...authParts(extra.conditions ?? defaultConditions()),
    ...(extra.fields ?? []),
    { name: 'file', value: CODE, filename: 'index.js', contentType: 'application/javascript' },
  ];
}

async function expectError(
  answer: { status: number; text: string; headers: Record<string, unknown> },
  status: number,
  code: string,
): Promise<Record<string, string>> {
  expect({ status: answer.status, text: answer.text }).toMatchObject({ status });
  const error = parseXmlError(answer.text);
  expect(error.Code).toBe(code);
  expect(error.RequestId).toBe(answer.headers['x-oss-request-id']);
  expect(error.HostId).toBe(`${emulator.bucket.name}.oss-emulator.127.0.0.1`);
  expect(answer.headers.server).toBe('AliyunOSS');
  expect(answer.headers['content-type']).toBe('application/xml');
  const last = emulator.state.requests.at(-1);
  expect(last).toMatchObject({ service: 'oss', action: 'PostObject', status, code });
  return error;
}

describe('PostObject success', () => {
  it('stores the exact bytes of a hand-written upload and answers 204 by default', async () => {
    const answer = await post(emulator.ossEndpoint, multipartBody(uploadParts()));
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(answer.headers.etag).toBe(`"${md5Upper(CODE)}"`);
    expect(answer.headers.server).toBe('AliyunOSS');
    expect(answer.headers['x-oss-request-id']).toMatch(/^[0-9A-F-]{36}$/);
    const stored = emulator.state.objects.get('site_er_js/routine/1.js');
    expect(stored).toMatchObject({
      key: 'site_er_js/routine/1.js',
      size: Buffer.byteLength(CODE),
      sha256: sha256(CODE),
      etag: md5Upper(CODE),
      contentType: 'application/javascript',
      fieldNames: ['key', 'OSSAccessKeyId', 'policy', 'Signature'],
    });
    expect(stored?.bytes.equals(Buffer.from(CODE))).toBe(true);
    expect(emulator.state.requests).toEqual([
      {
        service: 'oss',
        action: 'PostObject',
        status: 204,
        code: undefined,
        requestId: answer.headers['x-oss-request-id'],
        at: expect.any(Date),
      },
    ]);
  });

  it('keeps binary bytes exactly, CRLFs and boundary-like text included', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]),
      Buffer.from('\r\n--not-the-boundary\r\n'),
      Buffer.alloc(200_000, 7),
    ]);
    const parts = uploadParts().slice(0, -1);
    parts.push({ name: 'file', value: bytes, filename: 'blob.bin', contentType: 'application/octet-stream' });
    const answer = await post(emulator.ossEndpoint, multipartBody(parts));
    expect(answer.status).toBe(204);
    const stored = emulator.state.objects.get('site_er_js/routine/1.js');
    expect(stored?.sha256).toBe(sha256(bytes));
    expect(stored?.size).toBe(bytes.length);
  });

  it('accepts the esa-cli shape: form-data with a `file` part that has no filename', async () => {
    const auth = authParts(defaultConditions());
    const shaped = new FormData();
    shaped.append('key', 'site_er_js/cli.js');
    for (const part of auth) shaped.append(part.name, part.value);
    shaped.append('file', CODE);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      shaped.submit(emulator.ossEndpoint, (error: Error | null, res: IncomingMessage) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
    });
    expect(answer).toEqual({ status: 204, body: '' });
    const stored = emulator.state.objects.get('site_er_js/cli.js');
    expect(stored?.sha256).toBe(sha256(CODE));
    expect(stored?.contentType).toBe('application/octet-stream');
  });

  it('accepts an undici FormData body with a File', async () => {
    const form = new UndiciFormData();
    form.append('key', 'site_er_js/undici.js');
    for (const part of authParts(defaultConditions())) form.append(part.name, String(part.value));
    form.append('success_action_status', '200');
    form.append('file', new File([CODE], 'index.js', { type: 'application/javascript' }));
    const res = await request(emulator.ossEndpoint, { method: 'POST', body: form });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('');
    expect(emulator.state.objects.get('site_er_js/undici.js')?.sha256).toBe(sha256(CODE));
  });

  it('honours success_action_status 200, 201 (PostResponse XML) and falls back to 204', async () => {
    const status = async (value: string) =>
      post(
        emulator.ossEndpoint,
        multipartBody(uploadParts({ fields: [{ name: 'success_action_status', value }] })),
      );
    const ok = await status('200');
    expect([ok.status, ok.text]).toEqual([200, '']);
    const created = await status('201');
    expect(created.status).toBe(201);
    const etag = md5Upper(CODE);
    expect(created.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
        `<Bucket>${emulator.bucket.name}</Bucket>` +
        `<Location>${emulator.ossEndpoint}/site_er_js/routine/1.js</Location>` +
        '<Key>site_er_js/routine/1.js</Key>' +
        `<ETag>&#34;${etag}&#34;</ETag></PostResponse>`,
    );
    expect((await status('204')).status).toBe(204);
    expect((await status('302')).status).toBe(204);
  });

  it('enforces the policy eq condition on success_action_status', async () => {
    const conditions = [...defaultConditions(), ['eq', '$success_action_status', '200']];
    const good = await post(
      emulator.ossEndpoint,
      multipartBody(uploadParts({ conditions, fields: [{ name: 'success_action_status', value: '200' }] })),
    );
    expect(good.status).toBe(200);
    const bad = await post(emulator.ossEndpoint, multipartBody(uploadParts({ conditions })));
    const error = await expectError(bad, 403, 'AccessDenied');
    expect(error.Message).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$success_action_status", "200"]',
    );
  });

  it('matches form field names case-insensitively', async () => {
    const parts = uploadParts().map((p) => (p.name === 'file' ? p : { ...p, name: p.name.toUpperCase() }));
    const answer = await post(emulator.ossEndpoint, multipartBody(parts));
    expect(answer.status).toBe(204);
  });

  it('ignores fields after the file, but still reads the whole body', async () => {
    const parts = [
      ...uploadParts(),
      { name: 'success_action_status', value: '201' },
      { name: 'key', value: 'elsewhere/other.js' },
      { name: 'extra', value: 'x', filename: 'second.txt' },
    ];
    const answer = await post(emulator.ossEndpoint, multipartBody(parts));
    expect(answer.status).toBe(204);
    expect([...emulator.state.objects.keys()]).toEqual(['site_er_js/routine/1.js']);
  });

  it('does not require every field to be covered by the policy', async () => {
    const answer = await post(
      emulator.ossEndpoint,
      multipartBody(uploadParts({ fields: [{ name: 'x-oss-meta-author', value: 'me' }] })),
    );
    expect(answer.status).toBe(204);
  });

  it('accepts a chunked upload without Content-Length', async () => {
    const answer = await post(emulator.ossEndpoint, multipartBody(uploadParts()), { chunked: true });
    expect(answer.status).toBe(204);
    expect(emulator.state.objects.get('site_er_js/routine/1.js')?.sha256).toBe(sha256(CODE));
  });

  it('refuses a chunked upload with requireContentLength', async () => {
    const strict = await startEmulator({ requireContentLength: true });
    try {
      const { accessKeyId, accessKeySecret, name } = strict.bucket;
      const signed = aliOssSign({ accessKeyId, accessKeySecret }, name, {
        expiration: inOneHour(),
        conditions: [{ bucket: name }],
      });
      const body = multipartBody([
        { name: 'key', value: 'k.js' },
        { name: 'OSSAccessKeyId', value: signed.OSSAccessKeyId },
        { name: 'policy', value: signed.policy },
        { name: 'Signature', value: signed.Signature },
        { name: 'file', value: CODE },
      ]);
      const chunked = await post(strict.ossEndpoint, body, { chunked: true });
      expect(chunked.status).toBe(411);
      expect(parseXmlError(chunked.text).Code).toBe('MissingContentLength');
      expect(strict.state.objects.size).toBe(0);
      expect((await post(strict.ossEndpoint, body)).status).toBe(204);
    } finally {
      await strict.close();
    }
  });

  it('stores an empty file when the policy allows it', async () => {
    const parts = uploadParts({ conditions: [{ bucket: emulator.bucket.name }] }).slice(0, -1);
    parts.push({ name: 'file', value: '' });
    const answer = await post(emulator.ossEndpoint, multipartBody(parts));
    expect(answer.status).toBe(204);
    expect(answer.headers.etag).toBe('"D41D8CD98F00B204E9800998ECF8427E"');
  });
});

describe('PostObject errors', () => {
  it('SignatureDoesNotMatch for a policy signed with the wrong secret, echoing the policy only', async () => {
    const parts = [
      { name: 'key', value: 'site_er_js/a.js' },
      ...authParts(defaultConditions(), { secret: 'wrong-secret' }),
      { name: 'file', value: CODE },
    ];
    const answer = await post(emulator.ossEndpoint, multipartBody(parts));
    const error = await expectError(answer, 403, 'SignatureDoesNotMatch');
    expect(error.StringToSign).toBe(parts[2]?.value);
    expect(answer.text).not.toContain(emulator.bucket.accessKeySecret);
    expect(answer.text).not.toContain(String(parts[3]?.value));
    expect(emulator.state.objects.size).toBe(0);
  });

  it('SignatureDoesNotMatch when the policy was changed after signing', async () => {
    const parts = uploadParts();
    const tampered = Buffer.from(
      JSON.stringify({ expiration: inOneHour(), conditions: [{ bucket: emulator.bucket.name }] }),
    ).toString('base64');
    const answer = await post(
      emulator.ossEndpoint,
      multipartBody(parts.map((p) => (p.name === 'policy' ? { ...p, value: tampered } : p))),
    );
    await expectError(answer, 403, 'SignatureDoesNotMatch');
  });

  it('InvalidAccessKeyId for an unknown AccessKey ID', async () => {
    const parts = [
      { name: 'key', value: 'site_er_js/a.js' },
      ...authParts(defaultConditions(), { accessKeyId: 'LTAIunknown' }),
      { name: 'file', value: CODE },
    ];
    const error = await expectError(
      await post(emulator.ossEndpoint, multipartBody(parts)),
      403,
      'InvalidAccessKeyId',
    );
    expect(error.Message).toBe('The OSS Access Key Id you provided does not exist in our records.');
  });

  it('AccessDenied for an expired policy', async () => {
    const parts = [
      { name: 'key', value: 'site_er_js/a.js' },
      ...authParts(defaultConditions(), { expiration: new Date(Date.now() - 1000).toISOString() }),
      { name: 'file', value: CODE },
    ];
    const error = await expectError(
      await post(emulator.ossEndpoint, multipartBody(parts)),
      403,
      'AccessDenied',
    );
    expect(error.Message).toBe('Invalid according to Policy: Policy expired.');
  });

  it('AccessDenied once the emulator clock passes the expiration', async () => {
    let now = Date.now();
    const clocked = await startEmulator({ now: () => now });
    try {
      const { accessKeyId, accessKeySecret, name } = clocked.bucket;
      const signed = aliOssSign({ accessKeyId, accessKeySecret }, name, {
        expiration: new Date(now + 60_000).toISOString(),
        conditions: [{ bucket: name }],
      });
      const body = multipartBody([
        { name: 'key', value: 'k.js' },
        { name: 'OSSAccessKeyId', value: signed.OSSAccessKeyId },
        { name: 'policy', value: signed.policy },
        { name: 'Signature', value: signed.Signature },
        { name: 'file', value: CODE },
      ]);
      expect((await post(clocked.ossEndpoint, body)).status).toBe(204);
      now += 120_000;
      const late = await post(clocked.ossEndpoint, body);
      expect(late.status).toBe(403);
      expect(parseXmlError(late.text).Message).toBe('Invalid according to Policy: Policy expired.');
    } finally {
      await clocked.close();
    }
  });

  it('AccessDenied naming the condition for a key outside starts-with', async () => {
    const answer = await post(emulator.ossEndpoint, multipartBody(uploadParts({ key: 'other/a.js' })));
    const error = await expectError(answer, 403, 'AccessDenied');
    expect(error.Message).toBe(
      'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "site_er_js/"]',
    );
    expect(emulator.state.objects.size).toBe(0);
  });

  it('AccessDenied for a bucket condition naming another bucket', async () => {
    const answer = await post(
      emulator.ossEndpoint,
      multipartBody(uploadParts({ conditions: [{ bucket: 'examplebucket' }] })),
    );
    const error = await expectError(answer, 403, 'AccessDenied');
    expect(error.Message).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "examplebucket"]',
    );
  });

  it.each([
    [
      'in passes',
      ['in', '$content-type', ['application/javascript', 'text/javascript']],
      'application/javascript',
      204,
    ],
    ['in fails', ['in', '$content-type', ['text/javascript']], 'application/javascript', 403],
    ['not-in passes', ['not-in', '$content-type', ['text/html']], 'application/javascript', 204],
    ['not-in fails', ['not-in', '$content-type', ['application/javascript']], 'application/javascript', 403],
    ['eq on an absent field fails', ['eq', '$x-oss-meta-id', 'v1'], undefined, 403],
    ['exact map passes', { 'Content-Type': 'application/javascript' }, 'application/javascript', 204],
  ])('policy %s', async (_label, condition, contentType, status) => {
    const fields = contentType === undefined ? [] : [{ name: 'Content-Type', value: contentType }];
    const answer = await post(
      emulator.ossEndpoint,
      multipartBody(uploadParts({ conditions: [...defaultConditions(), condition], fields })),
    );
    expect(answer.status).toBe(status);
    if (status === 403) expect(parseXmlError(answer.text).Code).toBe('AccessDenied');
  });

  it('EntityTooLarge for a file above content-length-range, EntityTooSmall below it', async () => {
    const conditions = [{ bucket: emulator.bucket.name }, ['content-length-range', 10, 100]];
    const withFile = (value: Buffer) => [
      ...uploadParts({ conditions }).slice(0, -1),
      { name: 'file', value },
    ];
    const large = await post(emulator.ossEndpoint, multipartBody(withFile(Buffer.alloc(101, 1))));
    await expectError(large, 400, 'EntityTooLarge');
    const small = await post(emulator.ossEndpoint, multipartBody(withFile(Buffer.alloc(9, 1))));
    await expectError(small, 400, 'EntityTooSmall');
    expect(emulator.state.objects.size).toBe(0);
    expect((await post(emulator.ossEndpoint, multipartBody(withFile(Buffer.alloc(100, 1))))).status).toBe(
      204,
    );
  });

  it('EntityTooLarge above maxObjectSize, early from Content-Length and after streaming a chunked body', async () => {
    const small = await startEmulator({ maxObjectSize: 1000 });
    try {
      const { accessKeyId, accessKeySecret, name } = small.bucket;
      const signed = aliOssSign({ accessKeyId, accessKeySecret }, name, {
        expiration: inOneHour(),
        conditions: [{ bucket: name }],
      });
      const body = (size: number) =>
        multipartBody([
          { name: 'key', value: 'big.bin' },
          { name: 'OSSAccessKeyId', value: signed.OSSAccessKeyId },
          { name: 'policy', value: signed.policy },
          { name: 'Signature', value: signed.Signature },
          { name: 'file', value: Buffer.alloc(size, 1) },
        ]);
      const streamed = await post(small.ossEndpoint, body(1001), { chunked: true });
      expect([streamed.status, parseXmlError(streamed.text).Code]).toEqual([400, 'EntityTooLarge']);
      const early = await post(small.ossEndpoint, body(4 * 1024 * 1024));
      expect([early.status, parseXmlError(early.text).Code]).toEqual([400, 'EntityTooLarge']);
      expect(small.state.objects.size).toBe(0);
      expect((await post(small.ossEndpoint, body(1000))).status).toBe(204);
    } finally {
      await small.close();
    }
  });

  it('InvalidArgument when key comes after file', async () => {
    const parts = uploadParts();
    const keyPart = parts.shift();
    if (!keyPart) throw new Error('no key part');
    parts.push(keyPart);
    const error = await expectError(
      await post(emulator.ossEndpoint, multipartBody(parts)),
      400,
      'InvalidArgument',
    );
    expect(error.Message).toBe(
      "The bucket POST must contain the specified 'key'. If it is specified, please check the order of the fields",
    );
  });

  it('InvalidArgument when key is missing', async () => {
    const parts = uploadParts().filter((p) => p.name !== 'key');
    await expectError(await post(emulator.ossEndpoint, multipartBody(parts)), 400, 'InvalidArgument');
  });

  it.each(['OSSAccessKeyId', 'policy', 'Signature'])(
    'InvalidArgument when only two of the three auth fields are sent (no %s)',
    async (left) => {
      const parts = uploadParts().filter((p) => p.name !== left);
      await expectError(await post(emulator.ossEndpoint, multipartBody(parts)), 400, 'InvalidArgument');
    },
  );

  it('AccessDenied without any auth field (the bucket is private)', async () => {
    const parts = uploadParts().filter((p) => !['OSSAccessKeyId', 'policy', 'Signature'].includes(p.name));
    await expectError(await post(emulator.ossEndpoint, multipartBody(parts)), 403, 'AccessDenied');
  });

  it('InvalidPolicyDocument for a policy that is not JSON, even when correctly signed', async () => {
    const { accessKeyId, accessKeySecret } = emulator.bucket;
    const policy = Buffer.from('{"expiration": "2030-01-01T00:00:00Z", conditions: []}').toString('base64');
    // Signed with the emulator's own signer: ali-oss only signs valid JSON.
    const parts = [
      { name: 'key', value: 'site_er_js/a.js' },
      { name: 'OSSAccessKeyId', value: accessKeyId },
      { name: 'policy', value: policy },
      { name: 'Signature', value: signPolicyV1(policy, accessKeySecret) },
      { name: 'file', value: CODE },
    ];
    const error = await expectError(
      await post(emulator.ossEndpoint, multipartBody(parts)),
      400,
      'InvalidPolicyDocument',
    );
    expect(error.Message).toMatch(/^Invalid Policy: Invalid JSON: /);
  });

  it('InvalidPolicyDocument for an unknown operator', async () => {
    const answer = await post(
      emulator.ossEndpoint,
      multipartBody(uploadParts({ conditions: [['ends-with', '$key', '.js']] })),
    );
    await expectError(answer, 400, 'InvalidPolicyDocument');
  });

  it('FieldItemTooLong when the fields before the file exceed 2 MB', async () => {
    const answer = await post(
      emulator.ossEndpoint,
      multipartBody(
        uploadParts({ fields: [{ name: 'x-oss-meta-big', value: 'a'.repeat(2 * 1024 * 1024 + 1) }] }),
      ),
    );
    await expectError(answer, 400, 'FieldItemTooLong');
  });

  it('IncorrectNumberOfFilesInPOSTRequest without a file', async () => {
    const parts = uploadParts().slice(0, -1);
    await expectError(
      await post(emulator.ossEndpoint, multipartBody(parts)),
      400,
      'IncorrectNumberOfFilesInPOSTRequest',
    );
  });

  it('MalformedPOSTRequest for a body that is not multipart or is cut short', async () => {
    const notMultipart = await post(emulator.ossEndpoint, Buffer.from('key=a'), {
      contentType: 'application/x-www-form-urlencoded',
    });
    await expectError(notMultipart, 400, 'MalformedPOSTRequest');
    const noBoundary = await post(emulator.ossEndpoint, Buffer.from('x'), {
      contentType: 'multipart/form-data; x=1',
    });
    await expectError(noBoundary, 400, 'MalformedPOSTRequest');
    const body = multipartBody(uploadParts());
    const truncated = await post(emulator.ossEndpoint, body.subarray(0, body.length - 30));
    await expectError(truncated, 400, 'MalformedPOSTRequest');
    expect(emulator.state.objects.size).toBe(0);
  });

  it('MethodNotAllowed for other methods and paths', async () => {
    const get = await request(`${emulator.ossEndpoint}/`, { method: 'GET' });
    const getAnswer = { status: get.statusCode, headers: get.headers, text: await get.body.text() };
    await expectError(getAnswer, 405, 'MethodNotAllowed');
    const onObject = await post(`${emulator.ossEndpoint}/some/object`, multipartBody(uploadParts()));
    await expectError(onObject, 405, 'MethodNotAllowed');
  });
});

describe('PostObject robustness', () => {
  it('streams a 6 MB upload in many chunks and keeps the exact bytes', async () => {
    const bytes = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31) & 0xff;
    const parts = [
      ...uploadParts({ conditions: [{ bucket: emulator.bucket.name }] }).slice(0, -1),
      { name: 'file', value: bytes, filename: 'big.bin' },
    ];
    const answer = await post(emulator.ossEndpoint, multipartBody(parts), { chunked: true });
    expect(answer.status).toBe(204);
    expect(emulator.state.objects.get('site_er_js/routine/1.js')?.sha256).toBe(sha256(bytes));
  });

  it('reads a field part that carries a filename as an ordinary field', async () => {
    const parts = uploadParts({
      conditions: [...defaultConditions(), ['eq', '$x-oss-meta-note', 'from a file part']],
      fields: [{ name: 'x-oss-meta-note', value: 'from a file part', filename: 'note.txt' }],
    });
    const answer = await post(emulator.ossEndpoint, multipartBody(parts));
    expect(answer.status).toBe(204);
    expect(emulator.state.objects.get('site_er_js/routine/1.js')?.fieldNames).toContain('x-oss-meta-note');
  });

  it('survives a client that goes away mid-upload, answering nothing', async () => {
    const body = multipartBody(uploadParts());
    const url = new URL(emulator.ossEndpoint);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
            `Content-Length: ${body.length}\r\n\r\n`,
        );
        socket.write(body.subarray(0, body.length - 40), () => setTimeout(() => socket.destroy(), 50));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(emulator.state.objects.size).toBe(0);
    expect(emulator.state.requests).toEqual([]);
    expect((await post(emulator.ossEndpoint, multipartBody(uploadParts()))).status).toBe(204);
  });

  it('never logs the signature, the policy or the secret', async () => {
    const lines: string[] = [];
    const logged = await startEmulator({ log: (line) => lines.push(line) });
    try {
      const { accessKeyId, accessKeySecret, name } = logged.bucket;
      const signed = aliOssSign({ accessKeyId, accessKeySecret }, name, {
        expiration: inOneHour(),
        conditions: [{ bucket: name }],
      });
      const parts = (signature: string) =>
        multipartBody([
          { name: 'key', value: 'k.js' },
          { name: 'OSSAccessKeyId', value: signed.OSSAccessKeyId },
          { name: 'policy', value: signed.policy },
          { name: 'Signature', value: signature },
          { name: 'file', value: CODE },
        ]);
      expect((await post(logged.ossEndpoint, parts(signed.Signature))).status).toBe(204);
      expect((await post(logged.ossEndpoint, parts('AAAAAAAAAAAAAAAAAAAAAAAAAAA='))).status).toBe(403);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^oss PostObject 403 SignatureDoesNotMatch [0-9A-F-]{36}$/);
      const all = lines.join('\n');
      for (const secret of [
        signed.Signature,
        signed.policy,
        accessKeySecret,
        'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      ]) {
        expect(all).not.toContain(secret);
      }
    } finally {
      await logged.close();
    }
  });
});

describe('PostObject faults', () => {
  it('answers an injected error once, then succeeds', async () => {
    emulator.faults.inject({
      oss: true,
      status: 503,
      code: 'ServiceUnavailable',
      message: 'Please reduce your request rate.',
      times: 1,
    });
    const failed = await post(emulator.ossEndpoint, multipartBody(uploadParts()));
    const error = await expectError(failed, 503, 'ServiceUnavailable');
    expect(error.Message).toBe('Please reduce your request rate.');
    expect(emulator.state.objects.size).toBe(0);
    const ok = await post(emulator.ossEndpoint, multipartBody(uploadParts()));
    expect(ok.status).toBe(204);
  });

  it('drops the connection without an answer', async () => {
    emulator.faults.inject({ oss: true, drop: true, times: 1 });
    await expect(post(emulator.ossEndpoint, multipartBody(uploadParts()))).rejects.toThrow();
    expect(emulator.state.objects.size).toBe(0);
    expect(emulator.state.requests).toEqual([]);
    expect((await post(emulator.ossEndpoint, multipartBody(uploadParts()))).status).toBe(204);
  });
});
