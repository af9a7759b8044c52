// Deployments by percentage and the version actions, through the official SDK (@alicloud/esa20240910).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { callRaw, type EsaClient, esa, sdkClient, sdkError, stageCode } from './esa-helpers.js';

let emulator: Emulator;
let client: InstanceType<typeof EsaClient>;

beforeAll(async () => {
  emulator = await startEmulator({ versionQuota: 50, stagingIps: ['10.0.0.1', '192.168.7.9'] });
  client = sdkClient(emulator, emulator.credentials);
});

afterAll(async () => {
  await emulator.close();
});

/** Uploads `code` as the routine's staging code (without the OSS server) and commits it. */
async function commitCode(name: string, code: string, description: string): Promise<string> {
  const info = await client.getRoutineStagingCodeUploadInfo(
    new esa.GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: description }),
  );
  const config = (info.body?.ossPostConfig ?? {}) as Record<string, string>;
  expect((await stageCode(emulator, config, code)).status).toBe(200);
  const commit = await client.commitRoutineStagingCode(new esa.CommitRoutineStagingCodeRequest({ name }));
  return commit.body?.codeVersion ?? '';
}

/** A routine with two committed versions. */
async function routineWithTwoVersions(name: string): Promise<[string, string]> {
  await client.createRoutine(new esa.CreateRoutineRequest({ name }));
  return [await commitCode(name, '// one', 'one'), await commitCode(name, '// two', 'two')];
}

function deploy(name: string, env: string, codeVersions: Array<{ codeVersion: string; percentage: number }>) {
  return client.createRoutineCodeDeployment(
    new esa.CreateRoutineCodeDeploymentRequest({
      name,
      env,
      strategy: 'percentage',
      codeVersions: codeVersions.map((v) => new esa.CreateRoutineCodeDeploymentRequestCodeVersions(v)),
    }),
  );
}

async function codeDeployOf(name: string, env: string) {
  const routine = await client.getRoutine(new esa.GetRoutineRequest({ name }));
  return routine.body?.envs?.find((e) => e.env === env)?.codeDeploy;
}

