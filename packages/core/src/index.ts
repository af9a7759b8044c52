export type { ChunkMatcher } from './chunk/select-chunk.js';
export { createChunkMatcher, selectChunk } from './chunk/select-chunk.js';
export type { ResolvedCredentials } from './credentials/resolve-credentials.js';
export { resolveCredentials } from './credentials/resolve-credentials.js';
export type { ConfigProblem, ErrorSource } from './errors.js';
export { ChunkError, ConfigError, EsaError, EsaStageError, NetworkError, OssError } from './errors.js';
export { formatBytes } from './format.js';
export {
  DEFAULT_DESCRIPTION_TEMPLATE,
  formatDescription,
  MAX_DESCRIPTION_LENGTH,
} from './git/description.js';
export type { GitInfo } from './git/git-info.js';
export { readGitInfo } from './git/read-git-info.js';
export { isLoopbackHostname } from './http/loopback.js';
export type { Logger, LogLevel } from './log/logger.js';
export { createLogger, LOG_LEVELS } from './log/logger.js';
export { normalizeOptions, REGIONS, regionEndpoint } from './options/normalize.js';
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
export { assertValidOptions, ROUTINE_NAME, validateOptions } from './options/validate.js';
export type {
  DeployedEnv,
  DryRunResult,
  PublishEnvironment,
  PublishedResult,
  PublishResult,
} from './publish.js';
export { publishRoutine } from './publish.js';
export type { Acs3Authorization, Acs3Input, Acs3Signature } from './signing/acs3.js';
export {
  ACS3_ALGORITHM,
  computeAcs3Signature,
  EMPTY_SHA256,
  formatAcs3Authorization,
  formatAcsDate,
  headersToSign,
  parseAcs3Authorization,
  sha256Hex,
} from './signing/acs3.js';
export { canonicalQueryString, percentEncode } from './signing/percent-encode.js';
export { VERSION } from './version.js';
