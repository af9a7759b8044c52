import type { VersionInfo } from '../versions/lifecycle.js';

/** `esa-stage versions list` as a table: version, created, which environment serves it, description. Pure. */
export function formatVersionTable(versions: readonly VersionInfo[], total: number): string {
  const rows = versions.map((v) => [
    v.codeVersion,
    v.createTime || '-',
    v.servedBy.map((s) => `${s.env} ${s.percentage}%`).join(', ') || '-',
    JSON.stringify(v.description),
  ]);
  const header = ['VERSION', 'CREATED', 'SERVED BY', 'DESCRIPTION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const more = total > versions.length ? `\n(${total - versions.length} more that ESA does not list)` : '';
  return `${[line(header), ...rows.map(line)].join('\n')}${more}\n`;
}
