// ACS3 verification: requests signed by an independent signer (@alicloud/openapi-util), then
// tampered with one way at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorCredential, startEmulator } from '../src/index.js';
import { acsDate, type RawRequest, type RawResponse, type RawSpec, sendRaw, signRaw } from './esa-helpers.js';

let emulator: Emulator;
let clock = Date.now();
const bodies: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ routines: ['sig-routine'], now: () => clock });
});

afterAll(async () => {
  await emulator.close();
  // No answer of this file ever carried a secret or a security token.
  const secrets = [
    emulator.credentials.accessKeySecret,
    emulator.credentials.sts.accessKeySecret,
    emulator.credentials.sts.securityToken ?? '',
    'wrong-secret-value',
    'CAISWrongToken',
  ];
  expect(bodies.length).toBeGreaterThan(20);
  for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret);
});

async function send(raw: RawRequest): Promise<RawResponse> {
  const res = await sendRaw(emulator, raw);
  bodies.push(res.text);
  return res;
}

function spec(overrides: Partial<RawSpec> = {}): RawSpec {
  return {
    action: 'GetRoutine',
    credential: emulator.credentials,
    form: { Name: 'sig-routine' },
    date: acsDate(clock),
    ...overrides,
  };
}

async function expectError(res: RawResponse, status: number, code: string): Promise<Record<string, unknown>> {
  expect({ status: res.status, code: res.json().Code }).toEqual({ status, code });
  expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
  const body = res.json();
  expect(Object.keys(body)).toEqual(['RequestId', 'HostId', 'Code', 'Message', 'Recommend']);
  expect(body.RequestId).toBe(res.headers['x-acs-request-id']);
  expect(String(body.Recommend)).toContain(`q=${encodeURIComponent(code)}`);
  return body;
}

describe('untampered requests', () => {
  it('accepts a POST form request and a GET query request', async () => {
    const post = await send(signRaw(emulator, spec()));
    expect(post.status).toBe(200);
    expect(post.json().DefaultRelatedRecord).toBe('sig-routine.emulator.er.aliyun-esa.net');
    const get = await send(signRaw(emulator, spec({ form: undefined, query: { Name: 'sig-routine' } })));
    expect(get.status).toBe(200);
  });

  it('accepts STS credentials with their token', async () => {
    const res = await send(signRaw(emulator, spec({ credential: emulator.credentials.sts })));
    expect(res.status).toBe(200);
  });

  it("re-canonicalises a query whose !'()* stay raw on the wire", async () => {
    const raw = signRaw(
      emulator,
      spec({ form: undefined, query: { Name: 'sig-routine', Extra: "(a)*!'~ b" } }),
    );
    expect(raw.path).toContain("(a)*!'~%20b");
    expect((await send(raw)).status).toBe(200);
  });
});