describe('CreateRoutineCodeDeployment', () => {
  it('deploys a 90/10 canary that GetRoutine shows with both versions and percentages', async () => {
    const name = 'canary-routine';
    const [v1, v2] = await routineWithTwoVersions(name);
    const created = await deploy(name, 'production', [
      { codeVersion: v1, percentage: 90 },
      { codeVersion: v2, percentage: 10 },
    ]);
    expect(created.statusCode).toBe(200);
    expect(created.body?.strategy).toBe('percentage');
    expect(created.body?.deploymentId).toMatch(/^deploy-\d{8}$/);
    expect(created.body?.codeVersions?.map((v) => [v.codeVersion, v.percentage])).toEqual([
      [v1, 90],
      [v2, 10],
    ]);

    const routine = await client.getRoutine(new esa.GetRoutineRequest({ name }));
    expect(routine.body?.defaultRelatedRecord).toBe(`${name}.emulator.er.aliyun-esa.net`);
    const production = routine.body?.envs?.find((e) => e.env === 'production')?.codeDeploy;
    expect(production?.deployId).toBe(created.body?.deploymentId);
    expect(production?.strategy).toBe('percentage');
    expect(production?.creationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const versions = emulator.state.routines.get(name)?.versions;
    expect(
      production?.codeVersions?.map((v) => ({
        codeVersion: v.codeVersion,
        percentage: v.percentage,
        description: v.description,
        createTime: v.createTime,
      })),
    ).toEqual([
      {
        codeVersion: v1,
        percentage: 90,
        description: 'one',
        createTime: `${versions?.get(v1)?.createTime.toISOString().slice(0, 19)}Z`,
      },
      {
        codeVersion: v2,
        percentage: 10,
        description: 'two',
        createTime: `${versions?.get(v2)?.createTime.toISOString().slice(0, 19)}Z`,
      },
    ]);
    expect(routine.body?.envs?.find((e) => e.env === 'staging')?.codeDeploy).toBeUndefined();
    expect(emulator.state.routines.get(name)?.envs.get('production')).toMatchObject({
      strategy: 'percentage',
      codeVersions: [
        { codeVersion: v1, percentage: 90 },
        { codeVersion: v2, percentage: 10 },
      ],
    });
    const stored = emulator.state.routines.get(name);
    expect(stored && emulator.state.deployedEnvs(stored, v2)).toEqual(['production']);

    // A new deployment replaces the environment's: one version, a fresh id.
    const replaced = await deploy(name, 'production', [{ codeVersion: v2, percentage: 100 }]);
    expect(replaced.body?.deploymentId).not.toBe(created.body?.deploymentId);
    const after = await codeDeployOf(name, 'production');
    expect(after?.deployId).toBe(replaced.body?.deploymentId);
    expect(after?.codeVersions?.map((v) => [v.codeVersion, v.percentage])).toEqual([[v2, 100]]);
  });

  it('deploys to staging on its own, and the legacy PublishRoutineCodeVersion sets 100%', async () => {
    const name = 'legacy-routine';
    const [v1, v2] = await routineWithTwoVersions(name);
    await deploy(name, 'staging', [
      { codeVersion: v1, percentage: 50 },
      { codeVersion: v2, percentage: 50 },
    ]);
    expect(await codeDeployOf(name, 'production')).toBeUndefined();
    const published = await client.publishRoutineCodeVersion(
      new esa.PublishRoutineCodeVersionRequest({ name, env: 'staging', codeVersion: v2 }),
    );
    expect(published.body?.codeVersion).toBe(v2);
    const staging = await codeDeployOf(name, 'staging');
    expect(staging?.strategy).toBe('percentage');
    expect(staging?.codeVersions?.map((v) => [v.codeVersion, v.percentage, v.description])).toEqual([
      [v2, 100, 'two'],
    ]);
  });

  it('takes CodeVersion as a bare 19-digit JSON number without losing digits', async () => {
    const name = 'number-routine';
    const [v1, v2] = await routineWithTwoVersions(name);
    // Both above 2^53: JSON.parse into a JS number would change their last digits.
    expect(Number(v1).toString()).not.toBe(v1);
    const res = await callRaw(emulator, {
      action: 'CreateRoutineCodeDeployment',
      credential: emulator.credentials,
      form: {
        Name: name,
        Env: 'production',
        Strategy: 'percentage',
        CodeVersions: `[{"CodeVersion": ${v1},"Percentage":80},{"Percentage":20,"CodeVersion":${v2}}]`,
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain(
      `"CodeVersions":[{"CodeVersion":"${v1}","Percentage":80},{"CodeVersion":"${v2}","Percentage":20}]`,
    );
    expect(emulator.state.routines.get(name)?.envs.get('production')?.codeVersions).toEqual([
      { codeVersion: v1, percentage: 80 },
      { codeVersion: v2, percentage: 20 },
    ]);
  });

  it('refuses every broken rule with InvalidParameter and leaves the environment alone', async () => {
    const name = 'rules-routine';
    const [v1, v2] = await routineWithTwoVersions(name);
    await deploy(name, 'production', [{ codeVersion: v1, percentage: 100 }]);
    const before = emulator.state.routines.get(name)?.envs.get('production');
    const cases: Array<{
      readonly env?: string;
      readonly strategy?: string;
      readonly codeVersions: Array<{ codeVersion: string; percentage: number }>;
      readonly message: string;
    }> = [
      {
        env: 'canary',
        codeVersions: [{ codeVersion: v2, percentage: 100 }],
        message: 'Env must be staging or production, got "canary"',
      },
      {
        strategy: 'weighted',
        codeVersions: [{ codeVersion: v2, percentage: 100 }],
        message: 'Strategy must be percentage, got "weighted"',
      },
      { codeVersions: [], message: 'CodeVersions must list 1 or 2 versions, got 0' },
      {
        codeVersions: [
          { codeVersion: v1, percentage: 40 },
          { codeVersion: v2, percentage: 40 },
          { codeVersion: v2, percentage: 20 },
        ],
        message: 'CodeVersions must list 1 or 2 versions, got 3',
      },
      {
        codeVersions: [
          { codeVersion: v1, percentage: 100 },
          { codeVersion: v2, percentage: 0 },
        ],
        message: 'CodeVersions[1].Percentage must be an integer from 1 to 100, got 0',
      },
      {
        codeVersions: [{ codeVersion: v2, percentage: 101 }],
        message: 'CodeVersions[0].Percentage must be an integer from 1 to 100, got 101',
      },
      {
        codeVersions: [
          { codeVersion: v1, percentage: 49.5 },
          { codeVersion: v2, percentage: 50.5 },
        ],
        message: 'CodeVersions[0].Percentage must be an integer from 1 to 100, got 49.5',
      },
      {
        codeVersions: [
          { codeVersion: v1, percentage: 80 },
          { codeVersion: v2, percentage: 10 },
        ],
        message: 'The Percentage values of CodeVersions must sum to 100, got 90',
      },
      {
        codeVersions: [{ codeVersion: v2, percentage: 90 }],
        message: 'The Percentage values of CodeVersions must sum to 100, got 90',
      },
      {
        codeVersions: [
          { codeVersion: v2, percentage: 50 },
          { codeVersion: v2, percentage: 50 },
        ],
        message: `CodeVersions lists code version ${v2} more than once`,
      },
      {
        codeVersions: [
          { codeVersion: v2, percentage: 50 },
          { codeVersion: '1234567890123456789', percentage: 50 },
        ],
        message: `Code version 1234567890123456789 does not exist in routine ${name}`,
      },
    ];
    for (const c of cases) {
      const error = await sdkError(
        client.createRoutineCodeDeployment(
          new esa.CreateRoutineCodeDeploymentRequest({
            name,
            env: c.env ?? 'production',
            strategy: c.strategy ?? 'percentage',
            codeVersions: c.codeVersions.map(
              (v) => new esa.CreateRoutineCodeDeploymentRequestCodeVersions(v),
            ),
          }),
        ),
      );
      expect([error.statusCode, error.code, error.message], c.message).toEqual([
        400,
        'InvalidParameter',
        expect.stringContaining(c.message),
      ]);
    }
    const raw = await callRaw(emulator, {
      action: 'CreateRoutineCodeDeployment',
      credential: emulator.credentials,
      form: { Name: name, Env: 'production', Strategy: 'percentage', CodeVersions: '{"CodeVersion":1}' },
    });
    expect([raw.status, raw.json().Code]).toEqual([400, 'InvalidParameter']);
    expect(String(raw.json().Message)).toContain('CodeVersions must be a JSON array');
    const missing = await sdkError(
      client.createRoutineCodeDeployment(
        new esa.CreateRoutineCodeDeploymentRequest({ name, env: 'production', strategy: 'percentage' }),
      ),
    );
    expect([missing.code, missing.message]).toEqual([
      'MissingParameter',
      expect.stringContaining('CodeVersions is mandatory for this action.'),
    ]);
    expect(emulator.state.routines.get(name)?.envs.get('production')).toBe(before);
    expect(emulator.state.routines.get(name)?.envs.has('staging')).toBe(false);
  });
});

describe('ListRoutineCodeVersions', () => {
  it('lists 45 versions as 2 pages of 20, newest first, with TotalCount 45', async () => {
    const name = 'many-routine';
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    const info = await client.getRoutineStagingCodeUploadInfo(
      new esa.GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: 'many' }),
    );
    await stageCode(emulator, (info.body?.ossPostConfig ?? {}) as Record<string, string>, '// many');
    const versions: string[] = [];
    // Each commit of the same staging code makes a fresh version.
    for (let i = 0; i < 45; i += 1) {
      const commit = await client.commitRoutineStagingCode(
        new esa.CommitRoutineStagingCodeRequest({ name, codeDescription: `v${i}` }),
      );
      versions.push(commit.body?.codeVersion ?? '');
    }
    expect(new Set(versions).size).toBe(45);
    const newestFirst = [...versions].reverse();
    const listed: string[] = [];
    for (const pageNumber of [1, 2]) {
      const page = await client.listRoutineCodeVersions(
        new esa.ListRoutineCodeVersionsRequest({ name, pageNumber, pageSize: 20 }),
      );
      expect(page.body?.pageNumber).toBe(pageNumber);
      expect(page.body?.pageSize).toBe(20);
      expect(page.body?.totalCount).toBe(45);
      expect(page.body?.codeVersions).toHaveLength(20);
      for (const item of page.body?.codeVersions ?? []) {
        expect(item.status).toBe('Available');
        expect(item.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        listed.push(item.codeVersion ?? '');
      }
    }
    expect(listed).toEqual(newestFirst.slice(0, 40));
    const first = await client.listRoutineCodeVersions(
      new esa.ListRoutineCodeVersionsRequest({ name, pageNumber: 1, pageSize: 1 }),
    );
    expect(first.body?.codeVersions?.[0]?.codeDescription).toBe('v44');

    const page3 = await sdkError(
      client.listRoutineCodeVersions(
        new esa.ListRoutineCodeVersionsRequest({ name, pageNumber: 3, pageSize: 20 }),
      ),
    );
    expect([page3.statusCode, page3.code]).toEqual([400, 'InvalidParameter']);
    expect(page3.message).toContain('PageNumber must be an integer from 1 to 2, got "3"');
    const size21 = await sdkError(
      client.listRoutineCodeVersions(
        new esa.ListRoutineCodeVersionsRequest({ name, pageNumber: 1, pageSize: 21 }),
      ),
    );
    expect([size21.statusCode, size21.code]).toEqual([400, 'InvalidParameter']);
    expect(size21.message).toContain('PageSize must be an integer from 1 to 20, got "21"');
  });
});

describe('DeleteRoutineCodeVersion', () => {
  it('answers DependedByOthers for any deployed version, even the 10% side of a canary', async () => {
    const name = 'depended-routine';
    const [v1, v2] = await routineWithTwoVersions(name);
    await deploy(name, 'production', [
      { codeVersion: v1, percentage: 90 },
      { codeVersion: v2, percentage: 10 },
    ]);
    const remove = (codeVersion: string) =>
      client.deleteRoutineCodeVersion(new esa.DeleteRoutineCodeVersionRequest({ name, codeVersion }));

    const canary = await sdkError(remove(v2));
    expect([canary.statusCode, canary.code]).toEqual([400, 'DependedByOthers']);
    expect(canary.message).toContain(`Code version ${v2} is deployed to production;`);

    await deploy(name, 'staging', [{ codeVersion: v2, percentage: 100 }]);
    const both = await sdkError(remove(v2));
    expect(both.code).toBe('DependedByOthers');
    expect(both.message).toContain('deployed to production and staging');

    await deploy(name, 'production', [{ codeVersion: v1, percentage: 100 }]);
    await client.publishRoutineCodeVersion(
      new esa.PublishRoutineCodeVersionRequest({ name, env: 'staging', codeVersion: v1 }),
    );
    const deleted = await remove(v2);
    expect(deleted.body?.status).toBe('OK');
    expect([...(emulator.state.routines.get(name)?.versions.keys() ?? [])]).toEqual([v1]);
    expect((await sdkError(remove(v1))).code).toBe('DependedByOthers');
  });
});

describe('GetRoutineCodeVersion', () => {
  it('returns the exact uploaded code, its description and creation time', async () => {
    const name = 'code-routine';
    await client.createRoutine(new esa.CreateRoutineRequest({ name }));
    const code = 'export default {\n  fetch() { return new Response("héllo ✓ 😀"); },\n};\r\n// end\n';
    const codeVersion = await commitCode(name, code, 'described');
    const got = await client.getRoutineCodeVersion(
      new esa.GetRoutineCodeVersionRequest({ name, codeVersion }),
    );
    expect(got.statusCode).toBe(200);
    expect(got.body?.routineCode).toBe(code);
    expect(got.body?.codeDescription).toBe('described');
    const stored = emulator.state.routines.get(name)?.versions.get(codeVersion);
    expect(got.body?.createTime).toBe(`${stored?.createTime.toISOString().slice(0, 19)}Z`);

    const unknown = await sdkError(
      client.getRoutineCodeVersion(
        new esa.GetRoutineCodeVersionRequest({ name, codeVersion: '1234567890123456789' }),
      ),
    );
    expect([unknown.statusCode, unknown.code]).toEqual([400, 'InvalidParameter']);
    expect(unknown.message).toContain(`Code version 1234567890123456789 does not exist in routine ${name}.`);
    const noVersion = await sdkError(
      client.getRoutineCodeVersion(new esa.GetRoutineCodeVersionRequest({ name })),
    );
    expect(noVersion.code).toBe('MissingParameter');
  });
});

describe('GetRoutineStagingEnvIp', () => {
  it('answers the stagingIps option as IPV4', async () => {
    const res = await client.getRoutineStagingEnvIp();
    expect(res.statusCode).toBe(200);
    expect(res.body?.IPV4).toEqual(['10.0.0.1', '192.168.7.9']);
    expect(res.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });
});
