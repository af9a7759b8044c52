import type { Logger } from '../log/logger.js';
import { isCi } from '../options/env-flags.js';
import type { Env } from '../options/types.js';
import { formatProgress, formatUploaded } from './format-progress.js';

/** How an upload shows its progress: one rewritten line on a terminal (the CLI), or log lines (a bundler's logger). */
export type ProgressStyle = 'line' | 'log';

/** Receives the bytes sent so far, then the end of the upload. */
export interface ProgressTicker {
  tick(sent: number): void;
  /** The upload succeeded: the final line. */
  done(): void;
  /** The upload failed or will be retried: clear the line, say nothing more. */
  stop(): void;
}

/** Starts a ticker for one upload of `total` bytes, or gives undefined when none is shown. */
export type ProgressFactory = (fileName: string, total: number) => ProgressTicker | undefined;

/** Uploads up to this size finish too fast for progress to be worth a line. */
export const PROGRESS_THRESHOLD = 1_000_000;
const LINE_INTERVAL_MS = 100;
const LOG_INTERVAL_MS = 2000;

export interface ProgressTarget {
  readonly style: ProgressStyle;
  readonly env: Env;
  /** Whether a person watches: stderr (line) or the bundler's output (log) is a terminal. */
  readonly isTTY: boolean;
  readonly logLevel: string;
  readonly logger: Logger;
  /** Where a `line` goes. @default process.stderr.write */
  readonly write?: (text: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Progress for uploads over 1 MB, only where a person watches: a terminal, outside CI, at log
 * level info or more. `line` rewrites one line on stderr (at most 10 times a second) and ends with
 * the size, time and speed; `log` gives the logger a line every 2 seconds and the same last line.
 */
export function progressFactory(target: ProgressTarget): ProgressFactory | undefined {
  if (!target.isTTY || isCi(target.env) || (target.logLevel !== 'info' && target.logLevel !== 'debug')) {
    return undefined;
  }
  const now = target.now ?? Date.now;
  const write = target.write ?? ((text: string) => process.stderr.write(text));
  return (fileName, total) => {
    if (total <= PROGRESS_THRESHOLD) return undefined;
    const started = now();
    let shownAt = started;
    let sent = 0;
    let drawn = false;
    const progress = () => ({ fileName, sent, total, elapsedMs: now() - started });
    const interval = target.style === 'line' ? LINE_INTERVAL_MS : LOG_INTERVAL_MS;
    return {
      tick(bytes) {
        sent = bytes;
        const at = now();
        if (at - shownAt < interval) return;
        shownAt = at;
        if (target.style === 'line') {
          write(`\resa-stage: ${formatProgress(progress())}\x1b[K`);
          drawn = true;
        } else {
          target.logger.info(formatProgress(progress()));
        }
      },
      done() {
        sent = total;
        if (target.style === 'line') write(`\resa-stage: ${formatUploaded(progress())}\x1b[K\n`);
        else target.logger.info(formatUploaded(progress()));
        drawn = false;
      },
      stop() {
        if (drawn) write('\r\x1b[K');
        drawn = false;
      },
    };
  };
}
