import { EsaStageError } from '../errors.js';

/** A failure as a machine reads it: the CLI's `--json` error and a manifest's `error`. */
export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
  readonly hint: string | undefined;
  readonly requestId: string | undefined;
  /** Versions the failed publish created on ESA. */
  readonly versionsCreated: readonly string[];
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
  };
}
