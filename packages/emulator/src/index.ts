export { ADMIN_PREFIX } from './admin.js';
export { CALLBACK_PATH } from './context.js';
export type { EmulatorCredential } from './credentials.js';
export { EMULATOR_ACCESS_KEY, EMULATOR_STS_CREDENTIAL } from './credentials.js';
export type { EdgeAddress } from './edge/edge-server.js';
export { CODE_VERSION_HEADER, EDGE_MAX_BODY_SIZE } from './edge/edge-server.js';
export { EDGE_CERTIFICATE_NAMES, ROUTINE_DOMAIN, routineHost } from './edge/hosts.js';
export type { FaultRule, FaultSpec, FaultTarget } from './faults.js';
export { DEFAULT_ASSETS_BUILD_FAILURE, FaultInjector } from './faults.js';
export type { EmulatorOptions } from './options.js';
export type { Emulator } from './start-emulator.js';
export { startEmulator } from './start-emulator.js';
export type {
  CodeBytes,
  CodeVersionRecord,
  CodeVersionStatus,
  Deployment,
  DeploymentCodeVersion,
  EdgeRequestRecord,
  EdgeServedBy,
  EnvName,
  NotFoundStrategy,
  PendingBuild,
  RequestRecord,
  Routine,
  StagingCode,
  StoredObject,
  StsAction,
  StsSession,
  UploadTicket,
} from './state.js';
export { EmulatorState } from './state.js';
export { STS_API_VERSION } from './sts/handler.js';
export type { OidcTrust } from './sts/trust.js';
export { EMULATOR_ACCOUNT_ID, EMULATOR_OIDC_TRUST, EMULATOR_ROLE_ARN } from './sts/trust.js';
