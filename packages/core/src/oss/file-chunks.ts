import type { Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Socket } from 'node:net';

/** Size of one read; four of them are all the memory a file upload holds. */
export const CHUNK_SIZE = 64 * 1024;
const RING_SLOTS = 4;
const EMPTY = Buffer.alloc(0);

/**
 * Resolves once every byte written to `socket` so far has left the process. An empty write is
 * queued behind them, and write callbacks run in order, so its callback means they are done.
 */
export function writesFlushed(socket: Socket | undefined): Promise<void> {
  if (!socket || socket.destroyed || socket.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    socket.write(EMPTY, () => resolve());
  });
}

/**
 * Reads a file through a ring of four fixed buffers, hashing and counting each chunk. A buffer is
 * refilled only after the socket has flushed everything written before (`flushed`), so no chunk
 * is overwritten while still queued, and memory stays at the ring's 256 KB whatever the file size
 * (freshly allocated chunks, as fs streams make, grow RSS by tens of MB before GC reclaims them).
 */
export async function* readFileChunks(
  path: string,
  hash: Hash,
  flushed: () => Promise<void>,
): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  const ring = Array.from({ length: RING_SLOTS }, () => Buffer.allocUnsafeSlow(CHUNK_SIZE));
  try {
    for (let n = 0; ; n++) {
      const buffer = ring[n % RING_SLOTS] as Buffer;
      if (n >= RING_SLOTS) await flushed();
      const { bytesRead } = await file.read(buffer, 0, CHUNK_SIZE, null);
      if (bytesRead === 0) return;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      yield chunk;
    }
  } finally {
    await file.close();
  }
}
