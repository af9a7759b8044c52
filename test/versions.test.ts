import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type EsaError,
  type EsaStageError,
  type OutputChunk,
  type PublishedResult,
  type PublishOptions,
  publishRoutine,
} from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from './helpers/capture-logger.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { runNode } from './helpers/run-node.js';
import { publishWithOfficialTools } from './helpers/sdk-publish.js';

// Versions as ESA keeps them today: deployments and canaries, unchanged builds, the quota, races
// between publishes, lost answers, and the CLI's lifecycle commands. Every case reads the
// emulator's state afterwards.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));

let emulator: Emulator;
let repo: TempRepo;
let routineCount = 0;
beforeAll(async () => {
  emulator = await startEmulator({ versionQuota: 100 });
  repo = await createTempRepo({ 'README.md': '# versions\n' }, 'feat: versions');
});
afterAll(async () => {
  await emulator.close();
  await repo.remove();
});
beforeEach(() => {
  emulator.faults.clear();
});

/** A fresh routine for one test. */
function newRoutine(): string {
  routineCount += 1;
  const name = `routine-${routineCount}`;
  emulator.state.createRoutine(name);
  return name;
}

const code = (text: string) =>
  `export default { async fetch() { return new Response(${JSON.stringify(text)}); } };\n`;
const chunk = (text: string): OutputChunk => ({
  fileName: 'index.js',
  isEntry: true,
  source: { bytes: new TextEncoder().encode(code(text)) },
});
const env = () => ({
  ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
});

async function publish(name: string, text: string, extra: Partial<PublishOptions> = {}) {
  const logger = captureLogger();
  const result = (await publishRoutine(
    { name, endpoint: emulator.endpoint, logLevel: 'info', logger, ...extra },
    chunk(text),
    { env: env(), cwd: repo.dir },
  )) as PublishedResult;
  return { result, log: logger.text() };
}

async function failure(name: string, text: string, extra: Partial<PublishOptions> = {}) {
  const logger = captureLogger();
  const error = await publishRoutine(
    { name, endpoint: emulator.endpoint, logLevel: 'info', logger, ...extra },
    chunk(text),
    { env: env(), cwd: repo.dir },
  ).then(
    () => {
      throw new Error('expected the publish to fail');
    },
    (e: unknown) => e as EsaStageError,
  );
  return { error, log: logger.text() };
}

const routineOf = (name: string) => {
  const routine = emulator.state.routines.get(name);
  if (!routine) throw new Error(`no routine ${name}`);
  return routine;
};
const serves = (name: string, env: 'staging' | 'production') =>
  routineOf(name).envs.get(env)?.codeVersions ?? [];
const versionIds = (name: string) => [...routineOf(name).versions.keys()];
const requestsSince = (since: number) =>
  emulator.state.requests.slice(since).map((r) => (r.service === 'esa' ? r.action : r.service));

