import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'esa-stage test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'esa-stage test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** A temporary git repository with the given files committed under `subject`. */
export interface TempRepo {
  readonly dir: string;
  readonly sha: string;
  readonly shortSha: string;
  readonly subject: string;
  write(path: string, content: string): Promise<void>;
  remove(): Promise<void>;
}

export async function createTempRepo(
  files: Record<string, string>,
  subject = 'feat: the routine',
): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'esa-stage-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', subject);
  return {
    dir,
    sha: git(dir, 'rev-parse', 'HEAD'),
    shortSha: git(dir, 'rev-parse', '--short', 'HEAD'),
    subject,
    write: (path, content) => writeFile(join(dir, path), content),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
