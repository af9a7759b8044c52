// Child process of the memory benchmark: uploads one large file in the given mode and prints the
// peak RSS growth (MB) it saw while doing so. Modes:
//   assets     publishRoutine() of a small routine with a directory as its assets (zip, upload, poll),
//              after a 16 MB assets warm-up; assets-cold: the same after a one-file warm-up
//   esa-stage  publishRoutine() of the file (upload info -> streamed OSS upload -> commit -> deploy)
//   baseline   fs.createReadStream(file) piped into undici.request() to a sink, as the issue measured
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishRoutine } from '@esa-stage/core';
import { request } from 'undici';

const [mode, file, target] = process.argv.slice(2);
const size = mode.startsWith('assets') ? 0 : (await stat(file)).size;

/** publishRoutine() of a small routine with `file` (a directory) as its assets: zip -> upload -> build poll. */
async function assets() {
  return publishRoutine(
    {
      name: 'bench',
      endpoint: target,
      logLevel: 'silent',
      description: 'assets memory benchmark',
      timeout: 120_000,
      assets: { directory: file },
    },
    {
      fileName: 'index.js',
      isEntry: true,
      source: { bytes: new TextEncoder().encode('export default { fetch: () => new Response("x") };') },
    },
  );
}

async function esaStage() {
  return publishRoutine(
    {
      name: 'bench',
      endpoint: target,
      logLevel: 'silent',
      description: 'memory benchmark',
      timeout: 120_000,
    },
    { fileName: 'big.js', isEntry: true, source: { path: file } },
  );
}

async function baseline() {
  const res = await request(target, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: createReadStream(file),
  });
  await res.body.dump();
}

const run = mode === 'esa-stage' ? esaStage : mode.startsWith('assets') ? assets : baseline;
// Warm up with a small real publish (or request) of a file from disk, so modules (undici alone
// is ~20 MB), libuv's file-system threads and connections are in place, as they are in a bundler
// that has just written its output; only the large upload itself is measured.
const warmFile = join(tmpdir(), `esa-stage-warm-${process.pid}.js`);
await writeFile(warmFile, 'export default { fetch: () => new Response("x") };');
// The assets mode warms up with 16 MB of assets (8 incompressible, 8 text files of 1 MB), so V8 has
// compiled the hot paths (its optimizing compilers take tens of MB for a moment, once per process).
// `assets-cold` warms up with one small file: its number includes that one-time compile.
const warmDir = await mkdtemp(join(tmpdir(), 'esa-stage-warm-assets-'));
await writeFile(join(warmDir, 'warm.css'), 'body {}');
if (mode === 'assets') {
  const { randomBytes } = await import('node:crypto');
  for (let i = 0; i < 8; i++) {
    await writeFile(join(warmDir, `${i}.png`), randomBytes(1024 * 1024));
    await writeFile(join(warmDir, `${i}.css`), Buffer.alloc(1024 * 1024, 'body { color: teal; }\n'));
  }
}
if (mode === 'esa-stage' || mode.startsWith('assets')) {
  // The assets mode warms up with a version with assets, so the zip code is loaded too.
  await publishRoutine(
    {
      name: 'bench',
      endpoint: target,
      logLevel: 'silent',
      description: 'warm-up',
      ...(mode.startsWith('assets') && { assets: { directory: warmDir } }),
    },
    { fileName: 'warm.js', isEntry: true, source: { path: warmFile } },
  );
} else {
  await (await request(target, { method: 'POST', body: createReadStream(warmFile) })).body.dump();
}
await rm(warmFile);
await rm(warmDir, { recursive: true, force: true });
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 50));
const before = process.memoryUsage.rss();
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 2);
const started = performance.now();
await run();
const ms = performance.now() - started;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
process.stdout.write(`${JSON.stringify({ mode, growthMb: (peak - before) / 1024 / 1024, ms })}\n`);