describe('deployments', () => {
  it('deploys with CreateRoutineCodeDeployment: staging, then staging and production, sending DeployEnv', async () => {
    const name = newRoutine();
    const before = emulator.state.requests.length;
    const { result } = await publish(name, 'one');
    expect(requestsSince(before)).toContain('CreateRoutineCodeDeployment');
    expect(requestsSince(before)).not.toContain('PublishRoutineCodeVersion');
    expect(serves(name, 'staging')).toEqual([{ codeVersion: result.codeVersion, percentage: 100 }]);
    expect(routineOf(name).versions.get(result.codeVersion)?.deployEnv).toBe('staging');

    const { result: both } = await publish(name, 'two', { deploy: 'production' });
    expect(both.deployedTo).toEqual(['staging', 'production']);
    expect(serves(name, 'production')).toEqual([{ codeVersion: both.codeVersion, percentage: 100 }]);
    expect(routineOf(name).versions.get(both.codeVersion)?.deployEnv).toBe('production');
  });

  it('deploys a canary beside what production serves, after staging', async () => {
    const name = newRoutine();
    const { result: stable } = await publish(name, 'stable', { deploy: 'production' });
    const { result: canary, log } = await publish(name, 'canary', {
      deploy: { env: 'production', percentage: 10 },
    });
    expect(serves(name, 'staging')).toEqual([{ codeVersion: canary.codeVersion, percentage: 100 }]);
    expect(serves(name, 'production')).toEqual([
      { codeVersion: canary.codeVersion, percentage: 10 },
      { codeVersion: stable.codeVersion, percentage: 90 },
    ]);
    expect(canary.deployments).toEqual([
      { env: 'staging', codeVersions: [{ codeVersion: canary.codeVersion, percentage: 100 }] },
      {
        env: 'production',
        codeVersions: [
          { codeVersion: canary.codeVersion, percentage: 10 },
          { codeVersion: stable.codeVersion, percentage: 90 },
        ],
      },
    ]);
    expect(log).toMatch(new RegExp(`-> ${canary.codeVersion} on staging and production \\(10%\\)`));
    expect(routineOf(name).versions.get(canary.codeVersion)?.deployEnv).toBe('production');
  });

  it('refuses a canary with nothing to share traffic with, before making anything', async () => {
    const name = newRoutine();
    const before = emulator.state.requests.length;
    const { error } = await failure(name, 'lonely', { deploy: { env: 'production', percentage: 10 } });
    expect(error.code).toBe('CanaryWithoutBase');
    expect(error.hint).toMatch(/deploy a version to production at 100% first/);
    expect(versionIds(name)).toEqual([]);
    expect(requestsSince(before)).not.toContain('oss');
  });

  it('validates canary percentages', async () => {
    const name = newRoutine();
    for (const percentage of [0, 101, 12.5]) {
      const { error } = await failure(name, 'x', { deploy: { env: 'production', percentage } });
      expect(error.code).toBe('InvalidConfig');
      expect(error.message).toMatch(
        `deploy: percentage must be a whole number from 1 to 100, got ${percentage}`,
      );
    }
  });

  it('uses PublishRoutineCodeVersion when asked, or when ESA does not know deployments', async () => {
    const name = newRoutine();
    let before = emulator.state.requests.length;
    const { result } = await publish(name, 'legacy', { deployApi: 'legacy' });
    expect(requestsSince(before)).toContain('PublishRoutineCodeVersion');
    expect(requestsSince(before)).not.toContain('CreateRoutineCodeDeployment');
    expect(serves(name, 'staging')).toEqual([{ codeVersion: result.codeVersion, percentage: 100 }]);

    emulator.faults.inject({
      action: 'CreateRoutineCodeDeployment',
      status: 404,
      code: 'InvalidApi.NotFound',
      message: 'Specified api is not found',
    });
    before = emulator.state.requests.length;
    const { result: fallback, log } = await publish(name, 'fallback', { deploy: 'production' });
    expect(log).toMatch(
      /ESA does not know CreateRoutineCodeDeployment here; deploying with PublishRoutineCodeVersion/,
    );
    // Once known, the newer action is not tried again in the same publish.
    expect(requestsSince(before).filter((a) => a === 'CreateRoutineCodeDeployment')).toHaveLength(1);
    expect(requestsSince(before).filter((a) => a === 'PublishRoutineCodeVersion')).toHaveLength(2);
    expect(serves(name, 'production')).toEqual([{ codeVersion: fallback.codeVersion, percentage: 100 }]);

    const { error } = await failure(name, 'split', {
      deployApi: 'legacy',
      deploy: { env: 'production', percentage: 5 },
    });
    expect(error.code).toBe('CanaryNeedsDeploymentApi');
    expect(error.message).toMatch(
      /so far: this publish created version \d{19}; staging now serves \d{19} at 100%/,
    );
  });
});

