import type { GitInfo } from '../git/git-info.js';
import type { ProxySettings } from '../http/proxy-settings.js';
import type { Logger, LogLevel } from '../log/logger.js';

/** ESA's OpenAPI regions. */
export type Region = 'cn-hangzhou' | 'ap-southeast-1';

/** An environment of a routine. */
export type EnvName = 'staging' | 'production';

/** A canary: the new version at `percentage` beside the version the environment serves now. */
export interface CanaryTarget {
  readonly env: EnvName;
  /** Share of requests for the new version, a whole number from 1 to 100. */
  readonly percentage: number;
}

/**
 * Where a publish ends: deployed to staging, to staging then production, only committed (`false`),
 * or a canary (`{ env: 'production', percentage: 10 }`: staging first, then production at 10%).
 */
export type DeployTarget = EnvName | false | CanaryTarget;

/** How versions are deployed: today's `CreateRoutineCodeDeployment`, or the older `PublishRoutineCodeVersion`. */
export type DeployApi = 'deployment' | 'legacy';

/** What ESA answers for a path that is no file of the assets. */
export type NotFoundStrategy = 'singlePageApplication' | '404Page';

/** Static files published with the routine, as one version "with assets". */
export interface AssetsOption {
  /** The directory of static files, e.g. the client build's output (relative to `cwd`). */
  readonly directory: string;
  /**
   * For a path that is no file: `singlePageApplication` answers `index.html`, `404Page` answers
   * `404.html`; unset, the routine answers (or ESA's 404 without a routine).
   */
  readonly notFoundStrategy?: NotFoundStrategy | undefined;
}

/** How a version reaches ESA: one file to the routine's staging slot, or a zip with assets. */
export type PipelineKind = 'single-file' | 'assets';

/** Deleting old versions when the routine's version quota is full. */
/** What `verify` accepts as staging's answer: a status, a list of them, or a test of the status. */
export type VerifyStatus = number | readonly number[] | ((status: number) => boolean);

/** The request that proves staging answers before anything is promoted (see `verify`). */
export interface VerifyOptions {
  /** The path to request, e.g. `'/health'` (with a query, if any). */
  readonly path: string;
  /**
   * The status (or statuses) that count as answering.
   * @default any 2xx
   */
  readonly status?: VerifyStatus;
  /**
   * How long staging may take to answer as expected (while the version propagates), in ms.
   * @default 60000
   */
  readonly timeout?: number;
}

export interface PruneOptions {
  /** Keep at least the newest `keep` versions (deployed versions are never deleted). */
  readonly keep: number;
}

/** An Alibaba Cloud AccessKey, or an STS triple. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Required with STS (`STS.`) AccessKeys. */
  readonly securityToken?: string | undefined;
}

/** Where the bytes of an output file are: on disk, or in memory (esbuild `write: false`). */
export type ChunkSource = { readonly path: string } | { readonly bytes: Uint8Array };

/** One output file of a build, in the shape every adapter hands to core. */
export interface OutputChunk {
  /** The name relative to the output directory, e.g. `index.js` or `assets/worker-abc.js`. */
  readonly fileName: string;
  /** True for an entry chunk (Rollup `isEntry`, esbuild `entryPoint`). */
  readonly isEntry: boolean;
  readonly source: ChunkSource;
}

/** A chunk name, a glob pattern (or several), a RegExp, or a predicate. */
export type ChunkOption = string | RegExp | readonly (string | RegExp)[] | ((chunk: OutputChunk) => boolean);

/**
 * The code description: a template with `{sha}`, `{shortSha}`, `{subject}`, `{branch}` and `{dirty}`
 * (` -dirty` marker), a plain string, or a function of what git and CI say.
 */
export type DescriptionOption = string | ((info: GitInfo) => string);

