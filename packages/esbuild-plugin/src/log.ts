import type { PluginReporter } from '@esa-stage/core';
import type { BuildOptionsLike, EsbuildApiLike, MessageLike } from './types.js';

// esbuild prints nothing a plugin returns from onEnd, and has no info channel for plugins: the
// plugin prints its own lines, in esbuild's format and at esbuild's `logLevel`.

const RANK: Readonly<Record<string, number>> = {
  silent: 0,
  error: 1,
  warning: 2,
  info: 3,
  debug: 4,
  verbose: 5,
};

/** Where the plugin's lines go; tests replace it. */
export type Write = (text: string) => void;

/**
 * A reporter that prints at the build's `logLevel` (unset counts as info: a publish says what it
 * did) and keeps every warning for the build result.
 */
export function esbuildReporter(
  options: BuildOptionsLike,
  esbuild: EsbuildApiLike,
  warnings: MessageLike[],
  write: Write,
): PluginReporter & { flush(): Promise<void> } {
  const rank = RANK[options.logLevel ?? 'info'] ?? RANK.info ?? 3;
  const color = options.color ?? process.stderr.isTTY === true;
  const printed: Promise<void>[] = [];
  return {
    info: (message) => {
      if (rank >= 3) write(`[plugin esa-stage] ${message}\n`);
    },
    debug: (message) => {
      if (rank >= 4) write(`[plugin esa-stage] ${message}\n`);
    },
    warn: (text) => {
      const message: MessageLike = { text, pluginName: 'esa-stage' };
      warnings.push(message);
      if (rank >= 2) {
        printed.push(
          esbuild
            .formatMessages([message], { kind: 'warning', color })
            .then((lines) => write(lines.join(''))),
        );
      }
    },
    /** Waits for the warnings being formatted, so they print before the build resolves. */
    async flush() {
      await Promise.all(printed.splice(0));
    },
  };
}