describe('unchanged builds make no version', () => {
  it('recognises the bytes staging serves, in a new process (a re-run CI job): no commit, no deploy', async () => {
    const name = newRoutine();
    const { result: first } = await publish(name, 'same');
    await writeFile(join(repo.dir, 'same.js'), code('same'));
    const before = emulator.state.requests.length;
    const run = await runNode(CLI, ['publish', 'same.js', '--name', name, '--json'], {
      cwd: repo.dir,
      env: { ...env(), ESA_ENDPOINT: emulator.endpoint },
    });
    expect(run.code).toBe(0);
    const again = JSON.parse(run.stdout) as PublishedResult;
    expect(again).toMatchObject({ status: 'unchanged', codeVersion: first.codeVersion, versionsCreated: [] });
    expect(run.stderr).toMatch(
      new RegExp(`-> ${first.codeVersion} on staging .*; unchanged: no new version`),
    );
    expect(versionIds(name)).toEqual([first.codeVersion]);
    // A small file went up while the versions were compared (a round trip sooner when it is new);
    // nothing was committed or deployed.
    const made = requestsSince(before);
    expect(made).not.toContain('CommitRoutineStagingCode');
    expect(made).not.toContain('CreateRoutineCodeDeployment');
  });

  it('uploads nothing for an unchanged file over 2 MB', async () => {
    const name = newRoutine();
    const big = `${'// padding of an unchanged large routine\n'.repeat(60_000)}${code('big')}`;
    await writeFile(join(repo.dir, 'big.js'), big);
    const args = ['publish', 'big.js', '--name', name, '--json'];
    const options = { cwd: repo.dir, env: { ...env(), ESA_ENDPOINT: emulator.endpoint } };
    const first = await runNode(CLI, args, options);
    expect(first.code, first.stderr).toBe(0);
    const before = emulator.state.requests.length;
    const again = await runNode(CLI, args, options);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'unchanged' });
    const made = requestsSince(before);
    expect(made).not.toContain('oss');
    expect(made).not.toContain('CommitRoutineStagingCode');
  });

  it('deploys an unchanged version only where a target does not serve it yet', async () => {
    const name = newRoutine();
    const { result: first } = await publish(name, 'promote me');
    const before = emulator.state.requests.length;
    const { result } = await publish(name, 'promote me', { deploy: 'production' });
    expect(result).toMatchObject({ status: 'unchanged', codeVersion: first.codeVersion });
    expect(result.deployments).toEqual([
      { env: 'production', codeVersions: [{ codeVersion: first.codeVersion, percentage: 100 }] },
    ]);
    expect(requestsSince(before).filter((a) => a === 'CreateRoutineCodeDeployment')).toHaveLength(1);
    expect(serves(name, 'production')).toEqual([{ codeVersion: first.codeVersion, percentage: 100 }]);
    expect(versionIds(name)).toEqual([first.codeVersion]);
  });

  it('recognises a version another tool made (official SDK + form-data), and --force makes a new one', async () => {
    const name = newRoutine();
    const theirs = await publishWithOfficialTools(emulator, name, code('by esa-cli'), 'made elsewhere');
    const { result } = await publish(name, 'by esa-cli');
    expect(result).toMatchObject({ status: 'unchanged', codeVersion: theirs, description: 'made elsewhere' });
    const { result: forced } = await publish(name, 'by esa-cli', { skipUnchanged: false });
    expect(forced.status).toBe('published');
    expect(versionIds(name)).toEqual([theirs, forced.codeVersion]);
  });
});

