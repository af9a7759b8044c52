/** Where an error came from, so a message can say which service answered. */
export type ErrorSource = 'config' | 'chunk' | 'esa' | 'oss' | 'sts' | 'network' | 'publish' | 'verify';

export interface EsaStageErrorInit {
  /** A stable, machine-readable code: ESA's or OSS's own, or one of esa-stage's. */
  readonly code: string;
  /** The request id ESA or OSS answered with, when there was one. */
  readonly requestId?: string | undefined;
  /** What the user can do about it. */
  readonly hint?: string | undefined;
  /** How long the service asked to wait before a retry (`Retry-After`), in ms. */
  readonly retryAfterMs?: number | undefined;
  readonly cause?: unknown;
}

/** Base of every error esa-stage throws. Messages never contain a secret. */
export class EsaStageError extends Error {
  readonly code: string;
  readonly requestId: string | undefined;
  readonly hint: string | undefined;
  /** How long the service asked to wait before a retry (`Retry-After`), in ms; honoured by the retries. */
  readonly retryAfterMs: number | undefined;
  readonly source: ErrorSource = 'publish';
  /** Versions the failed publish created on ESA (so none is left unmentioned). */
  readonly versionsCreated: readonly string[] = [];

  constructor(message: string, init: EsaStageErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'EsaStageError';
    this.code = init.code;
    this.requestId = init.requestId;
    this.hint = init.hint;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** One line: code, message, request id and hint. What the CLI prints and the plugins report. */
  toLine(): string {
    const id = this.requestId ? ` (RequestId ${this.requestId})` : '';
    const hint = this.hint ? ` Hint: ${this.hint}` : '';
    return `${this.code}: ${this.message.replace(/\.$/, '')}${id}.${hint}`;
  }
}

/** One thing wrong with the options. */
export interface ConfigProblem {
  /** The option, e.g. `name` or `credentials.accessKeyId`. */
  readonly option: string;
  readonly message: string;
}

/** Bad or missing configuration, found before any request. Lists every problem at once. */
export class ConfigError extends EsaStageError {
  override readonly source = 'config';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], init: Partial<EsaStageErrorInit> = {}) {
    const list = problems.map((p) => `${p.option}: ${p.message}`).join('; ');
    super(problems.length === 1 ? list : `${problems.length} problems: ${list}`, {
      code: init.code ?? 'InvalidConfig',
      hint: init.hint,
      cause: init.cause,
    });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The bundle output offers no single chunk that can be published. */
export class ChunkError extends EsaStageError {
  override readonly source = 'chunk';
  constructor(message: string, init: EsaStageErrorInit) {
    super(message, init);
    this.name = 'ChunkError';
  }
}

/** ESA's OpenAPI answered with an error. `code` is ESA's (e.g. `RoutineNotExist`). */
export class EsaError extends EsaStageError {
  override readonly source = 'esa';
  readonly status: number;
  readonly action: string;
  readonly recommend: string | undefined;

  constructor(
    message: string,
    init: EsaStageErrorInit & {
      status: number;
      action: string;
      recommend?: string | undefined;
    },
  ) {
    super(message, init);
    this.name = 'EsaError';
    this.status = init.status;
    this.action = init.action;
    this.recommend = init.recommend;
  }
}

/** OSS refused or failed the upload. `code` is OSS's (e.g. `AccessDenied`, `CallbackFailed`). */
export class OssError extends EsaStageError {
  override readonly source = 'oss';
  readonly status: number;
  readonly hostId: string | undefined;

  constructor(message: string, init: EsaStageErrorInit & { status: number; hostId?: string | undefined }) {
    super(message, init);
    this.name = 'OssError';
    this.status = init.status;
    this.hostId = init.hostId;
  }
}

/**
 * STS refused to exchange credentials (`AssumeRoleWithOIDC`, `AssumeRole`). `code` is STS's
 * (e.g. `AuthenticationFail.OIDCToken.Expired`, `EntityNotExist.Role`).
 */
export class StsError extends EsaStageError {
  override readonly source = 'sts';
  readonly status: number;
  readonly action: string;

  constructor(message: string, init: EsaStageErrorInit & { status: number; action: string }) {
    super(message, init);
    this.name = 'StsError';
    this.status = init.status;
    this.action = init.action;
  }
}

/** No answer: connection refused or reset, DNS, timeout, or aborted by the caller. */
export class NetworkError extends EsaStageError {
  override readonly source = 'network';
  constructor(message: string, init: EsaStageErrorInit) {
    super(message, init);
    this.name = 'NetworkError';
  }
}

/**
 * Staging did not answer the `verify` request as expected (or could not be asked): nothing was
 * promoted beyond staging.
 */
export class VerifyError extends EsaStageError {
  override readonly source = 'verify';
  /** The version staging serves now. */
  readonly stagingVersion: string;
  /** The last status staging answered with; undefined when it never answered. */
  readonly lastStatus: number | undefined;
  constructor(
    message: string,
    init: EsaStageErrorInit & { stagingVersion: string; lastStatus: number | undefined },
  ) {
    super(message, init);
    this.name = 'VerifyError';
    this.stagingVersion = init.stagingVersion;
    this.lastStatus = init.lastStatus;
  }
}
