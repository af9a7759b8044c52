// The public API. Only small modules load with it; see lazy.ts for what loads on first publish.

export type { BundlerInfo, BundlerKind, PluginMetaLike } from './artifact/bundler.js';
export { bundlerFromMeta } from './artifact/bundler.js';
export type {
  CredentialsLookup,
  PendingExchange,
  ResolvedCredentials,
} from './credentials/resolve-credentials.js';
export type { StsExchange } from './credentials/sts-client.js';
export type { ConfigProblem, ErrorSource } from './errors.js';
export {
  ChunkError,
  ConfigError,
  EsaError,
  EsaStageError,
  NetworkError,
  OssError,
  StsError,
  VerifyError,
} from './errors.js';
export type { GitInfo } from './git/git-info.js';
export { isLoopbackHostname } from './http/loopback.js';
export {
  checkPublishConfig,
  deleteRoutineVersions,
  deployRoutineVersion,
  listRoutineVersions,
  pruneRoutineVersions,
  publishRoutine,
} from './lazy.js';
export type { Logger, LogLevel } from './log/logger.js';
export type {
  AssetsOption,
  CanaryTarget,
  ChunkOption,
  ChunkSource,
  Credentials,
  DeployApi,
  DeployStep,
  DeployTarget,
  DescriptionOption,
  Env,
  EnvName,
  NormalizedOptions,
  NotFoundStrategy,
  OutputChunk,
  PipelineKind,
  PruneOptions,
  PublishOptions,
  Region,
  StagingVerify,
  VerifyOptions,
  VerifyStatus,
} from './options/types.js';
export type { PluginOptions } from './plugin/plugin-options.js';
export type {
  BuildContext,
  NothingPublished,
  PluginReporter,
  SessionOutcome,
  SkipReason,
} from './plugin/session.js';
export { PUBLISHER_MARK, PublishSession } from './plugin/session.js';
export type {
  DeployedEnv,
  DryRunResult,
  EnvChange,
  PublishEnvironment,
  PublishedResult,
  PublishResult,
  StagingAccess,
  StagingCheck,
  VersionShare,
} from './publish.js';
export { VERSION } from './version.js';
export type { RoutineEnvironment, RoutineOptions } from './versions/connect.js';
export type { VersionInfo } from './versions/lifecycle.js';