describe('the version quota', () => {
  it('prunes the oldest versions no environment serves, never a deployed one, and retries', async () => {
    const small = await startEmulator({ routines: ['quota'], versionQuota: 4 });
    const at = (extra: Partial<PublishOptions>) => ({
      name: 'quota',
      endpoint: small.endpoint,
      credentials: {
        accessKeyId: small.credentials.accessKeyId,
        accessKeySecret: small.credentials.accessKeySecret,
      },
      logLevel: 'info' as const,
      ...extra,
    });
    try {
      const made: string[] = [];
      for (const [text, deploy] of [
        ['a', 'production'],
        ['b', false],
        ['c', false],
        ['d', 'staging'],
      ] as const) {
        const r = (await publishRoutine(at({ deploy }), chunk(text), { cwd: repo.dir })) as PublishedResult;
        made.push(r.codeVersion);
      }
      const [a, b, c, d] = made;
      const full = await publishRoutine(at({}), chunk('e'), { cwd: repo.dir }).catch(
        (e: unknown) => e as EsaError,
      );
      expect((full as EsaError).code).toBe('CodeVersionNumberExceedQuotaLimit');
      expect((full as EsaError).hint).toMatch(
        /esa-stage versions prune --name quota --keep 5.*pruneVersions: \{ keep: 5 \}/,
      );

      const logger = captureLogger();
      const pruned = (await publishRoutine(at({ pruneVersions: { keep: 1 }, logger }), chunk('e'), {
        cwd: repo.dir,
      })) as PublishedResult;
      // Newest kept (d, also on staging), a kept (production): b and c deleted, oldest first.
      expect(pruned.versionsDeleted).toEqual([b, c]);
      expect([...(small.state.routines.get('quota')?.versions.keys() ?? [])]).toEqual([
        a,
        d,
        pruned.codeVersion,
      ]);
      expect(logger.text()).toMatch(
        new RegExp(`deleted version ${b} \\(created .*\\)[\\s\\S]*deleted version ${c}`),
      );
      expect(small.state.routines.get('quota')?.envs.get('production')?.codeVersions[0]?.codeVersion).toBe(a);
    } finally {
      await small.close();
    }
  });

  it('prunes nothing for a publish whose bytes are unchanged, even with the quota full', async () => {
    const small = await startEmulator({ routines: ['full'], versionQuota: 3 });
    const options = (extra: Partial<PublishOptions> = {}) => ({
      name: 'full',
      endpoint: small.endpoint,
      credentials: {
        accessKeyId: small.credentials.accessKeyId,
        accessKeySecret: small.credentials.accessKeySecret,
      },
      logLevel: 'silent' as const,
      ...extra,
    });
    try {
      for (const text of ['one', 'two', 'three']) {
        await publishRoutine(options(), chunk(text), { cwd: repo.dir });
      }
      const before = [...(small.state.routines.get('full')?.versions.keys() ?? [])];
      expect(before).toHaveLength(3);
      // Staging serves "three": the same bytes again are unchanged, and the full quota that the
      // (early) upload info met must not make it delete anything.
      const again = (await publishRoutine(options({ pruneVersions: { keep: 1 } }), chunk('three'), {
        cwd: repo.dir,
      })) as PublishedResult;
      expect(again.status).toBe('unchanged');
      expect(again.versionsDeleted).toEqual([]);
      expect([...(small.state.routines.get('full')?.versions.keys() ?? [])]).toEqual(before);
      // New bytes at the full quota: now it prunes, and publishes.
      const changed = (await publishRoutine(options({ pruneVersions: { keep: 1 } }), chunk('four'), {
        cwd: repo.dir,
      })) as PublishedResult;
      expect(changed.status).toBe('published');
      expect(changed.versionsDeleted.length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });

  it('fails as ESA does when nothing may be deleted', async () => {
    const small = await startEmulator({ routines: ['tight'], versionQuota: 1 });
    const options = {
      name: 'tight',
      endpoint: small.endpoint,
      credentials: {
        accessKeyId: small.credentials.accessKeyId,
        accessKeySecret: small.credentials.accessKeySecret,
      },
      logLevel: 'silent' as const,
      pruneVersions: { keep: 1 },
    };
    try {
      await publishRoutine(options, chunk('only'), { cwd: repo.dir });
      const error = await publishRoutine(options, chunk('more'), { cwd: repo.dir }).catch(
        (e: unknown) => e as EsaError,
      );
      expect((error as EsaError).code).toBe('CodeVersionNumberExceedQuotaLimit');
      expect(small.state.routines.get('tight')?.versions.size).toBe(1);
    } finally {
      await small.close();
    }
  });
});

describe('no wrong code under our name', () => {
  it('a publish whose commit took another publish’s upload deploys nothing and says so', async () => {
    const name = newRoutine();
    // A's commit waits, so that B uploads and commits in between: A's commit takes B's bytes.
    emulator.faults.inject({ action: 'CommitRoutineStagingCode', delayMs: 700, times: 1 });
    const uploads = emulator.state.requests.filter((r) => r.service === 'oss').length;
    const first = failure(name, 'bytes of A', { skipUnchanged: false });
    while (emulator.state.requests.filter((r) => r.service === 'oss').length === uploads) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const { result: b } = await publish(name, 'bytes of B', { skipUnchanged: false });
    const { error: a } = await first;
    expect(a.code).toBe('ConcurrentPublish');
    expect(a.message).toMatch(
      /version (\d{19}) holds other bytes .*Nothing was deployed, and \1 was deleted/,
    );
    expect(a.hint).toMatch(/concurrency/);
    expect(serves(name, 'staging')).toEqual([{ codeVersion: b.codeVersion, percentage: 100 }]);
    expect(versionIds(name)).toEqual([b.codeVersion]);
    expect(routineOf(name).versions.get(b.codeVersion)?.bytes.toString()).toBe(code('bytes of B'));
  });

  it('many publishes at once never leave a deployed version with bytes other than its publisher reported', async () => {
    const name = newRoutine();
    const texts = Array.from({ length: 6 }, (_, i) => `racer ${i}`);
    const outcomes = await Promise.all(
      texts.map((text) =>
        publishRoutine({ name, endpoint: emulator.endpoint, logLevel: 'silent' }, chunk(text), {
          env: env(),
          cwd: repo.dir,
        }).then(
          (r) => ({ text, result: r as PublishedResult }),
          (e: unknown) => ({ text, error: e as EsaStageError }),
        ),
      ),
    );
    const routine = routineOf(name);
    for (const outcome of outcomes) {
      if ('result' in outcome) {
        expect(routine.versions.get(outcome.result.codeVersion)?.bytes.toString()).toBe(code(outcome.text));
        expect(outcome.result.sha256).toBe(createHash('sha256').update(code(outcome.text)).digest('hex'));
      } else {
        expect(outcome.error.code).toBe('ConcurrentPublish');
      }
    }
    const staged = serves(name, 'staging')[0]?.codeVersion ?? '';
    const winner = outcomes.find((o) => 'result' in o && o.result.codeVersion === staged);
    expect(winner, 'staging serves a version some publish reported').toBeDefined();
    // Every version left is one a publish reported as its own.
    const reported = outcomes.flatMap((o) => ('result' in o ? [o.result.codeVersion] : []));
    expect(versionIds(name).sort()).toEqual([...reported].sort());
  });

  it('a lost commit answer leaves exactly one version, which the publish finds and deploys', async () => {
    const name = newRoutine();
    emulator.faults.inject({ action: 'CommitRoutineStagingCode', dropAfterProcessing: true, times: 1 });
    const { result, log } = await publish(name, 'answer lost');
    expect(versionIds(name)).toEqual([result.codeVersion]);
    expect(result.versionsCreated).toEqual([result.codeVersion]);
    expect(serves(name, 'staging')).toEqual([{ codeVersion: result.codeVersion, percentage: 100 }]);
    expect(log).toMatch(
      /the answer to CommitRoutineStagingCode was lost \(\w+\); version \d{19}, which it created with this build's bytes, is used/,
    );
  });

  it('a commit that failed without being processed is sent again, once it is sure none was made', async () => {
    const name = newRoutine();
    emulator.faults.inject({
      action: 'CommitRoutineStagingCode',
      status: 503,
      code: 'ServiceUnavailable',
      times: 1,
    });
    const before = emulator.state.requests.length;
    const { result } = await publish(name, 'retry me');
    expect(versionIds(name)).toEqual([result.codeVersion]);
    expect(requestsSince(before).filter((a) => a === 'CommitRoutineStagingCode')).toHaveLength(2);
    expect(requestsSince(before)).toContain('ListRoutineCodeVersions');
  });
});

describe('the CLI lifecycle commands', () => {
  const cli = (args: string[]) =>
    runNode(CLI, args, { cwd: repo.dir, env: { ...env(), ESA_ENDPOINT: emulator.endpoint } });

  it('versions list, delete and prune, with and without --json', async () => {
    const name = newRoutine();
    const { result: one } = await publish(name, 'v1', { deploy: 'production' });
    const { result: two } = await publish(name, 'v2', { deploy: false });
    const { result: three } = await publish(name, 'v3', { deploy: false });
    const { result: four } = await publish(name, 'v4');

    const table = await cli(['versions', 'list', '--name', name]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+CREATED\s+SERVED BY\s+DESCRIPTION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(
      [four, three, two, one].map((r) => r.codeVersion),
    );
    expect(lines[1]).toMatch(/staging 100%/);
    expect(lines[4]).toMatch(/production 100%/);

    const json = await cli(['versions', 'list', '--name', name, '--json']);
    const listing = JSON.parse(json.stdout) as {
      versions: { codeVersion: string; servedBy: unknown[] }[];
      total: number;
    };
    expect(listing.total).toBe(4);
    expect(listing.versions.find((v) => v.codeVersion === one.codeVersion)?.servedBy).toEqual([
      { env: 'production', percentage: 100 },
    ]);

    const refused = await cli(['versions', 'delete', '--name', name, two.codeVersion, four.codeVersion]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^esa-stage: error VersionDeployed: refusing to delete deployed version ${four.codeVersion} \\(staging 100%\\); nothing was deleted`,
      ),
    );
    expect(versionIds(name)).toHaveLength(4);

    const deleted = await cli(['versions', 'delete', '--name', name, two.codeVersion, '--json']);
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted: [two.codeVersion] });
    const nothing = await cli(['versions', 'prune', '--name', name, '--keep', '5', '--json']);
    expect(JSON.parse(nothing.stdout)).toEqual({ deleted: [], total: 3 });
    const pruned = await cli(['versions', 'prune', '--name', name, '--keep', '1']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toBe('');
    expect(pruned.stderr).toMatch(new RegExp(`deleted version ${three.codeVersion}`));
    expect(versionIds(name).sort()).toEqual([one.codeVersion, four.codeVersion].sort());
  });

  it('deploy promotes, rolls back and splits, with and without --json', async () => {
    const name = newRoutine();
    const { result: old } = await publish(name, 'old', { deploy: 'production' });
    const { result: next } = await publish(name, 'next');

    const promote = await cli([
      'deploy',
      '--name',
      name,
      '--version',
      next.codeVersion,
      '--env',
      'production',
      '--json',
    ]);
    expect(promote.code).toBe(0);
    expect(JSON.parse(promote.stdout)).toMatchObject({
      env: 'production',
      changed: true,
      codeVersions: [{ codeVersion: next.codeVersion, percentage: 100 }],
    });
    const canary = await cli([
      'deploy',
      '--name',
      name,
      '--version',
      old.codeVersion,
      '--env',
      'production',
      '--percentage',
      '25',
    ]);
    expect(canary.code).toBe(0);
    expect(canary.stderr).toMatch(
      `production now serves ${old.codeVersion} at 25% and ${next.codeVersion} at 75%`,
    );
    expect(serves(name, 'production')).toEqual([
      { codeVersion: old.codeVersion, percentage: 25 },
      { codeVersion: next.codeVersion, percentage: 75 },
    ]);
    const rollback = await cli([
      'deploy',
      '--name',
      name,
      '--version',
      old.codeVersion,
      '--env',
      'production',
    ]);
    expect(rollback.code).toBe(0);
    expect(serves(name, 'production')).toEqual([{ codeVersion: old.codeVersion, percentage: 100 }]);
    const same = await cli([
      'deploy',
      '--name',
      name,
      '--version',
      old.codeVersion,
      '--env',
      'production',
      '--json',
    ]);
    expect(JSON.parse(same.stdout)).toMatchObject({ changed: false });

    const bad = await cli(['deploy', '--name', name, '--version', old.codeVersion, '--env', 'canary']);
    expect(bad.stderr).toMatch(/UsageError: --env must be staging or production, got "canary"/);
    const unknown = await cli([
      'deploy',
      '--name',
      name,
      '--version',
      '1234567890123456789',
      '--env',
      'staging',
      '--json',
    ]);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: 'InvalidParameter' } });
  });

  it('publish takes --percentage, --force and --prune; --version prints the version', async () => {
    const name = newRoutine();
    await publish(name, 'base', { deploy: 'production' });
    await writeFile(join(repo.dir, 'canary.js'), code('canary from the CLI'));
    const run = await cli([
      'publish',
      'canary.js',
      '--name',
      name,
      '--deploy',
      'production',
      '--percentage',
      '20',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as PublishedResult;
    expect(serves(name, 'production')[0]).toEqual({ codeVersion: result.codeVersion, percentage: 20 });
    const forced = await cli(['publish', 'canary.js', '--name', name, '--force', '--prune', '3', '--json']);
    expect(JSON.parse(forced.stdout)).toMatchObject({ status: 'published' });
    const version = await cli(['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
