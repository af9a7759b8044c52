// env-ci ships no types; these are the fields esa-stage reads (see its README).
declare module 'env-ci' {
  interface EnvCiResult {
    readonly isCi: boolean;
    /** e.g. `gitlab`, `circleci`, `jenkins`; `git` when no CI service was detected. */
    readonly service?: string;
    readonly commit?: string;
    readonly branch?: string;
    readonly prBranch?: string;
    readonly isPr?: boolean;
  }
  export default function envCi(options?: {
    env?: Record<string, string | undefined>;
    cwd?: string;
  }): EnvCiResult;
}
