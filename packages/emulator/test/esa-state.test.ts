// ESA state semantics: raw JSON shapes, the upload info policy, the callback, quota, paging, envs.
import { createRequire } from 'node:module';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH, type Emulator, startEmulator } from '../src/index.js';
import { callRaw, type RawResponse, stageCode } from './esa-helpers.js';

// ali-oss ships no types; only its V1 PostObject signer is used, as an oracle.
const OSS = createRequire(import.meta.url)('ali-oss') as new (
  options: Record<string, string>,
) => {
  calculatePostSignature(policy: string): { policy: string; Signature: string };
};

let emulator: Emulator;
const NOW = Date.parse('2026-01-02T03:04:05Z');
let clock = NOW;

beforeAll(async () => {
  emulator = await startEmulator({
    versionQuota: 5,
    now: () => clock,
    policyTtlMs: 600_000,
    maxObjectSize: 4096,
  });
});

afterAll(async () => {
  await emulator.close();
});

async function call(action: string, params: Record<string, string>): Promise<RawResponse> {
  return callRaw(emulator, {
    action,
    credential: emulator.credentials,
    form: params,
    date: `${new Date(clock).toISOString().slice(0, 19)}Z`,
  });
}

async function ok(action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await call(action, params);
  expect(res.status, res.text).toBe(200);
  return res.json();
}

async function uploadAndCommit(name: string, code: string, description?: string): Promise<string> {
  const info = await ok('GetRoutineStagingCodeUploadInfo', {
    Name: name,
    ...(description ? { CodeDescription: description } : {}),
  });
  expect((await stageCode(emulator, info.OssPostConfig as Record<string, string>, code)).status).toBe(200);
  return String((await ok('CommitRoutineStagingCode', { Name: name })).CodeVersion);
}

