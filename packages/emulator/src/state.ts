import { codeBytesOf } from './code-bytes.js';
import type { SigningCredential } from './credentials.js';
import { routineHost } from './edge/hosts.js';
import { createCodeVersionGenerator } from './ids.js';

export type EnvName = 'staging' | 'production';
export const ENV_NAMES: readonly EnvName[] = ['production', 'staging'];

/** Code held by the emulator: its exact bytes and what identifies them. */
export interface CodeBytes {
  readonly bytes: Buffer;
  readonly size: number;
  /** Lower-case hex sha256 of `bytes`. */
  readonly sha256: string;
}

/** An object stored in the emulated OSS bucket by a PostObject upload. */
export interface StoredObject extends CodeBytes {
  readonly key: string;
  /** Upper-case hex MD5, as OSS's ETag (without quotes). */
  readonly etag: string;
  readonly contentType: string;
  /** Every form field of the upload but `file` and the auth fields' values. */
  readonly fieldNames: readonly string[];
  readonly storedAt: Date;
}

/**
 * What `GetRoutineStagingCodeUploadInfo` (kind `staging`) or `CreateRoutineWithAssetsCodeVersion`
 * (kind `assets`) handed out: the object key it signed a policy for.
 */
export interface UploadTicket {
  /** `staging`: a JS file registered by the upload callback; `assets`: a zip built into its version. */
  readonly kind: 'staging' | 'assets';
  readonly objectKey: string;
  readonly routine: string;
  /** The version number reserved (staging) or created (assets) for this upload. */
  readonly codeVersion: string;
  readonly description: string;
  readonly issuedAt: Date;
  /** The OssPostConfig handed out, as sent (tests check that a client never logs its secrets). */
  readonly postConfig: Readonly<Record<string, string>>;
}

/** A routine's current staging code: registered by the OSS upload callback, taken by commit. */
export interface StagingCode extends CodeBytes {
  readonly objectKey: string;
  readonly codeVersion: string;
  readonly description: string;
  readonly uploadedAt: Date;
}

/**
 * A version's build status. A committed staging version is `available` at once; a version made by
 * `CreateRoutineWithAssetsCodeVersion` is `init` until its zip is uploaded and built, then
 * `available` or `failed`.
 */
export type CodeVersionStatus = 'init' | 'available' | 'failed';

/** `ConfOptions.NotFoundStrategy` of an assets version, normalised. */
export type NotFoundStrategy = 'SinglePageApplication' | '404Page';

/**
 * The build of an uploaded assets zip: what the version becomes once `readyAt` has passed. Its
 * files join the version only then.
 */
export interface PendingBuild {
  readonly readyAt: Date;
  readonly status: 'available' | 'failed';
  /** Why the build fails (`status` `failed` only). */
  readonly failureReason: string | undefined;
  /** The zip's `routine/index.js` (`status` `available` only, and only when it has one). */
  readonly routine: Buffer | undefined;
  /** The zip's files under `assets/` (empty when `failed`). */
  readonly assets: ReadonlyMap<string, Buffer>;
}

/**
 * A code version. Records are immutable: a status change replaces the record in
 * `Routine.versions` (keeping its place). `bytes`/`size`/`sha256` are the routine code: the
 * committed JS file, or an assets version's `routine/index.js` (empty when it has none or is not
 * built).
 */
export interface CodeVersionRecord extends CodeBytes {
  readonly codeVersion: string;
  readonly description: string;
  readonly createTime: Date;
  /** The `DeployEnv` given to `CommitRoutineStagingCode` (whose variables the version bundles), if any. */
  readonly deployEnv: EnvName | undefined;
  readonly status: CodeVersionStatus;
  /** Why the version is `failed`; undefined otherwise. */
  readonly failureReason: string | undefined;
  /** The bytes of the routine code; undefined for an assets-only, failed or unbuilt version. */
  readonly routine: Buffer | undefined;
  /** The zip's files under `assets/`, by path relative to `assets/` (e.g. `css/site.css`); set when built. */
  readonly assets: ReadonlyMap<string, Buffer>;
  /** `ExtraInfo` as given to `CreateRoutineWithAssetsCodeVersion` (`''` when none). */
  readonly extraInfo: string;
  /** `BuildId` as given to `CreateRoutineWithAssetsCodeVersion`, if any. */
  readonly buildId: number | undefined;
  readonly notFoundStrategy: NotFoundStrategy | undefined;
  /** A build under way (status `init` until `readyAt`); undefined before the upload and after it settles. */
  readonly pendingBuild: PendingBuild | undefined;
}

/** One version of a deployment and its share of the environment's traffic. */
export interface DeploymentCodeVersion {
  readonly codeVersion: string;
  /** Integer percentage of traffic, 1 to 100. */
  readonly percentage: number;
}

/**
 * What an environment runs: set by `CreateRoutineCodeDeployment`, or by `PublishRoutineCodeVersion`
 * as one version at 100%.
 */