/** Options of a publish. The adapters take the same, plus a few of their own. */
export interface PublishOptions {
  /**
   * The Edge Routine to publish to. It must exist (create it in the ESA console or with
   * `CreateRoutine`). Lower-case letters, digits and hyphens, at least 2 characters. In an esa-cli
   * project, `esa.jsonc` / `esa.toml` give it (and `description` and `assets`) when the option is not set.
   * @default the `name` of esa.jsonc / esa.toml
   */
  name?: string;
  /**
   * The code description stored with the version: a template such as `'{shortSha} {subject}'`, a
   * plain string, or a function of the git/CI information. Env `ESA_STAGE_DESCRIPTION` overrides it.
   * @default '{shortSha}{dirty} {subject}' from git, or CI variables; `build <ISO time>` when nothing is known
   */
  description?: DescriptionOption;
  /**
   * The ESA OpenAPI region. Ignored when `endpoint` is set.
   * @default 'cn-hangzhou'
   */
  region?: Region;
  /**
   * The ESA OpenAPI endpoint URL, e.g. a local emulator. `http:` is allowed only for loopback hosts.
   * When this is not set: env `ESA_ENDPOINT`, else the `endpoint` of `esa.jsonc` / `esa.toml` (a bare
   * host there means https).
   * @default `https://esa.<region>.aliyuncs.com`
   */
  endpoint?: string;
  /**
   * An explicit AccessKey (or STS triple). When absent, the first found of:
   * env `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`/`_SECURITY_TOKEN`, env `ESA_ACCESS_KEY_ID`/`_SECRET`/
   * `ESA_SECURITY_TOKEN`, env OIDC (`ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
   * `ALIBABA_CLOUD_OIDC_TOKEN_FILE`: exchanged with STS `AssumeRoleWithOIDC`), esa-cli's
   * `~/.esa/config/default.jsonc|toml`, then a `~/.aliyun/config.json` profile (modes `AK`,
   * `StsToken`, `RamRoleArn`, `OIDC`).
   * @default undefined
   */
  credentials?: Credentials;
  /**
   * The `~/.aliyun/config.json` profile to use. Env `ALIBABA_CLOUD_PROFILE` is used when this is not set.
   * @default the file's `current` profile
   */
  profile?: string;
  /**
   * The STS endpoint URL for OIDC and RamRoleArn credentials (`http:` only for loopback hosts, e.g.
   * the emulator's). When this is not set: env `ESA_STAGE_STS_ENDPOINT`, else
   * `https://sts.<region>.aliyuncs.com` for env `ALIBABA_CLOUD_STS_REGION` or a profile's `sts_region`
   * (`sts-vpc.` with `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`).
   * @default 'https://sts.aliyuncs.com'
   */
  stsEndpoint?: string;
  /**
   * Deploy the committed version to `'staging'`, to staging and then `'production'`, nowhere
   * (`false`: upload and commit only), or as a canary: `{ env: 'production', percentage: 10 }`
   * deploys staging at 100%, then production at 10% beside the version production serves now.
   * @default 'staging'
   */
  deploy?: DeployTarget;
  /**
   * After the staging deploy, request this path from staging (over HTTPS from a staging IP, with
   * the routine's host as SNI and Host, as `curl --resolve` does) until it answers as expected or
   * the timeout passes; only then deploy to production. A failed verify fails the publish
   * (`VerifyFailed`) and promotes nothing. `'/health'` or `{ path, status, timeout }` (CLI
   * `--verify <path>`, `--verify-timeout <seconds>`). Port 443; env `ESA_STAGE_STAGING_PORT` for an
   * emulator. Trusts the system's CAs and `NODE_EXTRA_CA_CERTS`.
   * @default undefined (no request)
   */
  verify?: string | VerifyOptions | false;
  /**
   * When the file's bytes equal a version an environment serves already, create no version (a file
   * up to 2 MB is uploaded while the versions are compared, a round trip sooner when it is new, and
   * left uncommitted): deploy that version where a target environment does not serve it yet, and
   * report `unchanged`. `false` always publishes a new version (CLI `--force`).
   * @default true
   */
  skipUnchanged?: boolean;
  /**
   * When ESA answers `CodeVersionNumberExceedQuotaLimit`, delete the oldest versions that no
   * environment serves, keeping at least the newest `keep`, then try once more (CLI `--prune <keep>`).
   * @default undefined (never delete)
   */
  pruneVersions?: PruneOptions;
  /**
   * Static files to publish with the routine as one version with assets (esa-cli's layout:
   * `routine/index.js` and `assets/...` in a zip). The Vite plugin adds the client build of an app
   * build by itself; `false` turns that off.
   * @default undefined (the routine alone)
   */
  assets?: AssetsOption | false;
  /**
   * `false` publishes the assets alone, with no routine: a static site (e.g. a Vite SPA with
   * `assets: { directory: 'dist', notFoundStrategy: 'singlePageApplication' }`; the Vite plugin
   * takes the built environment's output when `assets` is not given). Needs assets.
   * @default true
   */
  routine?: boolean;
  /**
   * `'assets'` publishes through `CreateRoutineWithAssetsCodeVersion` (a version named before the
   * upload, with its own object: no shared staging slot to race for), also for a routine alone.
   * `'single-file'` uploads to the routine's staging slot and commits it.
   * @default 'assets' when there are assets, else 'single-file'
   */
  pipeline?: PipelineKind;
  /**
   * How long a version with assets may take to become available after its upload, in ms.
   * @default 300000
   */
  buildTimeout?: number;
  /**
   * How versions are deployed: `'deployment'` (`CreateRoutineCodeDeployment`, as esa-cli 1.x and
   * Terraform do; it falls back to the older action when ESA does not know it) or `'legacy'`
   * (`PublishRoutineCodeVersion`, 100% only).
   * @default 'deployment'
   */
  deployApi?: DeployApi;
  /**
   * Which output file to publish: a file name, glob pattern(s) matched against output-relative names,
   * a RegExp, or a predicate.
   * @default the single entry JavaScript chunk
   */
  chunk?: ChunkOption;
  /**
   * Print what would be published (routine, file, size, sha256, description, endpoint, steps) and
   * make no request. Env `ESA_STAGE_DRY_RUN=1` turns it on without editing the config.
   * @default false
   */
  dryRun?: boolean;
  /**
   * Time allowed for each HTTP request (and each upload), in milliseconds.
   * @default 60000
   */
  timeout?: number;
  /**
   * Retries of a request that failed on the network, with a 5xx, or with throttling.
   * @default 3
   */
  retries?: number;
  /**
   * Cancels a publish in flight.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * How much to log: `'silent'`, `'error'`, `'warn'`, `'info'` or `'debug'`.
   * @default 'info'
   */
  logLevel?: LogLevel;
  /**
   * Where log lines go. Secrets are removed before any line reaches it.
   * @default console (stderr)
   */
  logger?: Logger;
  /**
   * The directory git is asked about for the description.
   * @default process.cwd()
   */
  cwd?: string;
  /**
   * A JSON file to write when the publish ends (relative to `cwd`): the whole result with
   * `"ok": true`, or `{ "ok": false, "name", "error": { code, message, hint, requestId,
   * versionsCreated } }`. For any CI to read back (CLI `--manifest <file>`). Under GitHub Actions
   * the step outputs and summary are written without it.
   * @default undefined (no file)
   */
  manifest?: string;
}

