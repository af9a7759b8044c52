// `pnpm bench`: the speed and memory of esa-stage, each row a ratio against a floor or a baseline
// measured in the same run on this machine (interleaved, so both see the same load). Prints one
// markdown table and writes it to test/bench/results.md. Nothing here is asserted.
//   node test/bench/run.mjs [cli] [vite] [memory] [assets]   (default: all)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const EMULATOR_BIN = join(root, 'packages/emulator/dist/bin.js');
const CLI = join(root, 'packages/core/dist/cli/bin.js');
const REPORT_RSS = join(here, 'report-rss.mjs');
const MB = 1024 * 1024;
const LATENCY = 20;
const TRIP_LATENCY = 250;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const stats = (values) => ({ min: Math.min(...values), median: median(values), max: Math.max(...values) });

/** Runs node to its end; resolves its stdout, rejects with its stderr when it fails. */
function spawnNode(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

function runNode(args, env = {}) {
  return spawnNode(args, env, here);
}

/** Runs a node process to its end: wall time (ms, spawn to exit) and peak RSS (MiB). */
async function timed(args, env = {}, cwd = here) {
  const rssFile = join(tmpdir(), `esa-stage-bench-rss-${process.pid}-${Math.random()}`);
  const started = performance.now();
  await spawnNode(['--import', REPORT_RSS, ...args], { ...env, BENCH_RSS_FILE: rssFile }, cwd);
  const ms = performance.now() - started;
  const rss = Number(await readFile(rssFile, 'utf8')) / 1024;
  await rm(rssFile, { force: true });
  return { ms, rss };
}

async function startEmulatorProcess(args) {
  const child = spawn(
    process.execPath,
    [
      EMULATOR_BIN,
      '--json',
      '--quiet',
      '--port',
      '0',
      '--version-quota',
      '100000',
      '--routine',
      'bench',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { ...JSON.parse(line), stop: () => child.kill('SIGTERM') };
}

function credentialsEnv(emulator) {
  return {
    ESA_ENDPOINT: emulator.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.accessKeySecret,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  };
}

/** A 1 MB routine whose bytes differ each round, so every publish makes a version. */
async function routineFile(dir, round) {
  const path = join(dir, `routine-${round}.js`);
  const pad = '// esa-stage benchmark padding, one line of thirty-two\n'.repeat(Math.ceil(MB / 56));
  await writeFile(path, `${pad}export default { fetch: () => new Response("round ${round}") };\n`);
  return path;
}

const rows = [];
/** The round trips the CLI rows counted, for the Vite rows. */
let measuredTrips;
/** One table row: esa-stage's samples against a reference's, their ratio, and the goal. */
function row(measure, ours, reference, referenceName, goal, unit = 'ms') {
  const o = stats(ours);
  const r = reference === undefined ? undefined : stats(reference);
  const fmt = (s) =>
    `${s.min.toFixed(unit === 'ms' ? 0 : 1)} / ${s.median.toFixed(unit === 'ms' ? 0 : 1)} / ${s.max.toFixed(unit === 'ms' ? 0 : 1)}`;
  rows.push({
    measure,
    ours: `${fmt(o)} ${unit}`,
    reference: r ? `${referenceName}: ${fmt(r)} ${unit}` : referenceName,
    ratio: r ? `${(o.median / r.median).toFixed(2)}x` : '',
    goal,
  });
}

async function cli() {
  const dir = await mkdtemp(join(tmpdir(), 'esa-stage-bench-cli-'));
  const slow = await startEmulatorProcess(['--latency', String(LATENCY)]);
  const fast = await startEmulatorProcess([]);
  // Round trips are counted with a latency far above the noise of a process run.
  const slower = await startEmulatorProcess(['--latency', String(TRIP_LATENCY)]);
  const RUNS = 9;
  try {
    let round = 0;
    const publish = async (emulator) =>
      timed(
        [CLI, 'publish', await routineFile(dir, round++), '--name', 'bench', '-d', 'bench', '--quiet'],
        credentialsEnv(emulator),
        dir,
      );
    const esaCli = async (emulator) =>
      timed(
        [join(here, 'esa-cli-style.mjs'), await routineFile(dir, round++), 'bench', emulator.endpoint],
        credentialsEnv(emulator),
        dir,
      );
    // Warm the file cache and the emulators.
    await publish(slow);
    await esaCli(slow);
    const node0 = [];
    const ours = [];
    const baseline = [];
    const oursFast = [];
    const oursSlower = [];
    for (let i = 0; i < RUNS; i++) {
      node0.push(await timed(['-e', '0']));
      ours.push(await publish(slow));
      baseline.push(await esaCli(slow));
      if (i < 3) {
        oursFast.push(await publish(fast));
        oursSlower.push(await publish(slower));
      }
    }
    // Sequential round trips of the publish, as the injected latency counts them (the emulator adds
    // it to every request of its ESA and OSS servers, OSS's upload callback to ESA included).
    const trips = Math.round(
      (median(oursSlower.map((r) => r.ms)) - median(oursFast.map((r) => r.ms))) / TRIP_LATENCY,
    );
    const floor = node0.map((r) => r.ms + trips * LATENCY);
    row(
      `CLI publish, 1 MB, ${LATENCY} ms/request, vs the floor (node start-up + ${trips} round trips)`,
      ours.map((r) => r.ms),
      floor,
      'floor',
      '<= 1.5x',
    );
    row(
      `same, vs an esa-cli-style script (official SDK + form-data)`,
      ours.map((r) => r.ms),
      baseline.map((r) => r.ms),
      'esa-cli style',
      '<= 0.33x',
    );
    row(
      'CLI peak RSS, 1 MB publish',
      ours.map((r) => r.rss),
      node0.map((r) => r.rss),
      '`node -e 0`',
      '<= 65 MiB',
      'MiB',
    );
    measuredTrips = trips;
    rows.push({
      measure: 'sequential round trips of a changed publish (measured by latency)',
      ours: String(trips),
      reference: '',
      ratio: '',
      goal: '<= 6',
    });

    const help = [];
    const version = [];
    const bare = [];
    for (let i = 0; i < 25; i++) {
      bare.push((await timed(['-e', '0'])).ms);
      help.push((await timed([CLI, '--help'])).ms);
      version.push((await timed([CLI, '--version'])).ms);
    }
    row('`esa-stage --help`', help, bare, '`node -e 0`', '<= 1.15x');
    row('`esa-stage --version`', version, bare, '`node -e 0`', '<= 1.15x');

    // 20 routines at once from one process, against one.
    const many = await startEmulatorProcess([
      '--latency',
      String(LATENCY),
      ...Array.from({ length: 20 }, (_, i) => ['--routine', `bench-${i}`]).flat(),
    ]);
    try {
      const one = [];
      const twenty = [];
      for (let i = 0; i < 5; i++) {
        one.push(Number(await runNode(['concurrent-child.mjs', '1', `a${i}`], credentialsEnv(many))));
        twenty.push(Number(await runNode(['concurrent-child.mjs', '20', `b${i}`], credentialsEnv(many))));
      }
      row(
        `20 routines published at once from one process, vs one (${LATENCY} ms/request)`,
        twenty,
        one,
        'one',
        '<= 1.3x',
      );
    } finally {
      many.stop();
    }
  } finally {
    slow.stop();
    fast.stop();
    slower.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function vite() {
  const project = await mkdtemp(join(here, '.vite-bench-'));
  await mkdir(join(project, 'src'));
  await writeFile(join(project, 'src/greet.js'), "export const greet = (p) => 'hello ' + p;\n");
  const emulator = await startEmulatorProcess(['--latency', String(LATENCY)]);
  const fast = await startEmulatorProcess([]);
  try {
    const modes = { none: [], disabled: [], dry: [], publish: [], publishFast: [] };
    let round = 0;
    const once = (mode, emu = emulator) =>
      timed(
        [join(here, 'vite-child.mjs'), mode === 'publishFast' ? 'publish' : mode, project, String(round++)],
        credentialsEnv(emu),
        here,
      );
    await once('none');
    await once('publish');
    for (let i = 0; i < 7; i++) {
      for (const mode of Object.keys(modes))
        modes[mode].push(await once(mode, mode === 'publishFast' ? fast : emulator));
    }
    // The publish's round trips, as the CLI rows counted them (the same pipeline); else measured
    // here, less precisely, from the two latencies.
    const trips =
      measuredTrips ??
      Math.round(
        (median(modes.publish.map((r) => r.ms)) - median(modes.publishFast.map((r) => r.ms))) / LATENCY,
      );
    const none = modes.none.map((r) => r.ms);
    row(
      `Vite build with a publish, less its ${trips} round trips, vs the same build without the plugin`,
      modes.publish.map((r) => r.ms - trips * LATENCY),
      none,
      'no plugin',
      '<= +10% or +80 ms',
    );
    row(
      'Vite build, `dryRun: true`, vs no plugin',
      modes.dry.map((r) => r.ms),
      none,
      'no plugin',
      '<= 1.05x',
    );
    row(
      'Vite build, `enabled: false`, vs no plugin',
      modes.disabled.map((r) => r.ms),
      none,
      'no plugin',
      '<= 1.05x',
    );
    row(
      'Vite build with a publish: peak RSS',
      modes.publish.map((r) => r.rss),
      modes.none.map((r) => r.rss),
      'no plugin',
      '',
      'MiB',
    );
  } finally {
    emulator.stop();
    fast.stop();
    await rm(project, { recursive: true, force: true });
  }
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
    const samples = { 'esa-stage': [], baseline: [] };
    for (let i = 0; i < 3; i++) {
      for (const mode of ['esa-stage', 'baseline']) {
        const target = mode === 'esa-stage' ? emulator.endpoint : sinkUrl;
        const out = await runNode(
          ['--expose-gc', 'memory-child.mjs', mode, file, target],
          credentialsEnv(emulator),
        );
        samples[mode].push(JSON.parse(out));
      }
    }
    row(
      'publish a 64 MB file after a small one: peak RSS growth',
      samples['esa-stage'].map((r) => r.growthMb),
      samples.baseline.map((r) => r.growthMb),
      'createReadStream -> undici.request',
      '< 16 MiB',
      'MiB',
    );
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
    row(
      'publish a 200 MB assets directory after a 16 MB one: peak RSS growth',
      warm.map((r) => r.growthMb),
      coldSmall.map((r) => r.growthMb),
      'a 20 MB directory as the first publish',
      '< 16 MiB',
      'MiB',
    );
    row(
      'the 200 MB directory as the first publish of a process: peak RSS growth',
      cold.map((r) => r.growthMb),
      undefined,
      '',
      '',
      'MiB',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(small, { recursive: true, force: true });
  }
}

const sections = { cli, vite, memory, assets: memoryAssets };
const only = process.argv.slice(2);
for (const [name, fn] of Object.entries(sections)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  await fn();
}
const table = [
  '| measure | esa-stage (min / median / max) | reference (min / median / max) | ratio | goal |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.measure} | ${r.ours} | ${r.reference} | ${r.ratio} | ${r.goal} |`),
].join('\n');
const header = `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform} ${process.arch}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores, by \`pnpm bench${only.length ? ` ${only.join(' ')}` : ''}\`.`;
console.log(`${header}\n\n${table}`);
if (only.length === 0) await writeFile(join(here, 'results.md'), `${header}\n\n${table}\n`);
