/** What is known about the code being published, from git and/or CI variables. */
export interface GitInfo {
  /** Full commit sha. */
  readonly sha: string | undefined;
  /** Abbreviated sha, as git abbreviates it (7+ characters). */
  readonly shortSha: string | undefined;
  /** First line of the commit message (for a GitHub pull request: its title). */
  readonly subject: string | undefined;
  readonly branch: string | undefined;
  /** True when tracked files differ from the commit; undefined when unknown. */
  readonly dirty: boolean | undefined;
  /** Where the sha came from: `git`, `github`, another CI service as env-ci names it (`gitlab`, `circleci`, ...), or `none`. */
  readonly source: string;
}

export const UNKNOWN_GIT_INFO: GitInfo = Object.freeze({
  sha: undefined,
  shortSha: undefined,
  subject: undefined,
  branch: undefined,
  dirty: undefined,
  source: 'none',
});
