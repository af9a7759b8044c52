import { readFile } from 'node:fs/promises';
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
 * Reads GitHub Actions and GitLab CI variables. On a GitHub pull request event the sha and subject
 * come from the event payload (the PR head and title), since `GITHUB_SHA` and the checked-out commit
 * are the synthetic merge commit there. Never throws.
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
  if (env.GITLAB_CI === 'true') {
    const sha = env.CI_COMMIT_SHA;
    return {
      sha,
      shortSha: env.CI_COMMIT_SHORT_SHA || short(sha),
      subject: env.CI_COMMIT_TITLE || undefined,
      branch: env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME || env.CI_COMMIT_REF_NAME || undefined,
      source: 'gitlab',
    };
  }
  return undefined;
}