/** Options after defaults and env fallbacks. */
export interface NormalizedOptions {
  readonly name: string;
  readonly description: DescriptionOption | undefined;
  readonly region: Region;
  readonly endpoint: string;
  readonly credentials: Credentials | undefined;
  readonly profile: string | undefined;
  /** The `stsEndpoint` option or env `ESA_STAGE_STS_ENDPOINT`; undefined picks by region. */
  readonly stsEndpoint: string | undefined;
  /** The proxy variables in force for ESA, OSS and STS. */
  readonly proxy: ProxySettings;
  /** The environments to deploy to, in order, with the new version's share of each. */
  readonly deploy: readonly DeployStep[];
  readonly skipUnchanged: boolean;
  /** The request that proves staging answers, if any. */
  readonly verify: StagingVerify | undefined;
  /** The staging edges' HTTPS port: 443, or env `ESA_STAGE_STAGING_PORT` (an emulator's). */
  readonly stagingPort: number;
  readonly pruneVersions: PruneOptions | undefined;
  readonly deployApi: DeployApi;
  /** The assets, with `directory` resolved against `cwd`. */
  readonly assets: AssetsOption | undefined;
  readonly pipeline: PipelineKind;
  /** False for a version of assets alone. */
  readonly routine: boolean;
  readonly buildTimeout: number;
  readonly chunk: ChunkOption | undefined;
  readonly dryRun: boolean;
  readonly timeout: number;
  readonly retries: number;
  readonly signal: AbortSignal | undefined;
  readonly logLevel: LogLevel;
  readonly logger: Logger | undefined;
  readonly cwd: string;
}

/** The `verify` option, normalized. */
export interface StagingVerify {
  readonly path: string;
  /** Whether a status counts as answering. */
  readonly accepts: (status: number) => boolean;
  /** What is expected, for messages: `2xx`, `200`, `200 or 204`, `a status the given test accepts`. */
  readonly expected: string;
  /** In ms. */
  readonly timeout: number;
  /** 443, or env `ESA_STAGE_STAGING_PORT`. */
  readonly port: number;
}

/** One environment of a deploy: the new version's share of its traffic. */
export interface DeployStep {
  readonly env: EnvName;
  readonly percentage: number;
}

/** The environment variables core reads; pass `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;
