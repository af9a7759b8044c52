import { formatBytes } from '../format.js';

/** How far an upload is. */
export interface UploadProgress {
  readonly fileName: string;
  readonly sent: number;
  readonly total: number;
  readonly elapsedMs: number;
}

/** Bytes per second as `8.1 MB/s`. */
function rate(bytes: number, ms: number): string {
  return `${formatBytes(Math.round((bytes * 1000) / Math.max(ms, 1)))}/s`;
}

/**
 * `uploading routine.js  12.30 MB / 23.40 MB  52%  8.10 MB/s  2 s left`: what an upload under way
 * shows. Speed and time left appear once there is a second's worth of measure. Pure.
 */
export function formatProgress(p: UploadProgress): string {
  const percent = p.total > 0 ? Math.floor((p.sent * 100) / p.total) : 100;
  const parts = [
    `uploading ${p.fileName}`,
    `${formatBytes(p.sent)} / ${formatBytes(p.total)}`,
    `${percent}%`,
  ];
  if (p.elapsedMs >= 1000 && p.sent > 0) {
    const left = Math.ceil(((p.total - p.sent) * p.elapsedMs) / p.sent / 1000);
    parts.push(rate(p.sent, p.elapsedMs), `${left} s left`);
  }
  return parts.join('  ');
}

/** `uploaded routine.js (23.40 MB) in 2.90 s, 8.07 MB/s`: the line an upload ends with. Pure. */
export function formatUploaded(p: UploadProgress): string {
  return `uploaded ${p.fileName} (${formatBytes(p.total)}) in ${(p.elapsedMs / 1000).toFixed(2)} s, ${rate(p.total, p.elapsedMs)}`;
}
