import { execFile } from 'node:child_process';
import type { Env } from '../options/types.js';
import { readCiInfo } from './ci-info.js';
import { type GitInfo, UNKNOWN_GIT_INFO } from './git-info.js';
import { GIT_LOG_FORMAT, parseGitLog, parseGitStatus } from './parse-git.js';

export interface ReadGitInfoOptions {
  readonly cwd: string;
  /** CI variables are read from here. */
  readonly env: Env;
  /** @default 3000 */
  readonly timeoutMs?: number;
}

/** Runs one git command; resolves its stdout, or undefined on any failure (no repo, no git, timeout). */
function git(args: readonly string[], cwd: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        timeout: timeoutMs,
        windowsHide: true,
        maxBuffer: 1024 * 1024,
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
}

/**
 * What git says about `cwd` (two `git` processes at most, run in parallel, each with a timeout),
 * completed by CI variables where git knows nothing: no repository, a detached HEAD without branch,
 * or a GitHub pull request (whose checkout is a synthetic merge commit). Never throws.
 */
export async function readGitInfo(options: ReadGitInfoOptions): Promise<GitInfo> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const [log, status, ci] = await Promise.all([
    git(['log', '-1', `--format=${GIT_LOG_FORMAT}`], options.cwd, timeoutMs),
    git(['status', '--porcelain', '--untracked-files=no'], options.cwd, timeoutMs),
    readCiInfo(options.env),
  ]);
  const parsed = log === undefined ? undefined : parseGitLog(log);
  const dirty = status === undefined ? undefined : parseGitStatus(status);
  if (parsed) {
    const prHead = ci?.source === 'github' && ci.subject !== undefined;
    return {
      sha: prHead ? ci.sha : parsed.sha,
      shortSha: prHead ? ci.shortSha : parsed.shortSha,
      subject: prHead ? ci.subject : parsed.subject,
      branch: ci?.branch ?? parsed.branch,
      dirty,
      source: prHead ? 'github' : 'git',
    };
  }
  if (ci?.sha) return { ...ci, dirty };
  return { ...UNKNOWN_GIT_INFO, dirty };
}
