// `pnpm bench`: speed and memory of esa-stage, each as a ratio against a baseline measured in the
// same run on this machine. Nothing here is asserted; the numbers are printed for the issue notes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const EMULATOR_BIN = join(root, 'packages/emulator/dist/bin.js');
const MB = 1024 * 1024;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function runNode(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: here,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`${args.join(' ')} exited ${code}`)),
    );
  });
}

async function startEmulatorProcess(args) {
  const child = spawn(
    process.execPath,
    [EMULATOR_BIN, '--json', '--quiet', '--port', '0', '--routine', 'bench', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { ...JSON.parse(line), stop: () => child.kill('SIGTERM') };
}

function credentialsEnv(emulator) {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.accessKeySecret,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  };
}

async function memory() {
  const file = join(tmpdir(), `esa-stage-bench-${process.pid}.js`);
  const handle = await open(file, 'w');
  // 32-byte lines, so each 1 MB block ends at a line end.
  const block = Buffer.alloc(MB, '// esa-stage benchmark padding.\n');
  for (let i = 0; i < 64; i++) await handle.write(block);
  // A routine, so the artifact check passes: 64 MB of comments, then the handler.
  await handle.write('\nexport default { fetch: () => new Response("x") };\n');
  await handle.close();
  const emulator = await startEmulatorProcess([]);
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${sink.address().port}/`;
  try {
    const rows = { 'esa-stage': [], baseline: [] };
    for (let i = 0; i < 3; i++) {
      for (const mode of ['esa-stage', 'baseline']) {
        const target = mode === 'esa-stage' ? emulator.endpoint : sinkUrl;
        const out = await runNode(
          ['--expose-gc', 'memory-child.mjs', mode, file, target],
          credentialsEnv(emulator),
        );
        rows[mode].push(JSON.parse(out));
      }
    }
    const ours = median(rows['esa-stage'].map((r) => r.growthMb));
    const base = median(rows.baseline.map((r) => r.growthMb));
    return {
      'publish 64 MB: peak RSS growth, esa-stage (MB)': ours.toFixed(1),
      'upload 64 MB: peak RSS growth, createReadStream -> undici.request (MB)': base.toFixed(1),
      'ratio esa-stage / baseline': (ours / base).toFixed(2),
      'publish 64 MB: time (ms)': median(rows['esa-stage'].map((r) => r.ms)).toFixed(0),
    };
  } finally {
    emulator.stop();
    sink.close();
    await rm(file, { force: true });
  }
}

/**
 * Peak RSS growth publishing a 200 MB assets directory (100 incompressible .png, 100 text files),
 * after a 16 MB assets warm-up (as in a bundler that has published before, V8 has compiled the hot
 * paths), and, for comparison, as the first assets publish of a process.
 */
async function memoryAssets() {
  const { randomBytes } = await import('node:crypto');
  const { mkdir, writeFile: write } = await import('node:fs/promises');
  const dir = join(tmpdir(), `esa-stage-bench-assets-${process.pid}`);
  await mkdir(join(dir, 'img'), { recursive: true });
  const text = Buffer.alloc(MB, 'body { color: teal; } /* esa-stage benchmark */\n');
  for (let i = 0; i < 100; i++) {
    await write(join(dir, 'img', `${i}.png`), randomBytes(MB));
    await write(join(dir, `${i}.css`), text);
  }
  const small = `${dir}-small`;
  await mkdir(join(small, 'img'), { recursive: true });
  for (let i = 0; i < 10; i++) {
    await write(join(small, 'img', `${i}.png`), randomBytes(MB));
    await write(join(small, `${i}.css`), text);
  }
  // Each mode gets its own emulator: every run creates two versions, and a routine holds at most 10.
  const measure = async (mode, times, assetsDir = dir) => {
    const emulator = await startEmulatorProcess([]);
    try {
      const rows = [];
      for (let i = 0; i < times; i++) {
        rows.push(
          JSON.parse(
            await runNode(
              ['--expose-gc', 'memory-child.mjs', mode, assetsDir, emulator.endpoint],
              credentialsEnv(emulator),
            ),
          ),
        );
      }
      return rows;
    } finally {
      emulator.stop();
    }
  };
  try {
    const warm = await measure('assets', 5);
    const cold = await measure('assets-cold', 3);
    // The same first publish with a tenth of the assets: what does not scale with their size.
    const coldSmall = await measure('assets-cold', 3, small);
    const growth = warm.map((r) => r.growthMb);
    return {
      'publish a 200 MB assets directory: peak RSS growth (MB, median of 5)': median(growth).toFixed(1),
      'publish a 200 MB assets directory: growth min / max (MB)': `${Math.min(...growth).toFixed(1)} / ${Math.max(...growth).toFixed(1)}`,
      'ratio growth / assets size': (median(growth) / 200).toFixed(3),
      'publish a 200 MB assets directory: time (ms)': median(warm.map((r) => r.ms)).toFixed(0),
      'the same as the first assets publish of a process (MB, median of 3)': median(
        cold.map((r) => r.growthMb),
      ).toFixed(1),
      'the same, a 20 MB assets directory (MB, median of 3)': median(
        coldSmall.map((r) => r.growthMb),
      ).toFixed(1),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(small, { recursive: true, force: true });
  }
}

async function latency() {
  const LATENCY = 50;
  const results = {};
  for (const ms of [0, LATENCY]) {
    const emulator = await startEmulatorProcess(['--latency', String(ms)]);
    try {
      const times = [];
      for (let i = 0; i < 5; i++) {
        const out = await runNode(
          [
            '--input-type=module',
            '-e',
            `
            import { publishRoutine } from '@esa-stage/core';
            const r = await publishRoutine({ name: 'bench', endpoint: ${JSON.stringify(emulator.endpoint)}, logLevel: 'silent', description: 'latency' },
              { fileName: 'index.js', isEntry: true, source: { bytes: new TextEncoder().encode('export default { fetch: () => new Response("x") };') } });
            console.log(JSON.stringify(r.timings));`,
          ],
          credentialsEnv(emulator),
        );
        times.push(JSON.parse(out));
      }
      results[ms] = times;
    } finally {
      emulator.stop();
    }
  }
  const total = (ms) => median(results[ms].map((t) => t.total));
  // Round trips a publish to staging makes: upload info, OSS upload (+ OSS's callback to ESA, which
  // also pays the injected latency server-side), commit, deploy.
  const roundTrips = 5;
  const added = total(LATENCY) - total(0);
  return {
    'publish to staging, no injected latency (ms)': total(0).toFixed(0),
    [`publish to staging, ${LATENCY} ms injected per request (ms)`]: total(LATENCY).toFixed(0),
    'added time / (5 round trips x latency)': (added / (roundTrips * LATENCY)).toFixed(2),
  };
}

async function importCost() {
  const snippet = (specifier) =>
    `const t = performance.now(); ${specifier ? `await import(${JSON.stringify(specifier)});` : ''} console.log(performance.now() - t);`;
  const measure = async (specifier) => {
    const samples = [];
    for (let i = 0; i < 7; i++)
      samples.push(Number(await runNode(['--input-type=module', '-e', snippet(specifier)])));
    return median(samples);
  };
  const nothing = await measure(undefined);
  const core = await measure('@esa-stage/core');
  const undici = await measure('undici');
  const sdk = await measure('@alicloud/esa20240910');
  return {
    'import @esa-stage/core (ms)': (core - nothing).toFixed(1),
    'import undici (ms, loaded lazily by core)': (undici - nothing).toFixed(1),
    'import the official @alicloud/esa20240910 SDK (ms)': (sdk - nothing).toFixed(1),
    'ratio core / SDK': ((core - nothing) / (sdk - nothing)).toFixed(3),
  };
}

const sections = { 'import cost': importCost, latency, memory, 'assets memory': memoryAssets };
const only = process.argv.slice(2);
for (const [name, fn] of Object.entries(sections)) {
  if (only.length > 0 && !only.includes(name.split(' ')[0])) continue;
  const rows = await fn();
  console.log(`\n${name}`);
  for (const [label, value] of Object.entries(rows)) console.log(`  ${label.padEnd(76)} ${value}`);
}
