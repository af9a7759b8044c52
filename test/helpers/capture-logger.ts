import type { Logger } from '@esa-stage/core';

/** A logger that keeps every line, with its level, for assertions. */
export interface CapturedLogger extends Logger {
  readonly lines: string[];
  text(): string;
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => {
    lines.push(`[${level}] ${message}`);
  };
  return {
    lines,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
    text: () => lines.join('\n'),
  };
}
