/** The `git log -1` format read by {@link parseGitLog}: sha, short sha, subject, decorations. */
export const GIT_LOG_FORMAT = '%H%x00%h%x00%s%x00%D';

export interface ParsedGitLog {
  readonly sha: string;
  readonly shortSha: string;
  readonly subject: string;
  readonly branch: string | undefined;
}

/**
 * The branch from `%D` decorations: `HEAD -> main, origin/main` gives `main`; a detached HEAD
 * (`HEAD, origin/feature/x, tag: v1`) gives the first remote branch without its remote name.
 */
export function branchFromDecorations(decorations: string): string | undefined {
  const refs = decorations
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const attached = refs.find((r) => r.startsWith('HEAD -> '));
  if (attached) return attached.slice('HEAD -> '.length);
  const remote = refs.find(
    (r) => r !== 'HEAD' && !r.startsWith('tag: ') && !r.endsWith('/HEAD') && r.includes('/'),
  );
  return remote ? remote.slice(remote.indexOf('/') + 1) : undefined;
}

/** Parses the output of `git log -1 --format=<GIT_LOG_FORMAT>`; undefined when it is not that shape. */
export function parseGitLog(stdout: string): ParsedGitLog | undefined {
  const [sha, shortSha, subject, decorations] = stdout.replace(/\n$/, '').split('\0');
  if (!sha || !/^[0-9a-f]{40,64}$/.test(sha) || !shortSha) return undefined;
  return { sha, shortSha, subject: subject ?? '', branch: branchFromDecorations(decorations ?? '') };
}

/** `git status --porcelain --untracked-files=no` prints nothing for a clean tree. */
export function parseGitStatus(stdout: string): boolean {
  return stdout.trim() !== '';
}