async function postCallback(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${emulator.endpoint}${CALLBACK_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

describe('raw JSON', () => {
  it('sends CodeVersion as a 19-digit JSON string, never a number', async () => {
    await ok('CreateRoutine', { Name: 'raw-routine', Description: 'raw' });
    const info = await call('GetRoutineStagingCodeUploadInfo', { Name: 'raw-routine' });
    expect(info.text).toMatch(/"CodeVersion":"\d{19}"/);
    expect(info.text.startsWith('{"RequestId":')).toBe(true);
    expect(info.headers['x-acs-request-id']).toBe(info.json().RequestId);
    await stageCode(emulator, info.json().OssPostConfig as Record<string, string>, 'export default 1');
    const commit = await call('CommitRoutineStagingCode', { Name: 'raw-routine' });
    expect(commit.text).toMatch(/^\{"RequestId":"[0-9A-F-]{36}","CodeVersion":"\d{19}"\}$/);
    const version = String(commit.json().CodeVersion);
    const publish = await call('PublishRoutineCodeVersion', {
      Name: 'raw-routine',
      Env: 'production',
      CodeVersion: version,
    });
    expect(publish.text).toContain(`"CodeVersion":"${version}"`);
    const list = await call('ListRoutineCodeVersions', { Name: 'raw-routine' });
    expect(list.text).toContain(`"CodeVersion":"${version}"`);
    const routine = await call('GetRoutine', { Name: 'raw-routine' });
    expect(routine.text).toContain(`"CodeVersion":"${version}"`);
    expect(routine.json()).toMatchObject({
      CreateTime: '2026-01-02T03:04:05Z',
      Description: 'raw',
      HasAssets: false,
      Envs: [
        {
          Env: 'production',
          CodeDeploy: {
            DeployId: expect.any(String),
            CreationTime: '2026-01-02T03:04:05Z',
            Strategy: 'percentage',
          },
        },
        { Env: 'staging' },
      ],
    });
  });
});

describe('GetRoutineStagingCodeUploadInfo', () => {
  it('hands out a policy and callback signed for exactly one object', async () => {
    await ok('CreateRoutine', { Name: 'policy-routine' });
    const info = await ok('GetRoutineStagingCodeUploadInfo', {
      Name: 'policy-routine',
      CodeDescription: 'hé (1)',
    });
    const config = info.OssPostConfig as Record<string, string>;
    const key = `site_er_js/policy-routine.${String(info.CodeVersion)}.unstable.js`;
    expect(config.key).toBe(key);
    expect(config.OSSAccessKeyId).toBe(emulator.bucket.accessKeyId);
    const callback = JSON.parse(Buffer.from(config.callback ?? '', 'base64').toString('utf8'));
    expect(callback).toEqual({
      callbackUrl: `${emulator.endpoint}${CALLBACK_PATH}`,
      callbackBody:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: OSS callback variables, not a JS template.
        '{"object":${object},"size":${size},"etag":${etag},"mimeType":${mimeType},"codeDescription":${x:codeDescription}}',
      callbackBodyType: 'application/json',
    });
    const policyText = Buffer.from(config.policy ?? '', 'base64').toString('utf8');
    expect(JSON.parse(policyText)).toEqual({
      expiration: '2026-01-02T03:14:05.000Z',
      conditions: [
        { bucket: emulator.bucket.name },
        ['eq', '$key', key],
        ['content-length-range', 1, 4096],
        { callback: config.callback },
        ['eq', '$x:codeDescription', Buffer.from('hé (1)').toString('base64')],
      ],
    });
    // ali-oss is an independent oracle of the V1 PostObject signature.
    const oss = new OSS({
      accessKeyId: emulator.bucket.accessKeyId,
      accessKeySecret: emulator.bucket.accessKeySecret,
      region: 'oss-cn-hangzhou',
      bucket: emulator.bucket.name,
    });
    const expected = oss.calculatePostSignature(policyText);
    expect({ policy: config.policy, Signature: config.Signature }).toEqual({
      policy: expected.policy,
      Signature: expected.Signature,
    });
    expect(emulator.state.tickets.get(key)).toMatchObject({
      routine: 'policy-routine',
      description: 'hé (1)',
    });
    expect(JSON.stringify(info)).not.toContain(emulator.bucket.accessKeySecret);
  });

  it('answers RoutineNotExist for an unknown routine', async () => {
    const res = await call('GetRoutineStagingCodeUploadInfo', { Name: 'ghost' });
    expect([res.status, res.json().Code]).toEqual([400, 'RoutineNotExist']);
  });
});

describe('upload callback', () => {
  it('registers staging code and commit snapshots it', async () => {
    await ok('CreateRoutine', { Name: 'cb-routine' });
    const info = await ok('GetRoutineStagingCodeUploadInfo', {
      Name: 'cb-routine',
      CodeDescription: 'from upload',
    });
    const res = await stageCode(
      emulator,
      info.OssPostConfig as Record<string, string>,
      'export default "cb"',
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    expect(res.text).toBe(`{"Status":"OK","CodeVersion":"${String(info.CodeVersion)}","Size":19}`);
    const staging = emulator.state.routines.get('cb-routine')?.staging;
    expect(staging).toMatchObject({ description: 'from upload', size: 19, codeVersion: info.CodeVersion });
    const version = String((await ok('CommitRoutineStagingCode', { Name: 'cb-routine' })).CodeVersion);
    const record = emulator.state.routines.get('cb-routine')?.versions.get(version);
    expect(record?.bytes.toString()).toBe('export default "cb"');
    expect(record?.description).toBe('from upload');
    expect(emulator.state.requests.some((r) => r.service === 'callback' && r.status === 200)).toBe(true);
  });

  it('refuses unknown objects, objects not stored, wrong sizes and bad JSON', async () => {
    await ok('CreateRoutine', { Name: 'cb-bad' });
    const info = await ok('GetRoutineStagingCodeUploadInfo', { Name: 'cb-bad' });
    const key = (info.OssPostConfig as Record<string, string>).key ?? '';
    const unknown = await postCallback(JSON.stringify({ object: 'site_er_js/other.js', size: 1 }));
    expect([unknown.status, unknown.json.Code]).toEqual([400, 'InvalidCallback']);
    const notStored = await postCallback(JSON.stringify({ object: key, size: 1 }));
    expect([notStored.status, notStored.json.Code]).toEqual([400, 'InvalidCallback']);
    expect(String(notStored.json.Message)).toContain('not stored');
    await stageCode(emulator, info.OssPostConfig as Record<string, string>, 'abc');
    const wrongSize = await postCallback(JSON.stringify({ object: key, size: 4 }));
    expect([wrongSize.status, wrongSize.json.Code]).toEqual([400, 'InvalidCallback']);
    const badJson = await postCallback('{"object":');
    expect([badJson.status, badJson.json.Code]).toEqual([400, 'InvalidCallback']);
  });
});

describe('versions', () => {
  it('pages ListRoutineCodeVersions newest first and filters by keyword', async () => {
    await ok('CreateRoutine', { Name: 'page-routine' });
    const versions: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      clock += 1000;
      versions.push(await uploadAndCommit('page-routine', `// ${i}`, i % 2 === 0 ? `even ${i}` : `odd ${i}`));
    }
    const first = await ok('ListRoutineCodeVersions', { Name: 'page-routine', PageSize: '2' });
    expect(first).toMatchObject({ PageNumber: 1, PageSize: 2, TotalCount: 5 });
    const firstItems = first.CodeVersions as Array<Record<string, unknown>>;
    expect(firstItems.map((v) => v.CodeVersion)).toEqual([versions[4], versions[3]]);
    expect(firstItems[0]).toEqual({
      CodeVersion: versions[4],
      CodeDescription: 'even 4',
      CreateTime: new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Status: 'Available',
      BuildId: 0,
      ExtraInfo: '',
      ConfOptions: { NotFoundStrategy: '' },
    });
    const second = await ok('ListRoutineCodeVersions', {
      Name: 'page-routine',
      PageSize: '2',
      PageNumber: '2',
    });
    expect(second).toMatchObject({ PageNumber: 2, PageSize: 2, TotalCount: 5 });
    expect((second.CodeVersions as Array<Record<string, unknown>>).map((v) => v.CodeVersion)).toEqual([
      versions[2],
      versions[1],
    ]);
    // ESA lists at most 2 pages: the oldest version is counted but out of reach at PageSize 2.
    const third = await call('ListRoutineCodeVersions', {
      Name: 'page-routine',
      PageSize: '2',
      PageNumber: '3',
    });
    expect([third.status, third.json().Code]).toEqual([400, 'InvalidParameter']);
    expect(String(third.json().Message)).toContain('PageNumber must be an integer from 1 to 2');
    const odd = await ok('ListRoutineCodeVersions', { Name: 'page-routine', SearchKeyWord: 'odd' });
    expect(odd.TotalCount).toBe(2);
    for (const bad of ['0', '21', 'x', '-1']) {
      const res = await call('ListRoutineCodeVersions', { Name: 'page-routine', PageSize: bad });
      expect([res.status, res.json().Code]).toEqual([400, 'InvalidParameter']);
    }
    for (const bad of ['0', '3', 'x']) {
      const res = await call('ListRoutineCodeVersions', { Name: 'page-routine', PageNumber: bad });
      expect([res.status, res.json().Code]).toEqual([400, 'InvalidParameter']);
    }
    // The quota (5) is full now.
    const full = await call('GetRoutineStagingCodeUploadInfo', { Name: 'page-routine' });
    expect(full.json().Code).toBe('CodeVersionNumberExceedQuotaLimit');
  });

  it('refuses to delete a version while any env runs it, then deletes it once they moved', async () => {
    await ok('CreateRoutine', { Name: 'del-routine' });
    const v1 = await uploadAndCommit('del-routine', '// 1');
    const v2 = await uploadAndCommit('del-routine', '// 2');
    await ok('PublishRoutineCodeVersion', { Name: 'del-routine', Env: 'staging', CodeVersion: v1 });
    await ok('PublishRoutineCodeVersion', { Name: 'del-routine', Env: 'production', CodeVersion: v1 });
    const both = await call('DeleteRoutineCodeVersion', { Name: 'del-routine', CodeVersion: v1 });
    expect([both.status, both.json().Code]).toEqual([400, 'DependedByOthers']);
    expect(String(both.json().Message)).toContain('production and staging');
    await ok('PublishRoutineCodeVersion', { Name: 'del-routine', Env: 'staging', CodeVersion: v2 });
    const prod = await call('DeleteRoutineCodeVersion', { Name: 'del-routine', CodeVersion: v1 });
    expect(String(prod.json().Message)).toContain('production');
    expect(String(prod.json().Message)).not.toContain('staging');
    await ok('PublishRoutineCodeVersion', { Name: 'del-routine', Env: 'production', CodeVersion: v2 });
    expect(await ok('DeleteRoutineCodeVersion', { Name: 'del-routine', CodeVersion: v1 })).toMatchObject({
      Status: 'OK',
    });
    const again = await call('DeleteRoutineCodeVersion', { Name: 'del-routine', CodeVersion: v1 });
    expect([again.status, again.json().Code]).toEqual([400, 'InvalidParameter']);
    const routine = await ok('GetRoutine', { Name: 'del-routine' });
    const envs = routine.Envs as Array<{
      Env: string;
      CodeDeploy?: { CodeVersions: Array<{ CodeVersion: string }> };
    }>;
    expect(envs.map((e) => [e.Env, e.CodeDeploy?.CodeVersions[0]?.CodeVersion])).toEqual([
      ['production', v2],
      ['staging', v2],
    ]);
  });

  it('uses a fresh version for a second commit of the same upload and the param description', async () => {
    await ok('CreateRoutine', { Name: 'twice-routine' });
    const info = await ok('GetRoutineStagingCodeUploadInfo', {
      Name: 'twice-routine',
      CodeDescription: 'upload',
    });
    await stageCode(emulator, info.OssPostConfig as Record<string, string>, '// x');
    const a = await ok('CommitRoutineStagingCode', { Name: 'twice-routine' });
    const b = await ok('CommitRoutineStagingCode', { Name: 'twice-routine', CodeDescription: 'second' });
    expect(a.CodeVersion).toBe(info.CodeVersion);
    expect(b.CodeVersion).not.toBe(a.CodeVersion);
    const versions = emulator.state.routines.get('twice-routine')?.versions;
    expect(versions?.get(String(a.CodeVersion))?.description).toBe('upload');
    expect(versions?.get(String(b.CodeVersion))?.description).toBe('second');
  });
});
