import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchFromDecorations, parseGitLog } from '../src/git/parse-git.js';
import { readGitInfo } from '../src/git/read-git-info.js';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

const dirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

let repo: string;
beforeAll(async () => {
  repo = await tempDir('esa-stage-git-');
  git(repo, 'init', '-q', '-b', 'main');
  await writeFile(join(repo, 'index.js'), 'export default {};\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'feat: first routine ✨', '-m', 'body line');
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('readGitInfo in a real repository', () => {
  it('reads sha, short sha, subject, branch and a clean tree', async () => {
    const info = await readGitInfo({ cwd: repo, env: {} });
    expect(info).toEqual({
      sha: git(repo, 'rev-parse', 'HEAD'),
      shortSha: git(repo, 'rev-parse', '--short', 'HEAD'),
      subject: 'feat: first routine ✨',
      branch: 'main',
      dirty: false,
      source: 'git',
    });
  });

  it('sees a modified tracked file as dirty, and ignores untracked files', async () => {
    await writeFile(join(repo, 'untracked.txt'), 'x');
    expect((await readGitInfo({ cwd: repo, env: {} })).dirty).toBe(false);
    await writeFile(join(repo, 'index.js'), 'export default { changed: true };\n');
    expect((await readGitInfo({ cwd: repo, env: {} })).dirty).toBe(true);
    git(repo, 'checkout', '--', 'index.js');
  });

  it('takes the branch from CI on a detached HEAD', async () => {
    git(repo, 'checkout', '-q', '--detach');
    const info = await readGitInfo({
      cwd: repo,
      env: { GITHUB_ACTIONS: 'true', GITHUB_REF_NAME: 'release', GITHUB_SHA: 'f'.repeat(40) },
    });
    expect(info.branch).toBe('release');
    expect(info.sha).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(info.source).toBe('git');
    git(repo, 'checkout', '-q', 'main');
  });

  it('prefers the pull request head and title on a GitHub pull_request event', async () => {
    const eventPath = join(await tempDir('esa-stage-event-'), 'event.json');
    await writeFile(
      eventPath,
      JSON.stringify({
        pull_request: { title: 'Add a route', head: { sha: 'abcdef0123456789abcdef0123456789abcdef01' } },
      }),
    );
    const info = await readGitInfo({
      cwd: repo,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_HEAD_REF: 'feature/x',
        GITHUB_SHA: '1'.repeat(40),
      },
    });
    expect(info).toMatchObject({
      sha: 'abcdef0123456789abcdef0123456789abcdef01',
      shortSha: 'abcdef0',
      subject: 'Add a route',
      branch: 'feature/x',
      dirty: false,
      source: 'github',
    });
  });

  it.each([
    ['outside CI', {}],
    [
      'in Jenkins, where env-ci would ask git itself',
      { CI: 'true', JENKINS_URL: 'http://ci', BRANCH_NAME: 'dev' },
    ],
    ['in a CI env-ci does not know', { CI: 'true' }],
  ])('runs at most two git processes %s', async (_where, env) => {
    const bin = await tempDir('esa-stage-fakegit-');
    const log = join(bin, 'calls.log');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    await writeFile(join(bin, 'git'), `#!/bin/sh\necho "$1" >> "${log}"\nexec "${realGit}" "$@"\n`);
    await chmod(join(bin, 'git'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      // Three publishes starting together share the same two processes.
      const infos = await Promise.all([1, 2, 3].map(() => readGitInfo({ cwd: repo, env })));
      expect(new Set(infos.map((i) => i.sha)).size).toBe(1);
    } finally {
      process.env.PATH = path;
    }
    const calls = execFileSync('cat', [log], { encoding: 'utf8' }).trim().split('\n');
    expect(calls.sort()).toEqual(['log', 'status']);
  });

  it('gives up on a hung git after the timeout, without throwing', async () => {
    const bin = await tempDir('esa-stage-slowgit-');
    await writeFile(join(bin, 'git'), '#!/bin/sh\nsleep 10\n');
    await chmod(join(bin, 'git'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    const started = Date.now();
    try {
      const info = await readGitInfo({ cwd: repo, env: {}, timeoutMs: 200 });
      expect(info.sha).toBeUndefined();
      expect(info.dirty).toBeUndefined();
    } finally {
      process.env.PATH = path;
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('readGitInfo outside a repository', () => {
  it('uses GitHub variables', async () => {
    const dir = await tempDir('esa-stage-norepo-');
    const info = await readGitInfo({
      cwd: dir,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
        GITHUB_REF_NAME: 'main',
      },
    });
    expect(info).toEqual({
      sha: '0123456789abcdef0123456789abcdef01234567',
      shortSha: '0123456',
      subject: undefined,
      branch: 'main',
      dirty: undefined,
      source: 'github',
    });
  });

  it.each([
    [
      'GitLab',
      {
        GITLAB_CI: 'true',
        CI_COMMIT_SHA: 'fedcba9876543210fedcba9876543210fedcba98',
        CI_COMMIT_REF_NAME: 'dev',
        CI_MERGE_REQUEST_ID: '7',
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/x',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      },
      'gitlab',
      'feature/x',
    ],
    [
      'CircleCI',
      {
        CI: 'true',
        CIRCLECI: 'true',
        CIRCLE_SHA1: 'fedcba9876543210fedcba9876543210fedcba98',
        CIRCLE_BRANCH: 'dev',
      },
      'circleci',
      'dev',
    ],
    [
      'Bitbucket Pipelines',
      {
        BITBUCKET_BUILD_NUMBER: '12',
        BITBUCKET_COMMIT: 'fedcba9876543210fedcba9876543210fedcba98',
        BITBUCKET_BRANCH: 'dev',
      },
      'bitbucket',
      'dev',
    ],
  ])('uses %s variables through env-ci', async (_name, env, service, branch) => {
    const dir = await tempDir('esa-stage-norepo-');
    const info = await readGitInfo({ cwd: dir, env });
    expect(info).toEqual({
      sha: 'fedcba9876543210fedcba9876543210fedcba98',
      shortSha: 'fedcba9',
      subject: undefined,
      branch,
      dirty: undefined,
      source: service,
    });
  });

  it('knows nothing without git or CI, and does not throw', async () => {
    const dir = await tempDir('esa-stage-norepo-');
    expect(await readGitInfo({ cwd: dir, env: {} })).toEqual({
      sha: undefined,
      shortSha: undefined,
      subject: undefined,
      branch: undefined,
      dirty: undefined,
      source: 'none',
    });
  });
});

describe('git output parsing', () => {
  it('reads branches from decorations', () => {
    expect(branchFromDecorations('HEAD -> main, origin/main, tag: v1')).toBe('main');
    expect(branchFromDecorations('HEAD, origin/feature/x, tag: v1')).toBe('feature/x');
    expect(branchFromDecorations('HEAD, origin/HEAD, tag: v1')).toBeUndefined();
    expect(branchFromDecorations('')).toBeUndefined();
  });

  it('refuses output that is not the expected shape', () => {
    expect(parseGitLog('fatal: not a git repository')).toBeUndefined();
  });
});