export interface Deployment {
  readonly deployId: string;
  readonly creationTime: Date;
  /** ESA's only deployment strategy. */
  readonly strategy: 'percentage';
  /** One version at 100%, or two (a canary) whose percentages sum to 100. */
  readonly codeVersions: readonly DeploymentCodeVersion[];
}

export interface Routine {
  readonly name: string;
  readonly description: string;
  readonly createTime: Date;
  /** `HasAssets` as given to `CreateRoutine`. */
  readonly hasAssets: boolean;
  /** The routine's default access domain, as `GetRoutine` reports it. */
  readonly defaultRelatedRecord: string;
  staging: StagingCode | undefined;
  /** Committed versions in creation order. */
  readonly versions: Map<string, CodeVersionRecord>;
  readonly envs: Map<EnvName, Deployment>;
}

/** One request as a server saw it, for tests that count round trips and check who called. */
export interface RequestRecord {
  readonly service: 'esa' | 'oss' | 'callback' | 'sts';
  /** ESA or STS action, or `PostObject` / the callback path. */
  readonly action: string;
  readonly status: number;
  /** The error code answered, if any. */
  readonly code: string | undefined;
  readonly requestId: string;
  /**
   * The AccessKey ID whose signature (and security token) verified: ESA requests and STS
   * `AssumeRole`. `undefined` when the request failed before that, and for OSS, callback and
   * `AssumeRoleWithOIDC` requests (OIDC calls carry no AccessKey: their session is in
   * `EmulatorState.stsSessions`).
   */
  readonly accessKeyId: string | undefined;
  /**
   * Who signed, when `accessKeyId` is set: the assumed-role ARN
   * (`acs:ram::<account>:assumed-role/<role>/<session>`) for credentials issued by the STS server,
   * `undefined` for the built-in and configured AccessKeys (they stand for no RAM identity).
   */
  readonly principal: string | undefined;
  /**
   * ESA requests: the action's parameters (query and body together) once the signature verified
   * (ESA signs with headers; a parameter named like a secret, token or signature is left out).
   * `undefined` for the other services, whose parameters hold secrets (STS: `OIDCToken`,
   * `Signature`), and for requests refused before that.
   */
  readonly params: Readonly<Record<string, string>> | undefined;
  /** When it was answered, on the emulator's clock (`now`). */
  readonly at: Date;
}

/** Who answered an edge request: the routine's code, an asset file, or the edge itself (an error). */
export type EdgeServedBy = 'routine' | 'asset' | 'edge';

/** One request to a staging or production edge, as it arrived and how it was answered. */
export interface EdgeRequestRecord {
  /** The edge: `staging` or `production`. */
  readonly env: EnvName;
  /** The TLS SNI servername; undefined when the client sent none. */
  readonly sni: string | undefined;
  /**
   * The host the `Host` header names: lower-case, without its port or a trailing dot (what is
   * compared with SNI and with routine hosts); undefined when there was none.
   */
  readonly host: string | undefined;
  /** The `Host` header as sent (with its port, if any); undefined when there was none. */
  readonly hostHeader: string | undefined;
  readonly method: string;
  /** The request target: path and query, as sent. */
  readonly path: string;
  readonly status: number;
  /** The routine SNI and Host named; undefined when they named none. */
  readonly routine: string | undefined;
  /** The code version picked to answer (by the deployment's percentages); undefined when none was. */
  readonly codeVersion: string | undefined;
  readonly servedBy: EdgeServedBy;
  /**
   * Why the edge answered an error, or why the routine gave no response (it threw, answered no
   * `Response`, ran out of memory or time); undefined otherwise.
   */
  readonly error: string | undefined;
  /** When the request arrived, on the emulator's clock (`now`), as `RequestRecord.at`. */
  readonly at: Date;
  /** Milliseconds from the request's arrival to its answer. */
  readonly ms: number;
}

/** The STS action that issued a session. */
export type StsAction = 'AssumeRole' | 'AssumeRoleWithOIDC';

/** Credentials the STS server issued, without their secrets (AccessKeySecret, SecurityToken). */
export interface StsSession {
  readonly action: StsAction;
  /** The issued `STS.` AccessKey ID (what ESA requests signed with it record as `accessKeyId`). */
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly roleSessionName: string;
  /** The assumed-role ARN, `acs:ram::<account>:assumed-role/<role>/<session>`: `AssumedRoleUser.Arn`. */
  readonly principal: string;
  /** `AssumedRoleUser.AssumedRoleId`, `<role id>:<session>`. */
  readonly assumedRoleId: string;
  readonly durationSeconds: number;
  readonly issuedAt: Date;
  /** `Credentials.Expiration`: the credentials are refused from this instant on (emulator clock). */
  readonly expiration: Date;
  /** The session `Policy` as given, if any (not enforced). */
  readonly policy: string | undefined;
  /** `AssumeRole`: the AccessKey ID that signed the call, and its principal (when it was issued too). */
  readonly callerAccessKeyId: string | undefined;
  readonly callerPrincipal: string | undefined;
  /** `AssumeRoleWithOIDC`: the provider ARN and the token's `sub`, `iss` and `aud` claims. */
  readonly oidcProviderArn: string | undefined;
  readonly subject: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: readonly string[] | undefined;
  /** The STS request that issued it. */
  readonly requestId: string;
}

