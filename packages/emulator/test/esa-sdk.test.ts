// The official SDK (@alicloud/esa20240910, POST + form body + chunked) against the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorCredential, startEmulator } from '../src/index.js';
import { esa, sdkClient, sdkError, stageCode } from './esa-helpers.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ versionQuota: 3 });
});

afterAll(async () => {
  await emulator.close();
});

function credentialsOf(kind: 'ak' | 'sts'): EmulatorCredential {
  return kind === 'ak' ? emulator.credentials : emulator.credentials.sts;
}

describe.each(['ak', 'sts'] as const)('official SDK with %s credentials', (kind) => {
  const name = `sdk-${kind}`;

  it('runs the whole staging flow through every action', async () => {
    const client = sdkClient(emulator, credentialsOf(kind));

    const created = await client.createRoutine(new esa.CreateRoutineRequest({ name, description: 'd' }));
    expect(created.statusCode).toBe(200);
    expect(created.body?.status).toBe('OK');
    expect(created.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);

    const info = await client.getRoutineStagingCodeUploadInfo(
      new esa.GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: 'first 中文 (ok)*~' }),
    );
    const reserved = info.body?.codeVersion ?? '';
    expect(reserved).toMatch(/^\d{19}$/);
    const config = (info.body?.ossPostConfig ?? {}) as Record<string, string>;
    expect(Object.keys(config).sort()).toEqual(
      ['OSSAccessKeyId', 'Signature', 'Url', 'callback', 'key', 'policy', 'x:codeDescription'].sort(),
    );
    expect(config.Url).toBe(emulator.ossEndpoint);
    expect(config.key).toBe(`site_er_js/${name}.${reserved}.unstable.js`);
    expect(Buffer.from(config['x:codeDescription'] ?? '', 'base64').toString('utf8')).toBe(
      'first 中文 (ok)*~',
    );

    expect((await stageCode(emulator, config, 'export default {}')).status).toBe(200);

    const committed = await client.commitRoutineStagingCode(
      new esa.CommitRoutineStagingCodeRequest({ name, codeDescription: 'committed' }),
    );
    expect(committed.body?.codeVersion).toBe(reserved);

    const published = await client.publishRoutineCodeVersion(
      new esa.PublishRoutineCodeVersionRequest({ name, env: 'staging', codeVersion: reserved }),
    );
    expect(published.body?.codeVersion).toBe(reserved);

    const routine = await client.getRoutine(new esa.GetRoutineRequest({ name }));
    expect(routine.body?.description).toBe('d');
    expect(routine.body?.defaultRelatedRecord).toBe(`${name}.emulator.er.aliyun-esa.net`);
    const staging = routine.body?.envs?.find((e) => e.env === 'staging');
    expect(staging?.codeDeploy?.codeVersions?.[0]?.codeVersion).toBe(reserved);
    expect(staging?.codeDeploy?.strategy).toBe('percentage');
    expect(routine.body?.envs?.find((e) => e.env === 'production')?.codeDeploy).toBeUndefined();

    const list = await client.listRoutineCodeVersions(
      new esa.ListRoutineCodeVersionsRequest({ name, pageNumber: 1, pageSize: 10 }),
    );
    expect(list.body?.totalCount).toBe(1);
    expect(list.body?.codeVersions?.[0]?.codeVersion).toBe(reserved);
    expect(list.body?.codeVersions?.[0]?.codeDescription).toBe('committed');

    const refused = await sdkError(
      client.deleteRoutineCodeVersion(
        new esa.DeleteRoutineCodeVersionRequest({ name, codeVersion: reserved }),
      ),
    );
    expect(refused.code).toBe('DependedByOthers');
    expect(refused.statusCode).toBe(400);
    expect(refused.message).toContain('staging');

    // A second commit of the same staging code gets a fresh version; move staging to it.
    const again = await client.commitRoutineStagingCode(new esa.CommitRoutineStagingCodeRequest({ name }));
    const second = again.body?.codeVersion ?? '';
    expect(second).toMatch(/^\d{19}$/);
    expect(second).not.toBe(reserved);
    await client.publishRoutineCodeVersion(
      new esa.PublishRoutineCodeVersionRequest({ name, env: 'staging', codeVersion: second }),
    );
    const deleted = await client.deleteRoutineCodeVersion(
      new esa.DeleteRoutineCodeVersionRequest({ name, codeVersion: reserved }),
    );
    expect(deleted.body?.status).toBe('OK');
    expect([...(emulator.state.routines.get(name)?.versions.keys() ?? [])]).toEqual([second]);
  });

  it('surfaces RoutineNotExist and MissingParameter as SDK errors', async () => {
    const client = sdkClient(emulator, credentialsOf(kind));
    const missing = await sdkError(client.getRoutine(new esa.GetRoutineRequest({ name: 'no-such-routine' })));
    expect(missing.code).toBe('RoutineNotExist');
    expect(missing.statusCode).toBe(400);
    const noName = await sdkError(
      client.commitRoutineStagingCode(new esa.CommitRoutineStagingCodeRequest({})),
    );
    expect(noName.code).toBe('MissingParameter');
    expect(noName.message).toContain('Name is mandatory for this action.');
  });
});

