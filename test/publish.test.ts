import { createHash } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { join } from 'node:path';
import {
  EsaError,
  NetworkError,
  OssError,
  type PublishedResult,
  type PublishOptions,
  publishRoutine,
} from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from './helpers/capture-logger.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { EXPIRED_POLICY_FAULT } from './helpers/plugin-setup.js';

const CODE = 'export default { async fetch(request) { return new Response("hello from the edge"); } };\n';

let emulator: Emulator;
let repo: TempRepo;
beforeAll(async () => {
  emulator = await startEmulator({ routines: ['my-routine', 'other-routine'], versionQuota: 100 });
  repo = await createTempRepo({ 'index.js': CODE }, 'feat: first edge routine');
});
afterAll(async () => {
  await emulator.close();
  await repo.remove();
});
beforeEach(() => {
  emulator.faults.clear();
});

function env(): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
  };
}

function options(extra: Partial<PublishOptions> = {}): PublishOptions {
  // The mechanics of each step: every publish makes a version (the unchanged check has its own tests).
  return {
    name: 'my-routine',
    endpoint: emulator.endpoint,
    logLevel: 'debug',
    skipUnchanged: false,
    ...extra,
  };
}

const output = () => ({
  fileName: 'index.js',
  isEntry: true,

  source: { path: join(repo.dir, 'index.js') },
});

function actions(since: number): string[] {
  return emulator.state.requests.slice(since).map((r) => (r.service === 'esa' ? r.action : r.service));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the publish to fail');
    },
    (error: unknown) => error as Error,
  );
}

