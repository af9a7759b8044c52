import { EsaStageError, VerifyError } from '../errors.js';

/** A failure as a machine reads it: the CLI's `--json` error and a manifest's `error`. */
export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
  readonly hint: string | undefined;
  readonly requestId: string | undefined;
  /** Versions the failed publish created on ESA. */
  readonly versionsCreated: readonly string[];
  /** For a failed `verify`: staging's last status (`none` when it never answered). */
  readonly verifyStatus?: string;
}

/** Summarises any thrown value; `fallbackCode` names what is not an {@link EsaStageError}. */
export function errorSummary(error: unknown, fallbackCode = 'Unexpected'): ErrorSummary {
  const e = error instanceof EsaStageError ? error : undefined;
  return {
    code: e?.code ?? fallbackCode,
    message: error instanceof Error ? error.message : String(error),
    hint: e?.hint,
    requestId: e?.requestId,
    versionsCreated: e?.versionsCreated ?? [],
    ...(error instanceof VerifyError && { verifyStatus: String(error.lastStatus ?? 'none') }),
  };
}