describe('official SDK errors of the routine actions', () => {
  it('refuses a duplicate routine and a bad name', async () => {
    const client = sdkClient(emulator, emulator.credentials);
    await client.createRoutine(new esa.CreateRoutineRequest({ name: 'dup-routine' }));
    const dup = await sdkError(client.createRoutine(new esa.CreateRoutineRequest({ name: 'dup-routine' })));
    expect(dup.code).toBe('RoutineAlreadyExist');
    const bad = await sdkError(client.createRoutine(new esa.CreateRoutineRequest({ name: 'Bad_Name' })));
    expect(bad.code).toBe('InvalidParameter');
  });

  it('answers CodeVersionNumberExceedQuotaLimit once the quota is full', async () => {
    const client = sdkClient(emulator, emulator.credentials);
    const name = 'quota-routine';
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    for (let i = 0; i < 3; i += 1) {
      const info = await client.getRoutineStagingCodeUploadInfo(
        new esa.GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: `v${i}` }),
      );
      await stageCode(emulator, (info.body?.ossPostConfig ?? {}) as Record<string, string>, `// ${i}`);
      await client.commitRoutineStagingCode(new esa.CommitRoutineStagingCodeRequest({ name }));
    }
    const full = await sdkError(
      client.getRoutineStagingCodeUploadInfo(new esa.GetRoutineStagingCodeUploadInfoRequest({ name })),
    );
    expect(full.code).toBe('CodeVersionNumberExceedQuotaLimit');
    expect(full.statusCode).toBe(400);
    const commit = await sdkError(
      client.commitRoutineStagingCode(new esa.CommitRoutineStagingCodeRequest({ name })),
    );
    expect(commit.code).toBe('CodeVersionNumberExceedQuotaLimit');
  });

  it('refuses a commit before any upload and a publish of an unknown version or env', async () => {
    const client = sdkClient(emulator, emulator.credentials);
    const name = 'empty-routine';
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    const commit = await sdkError(
      client.commitRoutineStagingCode(new esa.CommitRoutineStagingCodeRequest({ name })),
    );
    expect(commit.code).toBe('InvalidParameter');
    expect(commit.message).toContain('no staging code: upload it to OSS first');
    const version = await sdkError(
      client.publishRoutineCodeVersion(
        new esa.PublishRoutineCodeVersionRequest({
          name,
          env: 'staging',
          codeVersion: '1234567890123456789',
        }),
      ),
    );
    expect(version.code).toBe('InvalidParameter');
    const env = await sdkError(
      client.publishRoutineCodeVersion(
        new esa.PublishRoutineCodeVersionRequest({ name, env: 'canary', codeVersion: '1234567890123456789' }),
      ),
    );
    expect(env.code).toBe('InvalidParameter');
    expect(env.message).toContain('Env must be staging or production');
  });

  it('had every SDK call verified: no signature mismatch was answered', () => {
    const answered = emulator.state.requests.filter((r) => r.service === 'esa' && r.status === 200);
    expect(answered.length).toBeGreaterThan(10);
    expect(emulator.state.requests.some((r) => r.code === 'SignatureDoesNotMatch')).toBe(false);
  });
});