describe('publishRoutine against the emulator', () => {
  it('uploads, commits and deploys to staging, with the git description', async () => {
    const logger = captureLogger();
    const before = emulator.state.requests.length;
    const result = (await publishRoutine(options({ logger }), output(), {
      env: env(),
      cwd: repo.dir,
    })) as PublishedResult;

    expect(result.dryRun).toBe(false);
    expect(result.codeVersion).toMatch(/^\d{19}$/);
    expect(result.description).toBe(`${repo.shortSha} feat: first edge routine`);
    expect(result.size).toBe(Buffer.byteLength(CODE));
    expect(result.sha256).toBe(createHash('sha256').update(CODE).digest('hex'));
    expect(result.deployedTo).toEqual(['staging']);
    expect(result.requestIds.uploadInfo).toMatch(/^[0-9A-F-]{36}$/);
    expect(result.requestIds.commit).toMatch(/^[0-9A-F-]{36}$/);
    expect(result.requestIds.staging).toMatch(/^[0-9A-F-]{36}$/);
    expect(result.timings.total).toBeGreaterThanOrEqual(result.timings.upload ?? Number.POSITIVE_INFINITY);

    // One request per step, nothing else; the first three concurrently.
    const made = actions(before);
    expect(made.slice(0, 3).sort()).toEqual([
      'GetRoutine',
      'GetRoutineStagingCodeUploadInfo',
      'GetRoutineStagingEnvIp',
    ]);
    expect(made.slice(3)).toEqual([
      'callback',
      'oss',
      'CommitRoutineStagingCode',
      'GetRoutineCodeVersion',
      'CreateRoutineCodeDeployment',
    ]);
    expect(result.status).toBe('published');
    expect(result.versionsCreated).toEqual([result.codeVersion]);
    expect(result.deployments).toEqual([
      { env: 'staging', codeVersions: [{ codeVersion: result.codeVersion, percentage: 100 }] },
    ]);
    const routine = emulator.state.routines.get('my-routine');
    expect(routine?.envs.get('staging')?.codeVersions).toEqual([
      { codeVersion: result.codeVersion, percentage: 100 },
    ]);
    expect(routine?.versions.get(result.codeVersion)?.deployEnv).toBe('staging');
    expect(result.staging).toEqual({
      host: 'my-routine.emulator.er.aliyun-esa.net',
      ips: ['127.0.0.1'],
      curl: 'curl --resolve my-routine.emulator.er.aliyun-esa.net:443:127.0.0.1 https://my-routine.emulator.er.aliyun-esa.net/',
    });
    expect(logger.text()).toContain(`reach staging: ${result.staging?.curl}`);
    const version = routine?.versions.get(result.codeVersion);
    expect(version?.bytes.toString('utf8')).toBe(CODE);
    expect(version?.description).toBe(result.description);

    const line = logger.lines.find((l) => l.startsWith('[info]')) ?? '';
    expect(line).toMatch(
      new RegExp(
        `^\\[info\\] esa-stage: my-routine -> ${result.codeVersion} on staging \\(\\d+\\.\\d kB|\\d+ B`,
      ),
    );
    expect(line).toContain(`"${result.description}"`);
  });

  it('makes every ESA call of a publish on at most three keep-alive connections', async () => {
    const esaPort = new URL(emulator.endpoint).port;
    const connections: string[] = [];
    const onConnect = (message: unknown) => {
      const { connectParams } = message as { connectParams: { host: string } };
      connections.push(connectParams.host);
    };
    diagnostics.subscribe('undici:client:connected', onConnect);
    try {
      await publishRoutine(options({ deploy: 'production', logLevel: 'silent' }), output(), {
        env: env(),
        cwd: repo.dir,
      });
    } finally {
      diagnostics.unsubscribe('undici:client:connected', onConnect);
    }
    // The first round trip's three calls at once take three connections; every later call reuses
    // them. (The OSS upload may reuse a keep-alive connection of an earlier test: not counted.)
    const esa = connections.filter((host) => host.endsWith(`:${esaPort}`));
    expect(esa.length).toBeGreaterThanOrEqual(1);
    expect(esa.length).toBeLessThanOrEqual(3);
    expect(emulator.state.requests.filter((r) => r.service === 'esa').length).toBeGreaterThanOrEqual(7);
  });

  it('deploys to staging then production, or commits only', async () => {
    const both = (await publishRoutine(options({ deploy: 'production' }), output(), {
      env: env(),
      cwd: repo.dir,
    })) as PublishedResult;
    expect(both.deployedTo).toEqual(['staging', 'production']);
    const routine = emulator.state.routines.get('my-routine');
    expect(routine?.envs.get('production')?.codeVersions[0]?.codeVersion).toBe(both.codeVersion);
    // DeployEnv names where the version is headed: production's variables go with it.
    expect(routine?.versions.get(both.codeVersion)?.deployEnv).toBe('production');

    const before = emulator.state.requests.length;
    const none = (await publishRoutine(options({ deploy: false, logLevel: 'silent' }), output(), {
      env: env(),
      cwd: repo.dir,
    })) as PublishedResult;
    expect(none.deployedTo).toEqual([]);
    expect(actions(before)).not.toContain('CreateRoutineCodeDeployment');
    expect(actions(before)).not.toContain('GetRoutineStagingEnvIp');
    expect(none.staging).toBeUndefined();
    expect(routine?.versions.has(none.codeVersion)).toBe(true);
    expect(routine?.envs.get('staging')?.codeVersions[0]?.codeVersion).toBe(both.codeVersion);
  });

  it('publishes bytes held in memory, marks a dirty tree and honours a description template', async () => {
    await repo.write('index.js', `${CODE}// edited\n`);
    const bytes = new TextEncoder().encode('export default { fetch: () => new Response("mem") };');
    const result = (await publishRoutine(
      options({ name: 'other-routine', description: '{branch} {shortSha}{dirty}', logLevel: 'silent' }),
      [{ fileName: 'out.js', isEntry: true, source: { bytes } }],
      { env: env(), cwd: repo.dir },
    )) as PublishedResult;
    await repo.write('index.js', CODE);
    expect(result.description).toBe(`main ${repo.shortSha}-dirty`);
    expect(
      emulator.state.routines
        .get('other-routine')
        ?.versions.get(result.codeVersion)
        ?.bytes.equals(Buffer.from(bytes)),
    ).toBe(true);
  });

  it('streams a multi-megabyte file through its buffer ring byte for byte', async () => {
    const { randomBytes } = await import('node:crypto');
    const { writeFile } = await import('node:fs/promises');
    // A routine carrying 5 MB of random data (as base64), so every buffer of the ring differs.
    const big = Buffer.from(
      `export default { fetch: () => new Response(DATA) };\nconst DATA = "${randomBytes(3932160 + 12345).toString('base64')}";\n`,
    );
    const path = join(repo.dir, 'big.js');
    await writeFile(path, big);
    const result = (await publishRoutine(
      options({ logLevel: 'silent', deploy: false }),
      { fileName: 'big.js', isEntry: true, source: { path } },
      { env: env(), cwd: repo.dir },
    )) as PublishedResult;
    const stored = emulator.state.routines.get('my-routine')?.versions.get(result.codeVersion);
    expect(stored?.size).toBe(big.length);
    expect(stored?.sha256).toBe(createHash('sha256').update(big).digest('hex'));
    expect(result.sha256).toBe(stored?.sha256);
  });

  it('makes no request in a dry run and reports the plan', async () => {
    const logger = captureLogger();
    const before = emulator.state.requests.length;
    const plan = await publishRoutine(options({ dryRun: true, logger, deploy: 'production' }), output(), {
      env: env(),
      cwd: repo.dir,
    });
    expect(emulator.state.requests.length).toBe(before);
    expect(plan).toMatchObject({
      dryRun: true,
      name: 'my-routine',
      fileName: 'index.js',
      size: Buffer.byteLength(CODE),
      sha256: createHash('sha256').update(CODE).digest('hex'),
      endpoint: emulator.endpoint,
      credentials: 'env ALIBABA_CLOUD_ACCESS_KEY_ID',
      steps: [
        'GetRoutine + GetRoutineStagingEnvIp + GetRoutineStagingCodeUploadInfo',
        'OSS PostObject upload',
        'CommitRoutineStagingCode',
        'GetRoutineCodeVersion (the version holds these bytes)',
        'CreateRoutineCodeDeployment Env=staging',
        'CreateRoutineCodeDeployment Env=production',
      ],
    });
    expect(logger.text()).toContain('dry run: would publish index.js');
  });

  it('fails with ESA’s code, request id and a hint for a missing routine, without retrying', async () => {
    const before = emulator.state.requests.length;
    const error = await rejection(
      publishRoutine(options({ name: 'no-such-routine' }), output(), { env: env(), cwd: repo.dir }),
    );
    expect(error).toBeInstanceOf(EsaError);
    expect((error as EsaError).code).toBe('RoutineNotExist');
    expect((error as EsaError).requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect((error as EsaError).hint).toMatch(/create the routine/);
    expect(actions(before).sort()).toEqual([
      'GetRoutine',
      'GetRoutineStagingCodeUploadInfo',
      'GetRoutineStagingEnvIp',
    ]);
  });

  it('says which version was committed when deploying it fails', async () => {
    emulator.faults.inject({
      action: 'CreateRoutineCodeDeployment',
      status: 400,
      code: 'InvalidParameter',
      times: 1,
    });
    const error = await rejection(
      publishRoutine(options({ logLevel: 'silent' }), output(), { env: env(), cwd: repo.dir }),
    );
    expect((error as EsaError).code).toBe('InvalidParameter');
    const version =
      /^CreateRoutineCodeDeployment failed: .* \(so far: this publish created version (\d{19})\)$/.exec(
        error.message,
      )?.[1];
    expect(emulator.state.routines.get('my-routine')?.versions.has(version ?? '')).toBe(true);
    expect((error as EsaError).versionsCreated).toEqual([version]);
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const error = await rejection(
      publishRoutine(options(), output(), {
        env: { ...env(), ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' },
        cwd: repo.dir,
      }),
    );
    expect((error as EsaError).code).toBe('SignatureDoesNotMatch');
    expect(error.message).not.toContain('not-the-secret');
  });

  it('retries 5xx and internal errors with backoff, then succeeds', async () => {
    emulator.faults.inject({
      action: 'CommitRoutineStagingCode',
      status: 500,
      code: 'InternalError',
      times: 2,
    });
    const before = emulator.state.requests.length;
    const result = (await publishRoutine(options({ logLevel: 'silent' }), output(), {
      env: env(),
      cwd: repo.dir,
    })) as PublishedResult;
    expect(result.deployedTo).toEqual(['staging']);
    expect(actions(before).filter((a) => a === 'CommitRoutineStagingCode')).toHaveLength(3);
  });

  it('retries throttling (an HTTP 400 with a Throttling code) and succeeds', async () => {
    emulator.faults.inject({
      action: 'GetRoutineStagingCodeUploadInfo',
      status: 400,
      code: 'Throttling.User',
      times: 1,
    });
    const before = emulator.state.requests.length;
    await publishRoutine(options({ logLevel: 'silent' }), output(), { env: env(), cwd: repo.dir });
    expect(actions(before).filter((a) => a === 'GetRoutineStagingCodeUploadInfo')).toHaveLength(2);
  });

  it('retries a dropped OSS connection and a 503 with a fresh stream', async () => {
    emulator.faults.inject({ oss: true, drop: true, times: 1 });
    emulator.faults.inject({ oss: true, status: 503, code: 'ServiceUnavailable', times: 1 });
    const before = emulator.state.requests.length;
    const result = (await publishRoutine(options({ logLevel: 'silent' }), output(), {
      env: env(),
      cwd: repo.dir,
    })) as PublishedResult;
    expect(
      emulator.state.routines.get('my-routine')?.versions.get(result.codeVersion)?.bytes.toString(),
    ).toBe(CODE);
    expect(actions(before).filter((a) => a === 'oss').length).toBeGreaterThanOrEqual(2);
  });

  it('asks for new upload info once when the policy expired', async () => {
    emulator.faults.inject(EXPIRED_POLICY_FAULT);
    const logger = captureLogger();
    const before = emulator.state.requests.length;
    await publishRoutine(options({ logger }), output(), { env: env(), cwd: repo.dir });
    expect(actions(before).filter((a) => a === 'GetRoutineStagingCodeUploadInfo')).toHaveLength(2);
    expect(logger.text()).toContain('upload policy had expired');
  });

  it('fails, and commits nothing, when the upload callback keeps failing (203 CallbackFailed)', async () => {
    emulator.faults.inject({ callback: true, status: 500, code: 'Boom' });
    const before = emulator.state.requests.length;
    const error = await rejection(
      publishRoutine(options({ retries: 1, logLevel: 'silent' }), output(), { env: env(), cwd: repo.dir }),
    );
    expect(error).toBeInstanceOf(OssError);
    expect((error as OssError).code).toBe('CallbackFailed');
    expect((error as OssError).status).toBe(203);
    expect(actions(before)).not.toContain('CommitRoutineStagingCode');
  });

  it('times out a request that gets no answer', async () => {
    emulator.faults.inject({ action: 'GetRoutineStagingCodeUploadInfo', delayMs: 1500 });
    const error = await rejection(
      publishRoutine(options({ timeout: 200, retries: 0 }), output(), { env: env(), cwd: repo.dir }),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('RequestTimeout');
  });

  it('stops when aborted', async () => {
    emulator.faults.inject({ action: 'GetRoutineStagingCodeUploadInfo', delayMs: 1500 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(
      publishRoutine(options({ signal: controller.signal }), output(), { env: env(), cwd: repo.dir }),
    );
    expect((error as NetworkError).code).toBe('Aborted');
  });

  it('reports CodeVersionNumberExceedQuotaLimit when the routine keeps too many versions', async () => {
    const small = await startEmulator({ routines: ['full'], versionQuota: 1 });
    try {
      const e = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: small.credentials.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: small.credentials.accessKeySecret,
      };
      const full = {
        name: 'full',
        endpoint: small.endpoint,
        logLevel: 'silent',
        skipUnchanged: false,
      } as const;
      await publishRoutine(full, output(), {
        env: e,
        cwd: repo.dir,
      });
      const error = await rejection(
        publishRoutine(full, output(), {
          env: e,
          cwd: repo.dir,
        }),
      );
      expect((error as EsaError).code).toBe('CodeVersionNumberExceedQuotaLimit');
      expect((error as EsaError).hint).toMatch(
        /`esa-stage versions prune --name full --keep 5`, or let publishes do it with `pruneVersions: \{ keep: 5 \}` \(CLI `--prune 5`\)/,
      );
    } finally {
      await small.close();
    }
  });

  it('publishes with STS credentials', async () => {
    const sts = emulator.credentials.sts;
    const result = await publishRoutine(
      options({
        logLevel: 'silent',
        credentials: {
          accessKeyId: sts.accessKeyId,
          accessKeySecret: sts.accessKeySecret,
          securityToken: sts.securityToken,
        },
      }),
      output(),
      { env: {}, cwd: repo.dir },
    );
    expect(result.dryRun).toBe(false);
  });
});
