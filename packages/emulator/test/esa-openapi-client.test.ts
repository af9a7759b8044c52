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
    expect(refused.code).toBe('DependedByOthers');
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

describe('CommitRoutineStagingCode DeployEnv (not in SDK 2.43.0) and esa-cli style deployments', () => {
  const name = 'cli-deploy-env';

  async function stagedCommit(extra: Record<string, string>): Promise<Record<string, unknown>> {
    const info = await cliCall(emulator, emulator.credentials, 'GetRoutineStagingCodeUploadInfo', {
      Name: name,
    });
    await stageCode(emulator, info.OssPostConfig as Record<string, string>, 'export default {}');
    return cliCall(emulator, emulator.credentials, 'CommitRoutineStagingCode', { Name: name, ...extra });
  }

  it('records DeployEnv on the version, and refuses other values', async () => {
    await cliCall(emulator, emulator.credentials, 'CreateRoutine', { Name: name });
    const production = String((await stagedCommit({ DeployEnv: 'production' })).CodeVersion);
    const staging = String((await stagedCommit({ DeployEnv: 'staging' })).CodeVersion);
    const none = String((await stagedCommit({})).CodeVersion);
    const versions = emulator.state.routines.get(name)?.versions;
    expect(versions?.get(production)?.deployEnv).toBe('production');
    expect(versions?.get(staging)?.deployEnv).toBe('staging');
    expect(versions?.get(none)?.deployEnv).toBeUndefined();

    const refused = await sdkError(
      cliCall(emulator, emulator.credentials, 'CommitRoutineStagingCode', {
        Name: name,
        DeployEnv: 'canary',
      }),
    );
    expect(refused.code).toBe('InvalidParameter');
    expect(refused.message).toContain('DeployEnv must be staging or production, got "canary"');
    expect(emulator.state.routines.get(name)?.versions.size).toBe(3);

    const view = (await (
      await fetch(`${emulator.endpoint}/__emulator/routines/${name}/versions/${production}`)
    ).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ codeVersion: production, deployEnv: 'production', deployedTo: [] });
  });

  it("deploys with esa-cli's query, and the admin view shows versions with percentages", async () => {
    const [first, second] = [...(emulator.state.routines.get(name)?.versions.keys() ?? [])];
    const answer = await cliCall(emulator, emulator.credentials, 'CreateRoutineCodeDeployment', {
      Name: name,
      Env: 'staging',
      Strategy: 'percentage',
      CodeVersions: JSON.stringify([
        { Percentage: 70, CodeVersion: first },
        { Percentage: 30, CodeVersion: second },
      ]),
    });
    expect(answer).toEqual({
      RequestId: expect.any(String),
      CodeVersions: [
        { CodeVersion: first, Percentage: 70 },
        { CodeVersion: second, Percentage: 30 },
      ],
      DeploymentId: expect.any(String),
      Strategy: 'percentage',
    });
    const routine = (await (await fetch(`${emulator.endpoint}/__emulator/routines/${name}`)).json()) as {
      defaultRelatedRecord: string;
      envs: Record<string, unknown>;
      versions: Array<{ codeVersion: string; deployedTo: string[] }>;
    };
    expect(routine.defaultRelatedRecord).toBe(`${name}.emulator.er.aliyun-esa.net`);
    expect(routine.envs).toEqual({
      staging: {
        deployId: answer.DeploymentId,
        creationTime: expect.any(String),
        strategy: 'percentage',
        codeVersions: [
          { codeVersion: first, percentage: 70 },
          { codeVersion: second, percentage: 30 },
        ],
      },
    });
    expect(routine.versions.map((v) => v.deployedTo)).toEqual([['staging'], ['staging'], []]);
  });
});
