// Injected faults on the ESA OpenAPI server, as the official SDK and a raw client see them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { callRaw, esa, sdkClient, sdkError, stageCode } from './esa-helpers.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ routines: ['fault-routine'] });
});

afterEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  await emulator.close();
});

function getRoutine() {
  return sdkClient(emulator, emulator.credentials).getRoutine(
    new esa.GetRoutineRequest({ name: 'fault-routine' }),
  );
}

describe('ESA faults', () => {
  it('answers an action-specific error with its status and code, as JSON', async () => {
    emulator.faults.inject({
      action: 'GetRoutine',
      status: 503,
      code: 'ServiceUnavailable',
      message: 'try later',
    });
    const error = await sdkError(getRoutine());
    expect(error.code).toBe('ServiceUnavailable');
    expect(error.statusCode).toBe(503);
    // Other actions are untouched.
    const other = await callRaw(emulator, {
      action: 'ListRoutineCodeVersions',
      credential: emulator.credentials,
      form: { Name: 'fault-routine' },
    });
    expect(other.status).toBe(200);
    const raw = await callRaw(emulator, {
      action: 'GetRoutine',
      credential: emulator.credentials,
      form: { Name: 'fault-routine' },
    });
    expect(raw.status).toBe(503);
    expect(raw.json()).toMatchObject({
      Code: 'ServiceUnavailable',
      Message: 'try later',
      HostId: expect.any(String),
    });
    expect(emulator.state.requests.at(-1)).toMatchObject({
      service: 'esa',
      action: 'GetRoutine',
      status: 503,
      code: 'ServiceUnavailable',
    });
  });

  it('fails `times` requests and then lets them through', async () => {
    emulator.faults.inject({ action: 'GetRoutine', status: 429, code: 'Throttling.User', times: 2 });
    expect((await sdkError(getRoutine())).code).toBe('Throttling.User');
    expect((await sdkError(getRoutine())).code).toBe('Throttling.User');
    expect((await getRoutine()).statusCode).toBe(200);
  });

  it('applies a fault even to a request that would fail verification, before verifying it', async () => {
    emulator.faults.inject({ action: '*', status: 500, code: 'InternalError', times: 1 });
    const res = await callRaw(emulator, {
      action: 'GetRoutine',
      credential: { ...emulator.credentials, accessKeySecret: 'wrong' },
      form: { Name: 'fault-routine' },
    });
    expect([res.status, res.json().Code]).toEqual([500, 'InternalError']);
  });

  it('drops the connection: the client sees a socket error', async () => {
    emulator.faults.inject({ action: 'GetRoutine', drop: true, times: 1 });
    const error = await sdkError(getRoutine());
    expect(error.code).not.toBe('RoutineNotExist');
    expect(error.statusCode).toBeUndefined();
    expect(error.message).toMatch(/socket|ECONNRESET|hang up|closed/i);
    await expect(
      callRaw(emulator, {
        action: 'GetRoutine',
        credential: emulator.credentials,
        form: { Name: 'fault-routine' },
      }),
    ).resolves.toMatchObject({ status: 200 });
  });

  it('drops the answer after processing: the client sees a socket error, the commit happened', async () => {
    const client = sdkClient(emulator, emulator.credentials);
    const name = 'fault-routine';
    const info = await client.getRoutineStagingCodeUploadInfo(
      new esa.GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: 'lost answer' }),
    );
    const reserved = info.body?.codeVersion ?? '';
    await stageCode(emulator, (info.body?.ossPostConfig ?? {}) as Record<string, string>, '// lost');
    emulator.faults.inject({ action: 'CommitRoutineStagingCode', dropAfterProcessing: true, times: 1 });

    const error = await sdkError(
      client.commitRoutineStagingCode(new esa.CommitRoutineStagingCodeRequest({ name })),
    );
    expect(error.statusCode).toBeUndefined();
    expect(error.code).not.toBe('InvalidParameter');
    expect(error.message).toMatch(/socket|ECONNRESET|hang up|closed/i);
    // The action ran: the version exists and the request is recorded as handled.
    const version = emulator.state.routines.get(name)?.versions.get(reserved);
    expect(version?.bytes.toString()).toBe('// lost');
    expect(version?.description).toBe('lost answer');
    expect(emulator.state.requests.at(-1)).toMatchObject({
      service: 'esa',
      action: 'CommitRoutineStagingCode',
      status: 200,
    });
    expect(emulator.faults.list()).toMatchObject([{ dropAfterProcessing: true, remaining: 0 }]);

    // A raw client sees no answer either; an error the action answers is dropped the same way.
    emulator.faults.inject({ action: 'GetRoutine', dropAfterProcessing: true, times: 1 });
    await expect(
      callRaw(emulator, { action: 'GetRoutine', credential: emulator.credentials, form: { Name: 'nope' } }),
    ).rejects.toThrow(/socket|closed|reset/i);
    expect(emulator.state.requests.at(-1)).toMatchObject({
      action: 'GetRoutine',
      status: 400,
      code: 'RoutineNotExist',
    });
    expect((await getRoutine()).statusCode).toBe(200);
  });

  it('refuses dropAfterProcessing with status or drop, or on OSS and callback faults', () => {
    expect(() =>
      emulator.faults.inject({ action: 'GetRoutine', dropAfterProcessing: true, status: 500 }),
    ).toThrow(/cannot be combined with status or drop/);
    expect(() =>
      emulator.faults.inject({ action: 'GetRoutine', dropAfterProcessing: true, drop: true }),
    ).toThrow(/cannot be combined with status or drop/);
    expect(() => emulator.faults.inject({ oss: true, dropAfterProcessing: true })).toThrow(
      /ESA and STS action faults only/,
    );
    expect(() => emulator.faults.inject({ callback: true, dropAfterProcessing: true })).toThrow(
      /ESA and STS action faults only/,
    );
    expect(emulator.faults.list()).toEqual([]);
    emulator.faults.inject({ action: '*', dropAfterProcessing: true, delayMs: 10 });
    expect(emulator.faults.list()).toMatchObject([{ action: '*', dropAfterProcessing: true, delayMs: 10 }]);
  });

  it('delays an answer', async () => {
    emulator.faults.inject({ action: 'GetRoutine', delayMs: 300, times: 1 });
    const started = performance.now();
    expect((await getRoutine()).statusCode).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const quick = performance.now();
    await getRoutine();
    expect(performance.now() - quick).toBeLessThan(250);
  });
});