describe('tampered requests', () => {
  const signed = [
    'host',
    'x-acs-action',
    'x-acs-version',
    'x-acs-date',
    'x-acs-signature-nonce',
    'content-type',
  ] as const;
  for (const name of signed) {
    it(`refuses a changed ${name} with SignatureDoesNotMatch and the server string to sign`, async () => {
      const raw = signRaw(emulator, spec());
      const original = raw.headers[name] ?? '';
      raw.headers[name] =
        name === 'x-acs-date'
          ? acsDate(clock - 60_000)
          : name === 'host'
            ? original.replace('127.0.0.1', 'localhost')
            : name === 'content-type'
              ? 'application/x-www-form-urlencoded; charset=utf-8'
              : `${original}x`;
      const body = await expectError(await send(raw), 400, 'SignatureDoesNotMatch');
      expect(String(body.Message)).toMatch(
        /^Specified signature is not matched with our calculation\. server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/,
      );
    });
  }

  it('refuses a changed x-acs-security-token (signed) as a token mismatch', async () => {
    const raw = signRaw(emulator, spec({ credential: emulator.credentials.sts }));
    raw.headers['x-acs-security-token'] = 'CAISWrongToken';
    await expectError(await send(raw), 400, 'InvalidSecurityToken.Mismatch');
  });

  it('refuses a changed body', async () => {
    const raw = signRaw(emulator, spec());
    raw.body = raw.body.replace('sig-routine', 'sig-routinf');
    const body = await expectError(await send(raw), 400, 'SignatureDoesNotMatch');
    expect(String(body.Message)).toContain('x-acs-content-sha256');
  });

  it('refuses a body whose hash header was recomputed but not re-signed', async () => {
    const other = signRaw(emulator, spec({ form: { Name: 'other-routine' } }));
    const raw = signRaw(emulator, spec());
    raw.body = other.body;
    raw.headers['x-acs-content-sha256'] = other.headers['x-acs-content-sha256'] ?? '';
    await expectError(await send(raw), 400, 'SignatureDoesNotMatch');
  });

  it('refuses a changed query', async () => {
    const raw = signRaw(emulator, spec({ form: undefined, query: { Name: 'sig-routine' } }));
    raw.path = '/?Name=sig-routinf';
    await expectError(await send(raw), 400, 'SignatureDoesNotMatch');
  });

  it('refuses a wrong secret', async () => {
    const wrong: EmulatorCredential = { ...emulator.credentials, accessKeySecret: 'wrong-secret-value' };
    await expectError(
      await send(signRaw(emulator, spec({ credential: wrong }))),
      400,
      'SignatureDoesNotMatch',
    );
  });

  it('refuses a date 16 minutes off either way, and a malformed date', async () => {
    for (const offset of [16 * 60_000, -16 * 60_000]) {
      const res = await send(signRaw(emulator, spec({ date: acsDate(clock + offset) })));
      await expectError(res, 400, 'InvalidTimeStamp.Expired');
    }
    const fourteen = await send(signRaw(emulator, spec({ date: acsDate(clock - 14 * 60_000) })));
    expect(fourteen.status).toBe(200);
    const res = await send(signRaw(emulator, spec({ date: new Date(clock).toISOString() })));
    await expectError(res, 400, 'InvalidTimeStamp.Format');
  });

  it('refuses a reused nonce, but only after the signature verified', async () => {
    const nonce = `nonce-${clock}`;
    const forged = signRaw(emulator, spec({ nonce }));
    forged.headers['x-acs-action'] = 'CreateRoutine';
    await expectError(await send(forged), 400, 'SignatureDoesNotMatch');
    const raw = signRaw(emulator, spec({ nonce }));
    expect((await send(raw)).status).toBe(200);
    await expectError(await send(raw), 400, 'SignatureNonceUsed');
    const resigned = signRaw(emulator, spec({ nonce, date: acsDate(clock + 1000) }));
    await expectError(await send(resigned), 400, 'SignatureNonceUsed');
  });

  it('forgets nonces once the window has passed', async () => {
    const nonce = `old-nonce-${clock}`;
    expect((await send(signRaw(emulator, spec({ nonce })))).status).toBe(200);
    clock += 16 * 60_000;
    try {
      expect((await send(signRaw(emulator, spec({ nonce, date: acsDate(clock) })))).status).toBe(200);
    } finally {
      clock -= 16 * 60_000;
    }
  });

  for (const dropped of [
    'host',
    'x-acs-date',
    'x-acs-content-sha256',
    'x-acs-signature-nonce',
    'content-type',
  ]) {
    it(`refuses SignedHeaders without ${dropped} with IncompleteSignature`, async () => {
      const raw = signRaw(emulator, spec());
      raw.headers.authorization = (raw.headers.authorization ?? '').replace(
        /SignedHeaders=([^,]+)/,
        (_m, list: string) =>
          `SignedHeaders=${list
            .split(';')
            .filter((h) => h !== dropped)
            .join(';')}`,
      );
      const body = await expectError(await send(raw), 400, 'IncompleteSignature');
      expect(String(body.Message)).toContain(dropped);
    });
  }

  it('refuses an unsigned x-acs-* header', async () => {
    const raw = signRaw(emulator, spec());
    raw.headers['x-acs-extra'] = '1';
    const body = await expectError(await send(raw), 400, 'IncompleteSignature');
    expect(String(body.Message)).toContain('x-acs-extra');
  });

  it('refuses a request without a required header', async () => {
    const raw = signRaw(emulator, spec());
    delete raw.headers['x-acs-signature-nonce'];
    const body = await expectError(await send(raw), 400, 'IncompleteSignature');
    expect(String(body.Message)).toContain('x-acs-signature-nonce');
  });

  it('refuses a missing or malformed Authorization', async () => {
    const raw = signRaw(emulator, spec());
    const good = raw.headers.authorization ?? '';
    delete raw.headers.authorization;
    const none = await expectError(await send(raw), 400, 'IncompleteSignature');
    expect(String(none.Message)).toContain('no Authorization header');
    raw.headers.authorization = good.replace(',SignedHeaders', ', SignedHeaders');
    await expectError(await send(raw), 400, 'IncompleteSignature');
    raw.headers.authorization = good.replace('ACS3-HMAC-SHA256', 'ACS3-HMAC-SHA1');
    await expectError(await send(raw), 400, 'IncompleteSignature');
  });

  it('refuses an unknown AccessKey with 404', async () => {
    const unknown: EmulatorCredential = { accessKeyId: 'LTAIunknown', accessKeySecret: 'wrong-secret-value' };
    await expectError(
      await send(signRaw(emulator, spec({ credential: unknown }))),
      404,
      'InvalidAccessKeyId.NotFound',
    );
  });

  it('refuses STS without a token, with a wrong token, and a token with a plain AccessKey', async () => {
    const sts = emulator.credentials.sts;
    await expectError(
      await send(signRaw(emulator, spec({ credential: sts, securityToken: null }))),
      400,
      'MissingSecurityToken',
    );
    await expectError(
      await send(signRaw(emulator, spec({ credential: sts, securityToken: 'CAISWrongToken' }))),
      400,
      'InvalidSecurityToken.Mismatch',
    );
    await expectError(
      await send(signRaw(emulator, spec({ securityToken: sts.securityToken ?? '' }))),
      400,
      'InvalidSecurityToken.Mismatch',
    );
  });
});

