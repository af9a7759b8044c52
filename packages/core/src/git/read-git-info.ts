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

/** The readings under way, by directory: publishes that start together share one pair of git runs. */
const inFlight = new Map<string, Promise<readonly [string | undefined, string | undefined]>>();

/**
 * `git log -1` and `git status` of `cwd`, run in parallel. Concurrent callers for one directory
 * share the same two processes (20 routines built at once spawn 2, not 40); a later call reads
 * again, so a watch build sees new commits.
 */
function readGit(cwd: string, timeoutMs: number): Promise<readonly [string | undefined, string | undefined]> {
  const pending = inFlight.get(cwd);
  if (pending) return pending;
  const reading = Promise.all([
    git(['log', '-1', `--format=${GIT_LOG_FORMAT}`], cwd, timeoutMs),
    git(['status', '--porcelain', '--untracked-files=no'], cwd, timeoutMs),
  ] as const).finally(() => inFlight.delete(cwd));
  inFlight.set(cwd, reading);
  return reading;
}

/**
 * What git says about `cwd` (two `git` processes at most, run in parallel, each with a timeout,
 * shared by concurrent publishes from the same directory),
 * completed by CI variables where git knows nothing: no repository, a detached HEAD without branch,
 * or a GitHub pull request (whose checkout is a synthetic merge commit). Never throws.
 */
export async function readGitInfo(options: ReadGitInfoOptions): Promise<GitInfo> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const [[log, status], ci] = await Promise.all([readGit(options.cwd, timeoutMs), readCiInfo(options.env)]);
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
