/// <reference path="./env-ci.d.ts" />
import { readFile } from 'node:fs/promises';
import { isCi } from '../options/env-flags.js';
import type { Env } from '../options/types.js';
import type { GitInfo } from './git-info.js';

/** What a CI provider's variables say about the commit; fields it does not give are undefined. */
export type CiInfo = Omit<GitInfo, 'dirty'>;

interface GitHubPullRequestEvent {
  readonly pull_request?: { readonly title?: unknown; readonly head?: { readonly sha?: unknown } };
}

async function readGitHubEvent(path: string | undefined): Promise<GitHubPullRequestEvent | undefined> {
  if (!path) return undefined;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as GitHubPullRequestEvent;
  } catch {
    return undefined;
  }
}

function short(sha: string | undefined): string | undefined {
  return sha && /^[0-9a-f]{7,}$/i.test(sha) ? sha.slice(0, 7) : undefined;
}

/**
 * What the CI service says about the commit. GitHub Actions is read here: on a pull request event
 * the sha and subject come from the event payload (the PR head and title), since `GITHUB_SHA` and the
 * checked-out commit are the synthetic merge commit there. Every other service (GitLab, CircleCI,
 * Jenkins, Azure Pipelines, Bitbucket, Buildkite and 25 more) through `env-ci`, loaded only in CI:
 * the commit and the branch (a merge request's source branch); git gives the subject. Never throws.
 */
export async function readCiInfo(env: Env): Promise<CiInfo | undefined> {
  if (env.GITHUB_ACTIONS === 'true') {
    const isPullRequest =
      env.GITHUB_EVENT_NAME === 'pull_request' || env.GITHUB_EVENT_NAME === 'pull_request_target';
    const event = isPullRequest ? await readGitHubEvent(env.GITHUB_EVENT_PATH) : undefined;
    const headSha = event?.pull_request?.head?.sha;
    const title = event?.pull_request?.title;
    const sha = typeof headSha === 'string' ? headSha : env.GITHUB_SHA;
    return {
      sha,
      shortSha: short(sha),
      subject: typeof title === 'string' ? title : undefined,
      branch: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || undefined,
      source: 'github',
    };
  }
  // Outside CI env-ci would ask git itself: git is read separately.
  if (!isCi(env)) return undefined;
  try {
    const { default: envCi } = await import('env-ci');
    // Some services (Jenkins, Buildkite, TeamCity, ...) make env-ci run git synchronously, which
    // would block the event loop and repeat what readGitInfo already asks git, concurrently. Given a
    // directory no process can start in (a NUL byte), those calls fail before any process starts
    // and env-ci keeps to the variables.
    const ci = envCi({ env, cwd: '\u0000' });
    if (!ci.isCi || !ci.service || ci.service === 'git') return undefined;
    const sha = ci.commit || undefined;
    return {
      sha,
      shortSha: short(sha),
      subject: undefined,
      branch: (ci.isPr && ci.prBranch) || ci.branch || undefined,
      source: ci.service,
    };
  } catch {
    return undefined;
  }
}