describe('after a valid signature', () => {
  it('answers 404 InvalidApi.NotFound for an unknown action and another path', async () => {
    await expectError(
      await send(signRaw(emulator, spec({ action: 'DeleteEverything' }))),
      404,
      'InvalidApi.NotFound',
    );
    const raw = signRaw(emulator, spec());
    raw.path = '/v1/routines';
    await expectError(await send(raw), 404, 'InvalidApi.NotFound');
  });

  it('refuses another API version', async () => {
    await expectError(await send(signRaw(emulator, spec({ version: '2022-01-01' }))), 400, 'InvalidVersion');
  });

  it('answers MissingParameter naming the parameter', async () => {
    const body = await expectError(
      await send(signRaw(emulator, spec({ form: {} }))),
      400,
      'MissingParameter',
    );
    expect(body.Message).toBe('Name is mandatory for this action.');
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const raw = signRaw(emulator, spec({ form: { Name: 'sig-routine', Pad: 'x'.repeat(1024 * 1024) } }));
    await expectError(await send(raw), 413, 'RequestBodyTooLarge');
  });

  it('records every answered request without secrets', () => {
    const esaRecords = emulator.state.requests.filter((r) => r.service === 'esa');
    expect(esaRecords.length).toBe(bodies.length);
    expect(esaRecords.some((r) => r.code === 'SignatureDoesNotMatch' && r.status === 400)).toBe(true);
  });
});
