// esa-cli's wire style: @alicloud/openapi-client callApi with GET and every parameter in the query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { cliCall, sdkError, stageCode } from './esa-helpers.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator.close();
});

// Node's querystring leaves !'()* raw on the wire; the canonical query escapes them.
const AWKWARD = "v1 build #42 (ok)*~ !' 中文 😀 a+b=c&d";

describe.each(['ak', 'sts'] as const)('openapi-client GET + query with %s credentials', (kind) => {
  const name = `cli-${kind}`;

  it('runs every action, keeping an awkward CodeDescription intact', async () => {
    const cred = kind === 'ak' ? emulator.credentials : emulator.credentials.sts;
    expect(
      await cliCall(emulator, cred, 'CreateRoutine', { Name: name, Description: AWKWARD }),
    ).toMatchObject({
      Status: 'OK',
    });
    const info = await cliCall(emulator, cred, 'GetRoutineStagingCodeUploadInfo', {
      Name: name,
      CodeDescription: AWKWARD,
    });
    const config = info.OssPostConfig as Record<string, string>;
    expect(Buffer.from(config['x:codeDescription'] ?? '', 'base64').toString('utf8')).toBe(AWKWARD);
    expect((await stageCode(emulator, config, 'export default { fetch() {} }')).status).toBe(200);
    expect(emulator.state.routines.get(name)?.staging?.description).toBe(AWKWARD);

    const commit = await cliCall(emulator, cred, 'CommitRoutineStagingCode', {
      Name: name,
      CodeDescription: AWKWARD,
    });
    expect(commit.CodeVersion).toBe(info.CodeVersion);
    const version = String(commit.CodeVersion);
    expect(emulator.state.routines.get(name)?.versions.get(version)?.description).toBe(AWKWARD);

    await cliCall(emulator, cred, 'PublishRoutineCodeVersion', {
      Name: name,
      Env: 'production',
      CodeVersion: version,
    });
    const routine = await cliCall(emulator, cred, 'GetRoutine', { Name: name });
    expect(routine.Description).toBe(AWKWARD);
    expect(routine.Envs).toEqual([
      {
        Env: 'production',
        CodeDeploy: {
          DeployId: expect.any(String),
          CreationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          Strategy: 'percentage',
          CodeVersions: [
            { CodeVersion: version, Percentage: 100, Description: AWKWARD, CreateTime: expect.any(String) },
          ],
        },
      },
      { Env: 'staging' },
    ]);

    const list = await cliCall(emulator, cred, 'ListRoutineCodeVersions', {
      Name: name,
      SearchKeyWord: '中文',
    });
    expect(list).toMatchObject({ PageNumber: 1, PageSize: 20, TotalCount: 1 });

    const refused = await sdkError(
      cliCall(emulator, cred, 'DeleteRoutineCodeVersion', { Name: name, CodeVersion: version }),
    );
    expect(refused.code).toBe('InvalidParameter.CodeVersionInUse');
    expect(refused.message).toContain('production');
  });

  it('reports gateway errors the way esa-cli sees them', async () => {
    const cred = kind === 'ak' ? emulator.credentials : emulator.credentials.sts;
    const missing = await sdkError(cliCall(emulator, cred, 'GetRoutine', { Name: 'nope' }));
    expect(missing.code).toBe('RoutineNotExist');
    expect(missing.message).toContain('code: 400');
    const unknown = await sdkError(cliCall(emulator, cred, 'NoSuchAction', {}));
    expect(unknown.code).toBe('InvalidApi.NotFound');
    expect(unknown.message).toContain('code: 404');
  });
});