/** Everything the emulator remembers. Inspect it from tests; mutate it only through the servers. */
export class EmulatorState {
  readonly routines = new Map<string, Routine>();
  readonly objects = new Map<string, StoredObject>();
  readonly tickets = new Map<string, UploadTicket>();
  readonly requests: RequestRecord[] = [];
  /** Every request the staging and production edges answered, oldest first. */
  readonly edgeRequests: EdgeRequestRecord[] = [];
  /** Every session the STS server issued, oldest first, without secrets. */
  readonly stsSessions: StsSession[] = [];
  /**
   * The credentials the STS server issued, by AccessKey ID, expired ones included. Holds secrets:
   * the servers check signatures with them; nothing logs them or answers them to the admin routes.
   */
  readonly issuedCredentials = new Map<string, SigningCredential>();
  readonly nextCodeVersion: () => string;
  private deploySequence = 0;
  private readonly servingListeners = new Set<() => void>();

  constructor(
    private readonly now: () => number,
    readonly versionQuota: number,
  ) {
    this.nextCodeVersion = createCodeVersionGenerator(now);
  }

  clock(): Date {
    return new Date(this.now());
  }

  createRoutine(name: string, description = '', hasAssets = false): Routine {
    const routine: Routine = {
      name,
      description,
      createTime: this.clock(),
      hasAssets,
      defaultRelatedRecord: routineHost(name),
      staging: undefined,
      versions: new Map(),
      envs: new Map(),
    };
    this.routines.set(name, routine);
    return routine;
  }

  /**
   * The routine's version `codeVersion` as of now: a pending build whose `readyAt` has passed is
   * settled first (the record is replaced by one with its final status and files). Undefined when
   * unknown.
   */
  settleVersion(routine: Routine, codeVersion: string): CodeVersionRecord | undefined {
    const version = routine.versions.get(codeVersion);
    const build = version?.pendingBuild;
    if (!version || !build || build.readyAt.getTime() > this.now()) return version;
    const settled: CodeVersionRecord = {
      ...version,
      ...codeBytesOf(build.routine ?? Buffer.alloc(0)),
      routine: build.routine,
      assets: build.assets,
      status: build.status,
      failureReason: build.failureReason,
      pendingBuild: undefined,
    };
    routine.versions.set(codeVersion, settled);
    return settled;
  }

  /** Every version of the routine, in creation order, each settled as by {@link settleVersion}. */
  settleVersions(routine: Routine): CodeVersionRecord[] {
    return [...routine.versions.keys()].flatMap((v) => this.settleVersion(routine, v) ?? []);
  }

  nextDeployId(): string {
    this.deploySequence += 1;
    return `deploy-${this.deploySequence.toString().padStart(8, '0')}`;
  }

  /** Replaces an environment's deployment with a new one (fresh id, created now) and returns it. */
  deploy(routine: Routine, env: EnvName, codeVersions: readonly DeploymentCodeVersion[]): Deployment {
    const deployment: Deployment = {
      deployId: this.nextDeployId(),
      creationTime: this.clock(),
      strategy: 'percentage',
      codeVersions: codeVersions.map(({ codeVersion, percentage }) => ({ codeVersion, percentage })),
    };
    routine.envs.set(env, deployment);
    this.servingChanged();
    return deployment;
  }

  /**
   * Calls `listener` after each change of what the environments serve (a deployment, a reset).
   * Returns the function that stops it.
   */
  onServingChange(listener: () => void): () => void {
    this.servingListeners.add(listener);
    return () => this.servingListeners.delete(listener);
  }

  private servingChanged(): void {
    for (const listener of this.servingListeners) listener();
  }

  /** The environments whose deployment includes a version, at any percentage. */
  deployedEnvs(routine: Routine, codeVersion: string): EnvName[] {
    return ENV_NAMES.filter(
      (env) => routine.envs.get(env)?.codeVersions.some((v) => v.codeVersion === codeVersion) ?? false,
    );
  }

  /**
   * Forgets everything but the configuration: routines, objects, versions, the request logs (ESA,
   * OSS, STS and edges), and the STS sessions with their credentials (which stop being accepted).
   */
  reset(): void {
    this.routines.clear();
    this.objects.clear();
    this.tickets.clear();
    this.requests.length = 0;
    this.edgeRequests.length = 0;
    this.stsSessions.length = 0;
    this.issuedCredentials.clear();
    this.servingChanged();
  }
}
