// The public API. Only small modules load with it; see lazy.ts for what loads on first publish.

export type { BundlerInfo, BundlerKind, PluginMetaLike } from './artifact/bundler.js';
export { bundlerFromMeta } from './artifact/bundler.js';
export type { ResolvedCredentials } from './credentials/resolve-credentials.js';
export type { ConfigProblem, ErrorSource } from './errors.js';
export { ChunkError, ConfigError, EsaError, EsaStageError, NetworkError, OssError } from './errors.js';
export type { GitInfo } from './git/git-info.js';
export { isLoopbackHostname } from './http/loopback.js';
export { checkPublishConfig, publishRoutine } from './lazy.js';
export type { Logger, LogLevel } from './log/logger.js';
export type {
  ChunkOption,
  ChunkSource,
  Credentials,
  DeployTarget,
  DescriptionOption,
  Env,
  NormalizedOptions,
  OutputChunk,
  PublishOptions,
  Region,
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
  PublishEnvironment,
  PublishedResult,
  PublishResult,
} from './publish.js';
export { VERSION } from './version.js';
