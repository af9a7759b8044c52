/** Bytes in SI units, as bundlers print them: `512 B`, `12.3 kB`, `4.56 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

/** Milliseconds as seconds with two decimals: `0.84 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The one line a successful publish logs (without the logger's prefix). */
export function formatPublishedLine(input: {
  readonly name: string;
  readonly codeVersion: string;
  readonly deployedTo: readonly string[];
  readonly size: number;
  readonly totalMs: number;
  readonly description: string;
}): string {
  const where =
    input.deployedTo.length > 0 ? `on ${input.deployedTo.join(' and ')}` : 'committed, not deployed';
  return `${input.name} -> ${input.codeVersion} ${where} (${formatBytes(input.size)}, ${formatSeconds(input.totalMs)}) ${JSON.stringify(input.description)}`;
}
