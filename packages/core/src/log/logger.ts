import type { Secrets } from './secrets.js';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

/** Where log lines go. Each receives one finished line, already prefixed and redacted. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** Writes every level to stderr, so stdout stays free for `--json` output. */
export const stderrLogger: Logger = {
  debug: (m) => process.stderr.write(`${m}\n`),
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`${m}\n`),
  error: (m) => process.stderr.write(`${m}\n`),
};

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly sink?: Logger | undefined;
  readonly secrets: Secrets;
  /** Put before each line as `<prefix>: `; `''` for none (a host that prefixes lines itself). @default 'esa-stage' */
  readonly prefix?: string;
}

/** A logger that drops lines below `level`, prefixes the rest and removes secrets from them. */
export function createLogger(options: LoggerOptions): Logger {
  const sink = options.sink ?? stderrLogger;
  const prefix = options.prefix ?? 'esa-stage';
  const rank = RANK[options.level];
  const emit = (level: Exclude<LogLevel, 'silent'>) => (message: string) => {
    if (RANK[level] > rank) return;
    const line = options.secrets.redact(prefix ? `${prefix}: ${message}` : message);
    try {
      sink[level](line);
    } catch (error) {
      // A logger that throws must not fail a publish (least of all one already live): the line
      // goes to stderr instead, with why.
      stderrLogger[level](
        `${line} (the logger threw: ${options.secrets.redact(error instanceof Error ? error.message : String(error))})`,
      );
    }
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
