import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProgress, formatUploaded } from '../packages/core/src/progress/format-progress.js';
import { progressFactory } from '../packages/core/src/progress/upload-progress.js';
import { type ConnectProxy, startConnectProxy } from './helpers/connect-proxy.js';
import { type ProcessResult, runNode, runProcess, testEnv } from './helpers/run-node.js';

// The upload progress line: on a terminal (a real pseudo-terminal, through util-linux `script`),
// outside CI, for uploads over 1 MB; the CLI rewrites one stderr line, the plugins log through the
// bundler's logger. A slow uplink (a throttling proxy) keeps the upload on screen for seconds.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));
const require = createRequire(import.meta.url);
const ROLLUP = pathToFileURL(require.resolve('rollup')).href;
const PLUGIN = pathToFileURL(require.resolve('@esa-stage/rollup-plugin')).href;
const UPLINK = 4_000_000; // bytes per second
const CLEAR_LINE = '\u001b[K';

let emulator: Emulator;
let proxy: ConnectProxy;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ routines: ['progress'] });
  proxy = await startConnectProxy({ uploadBytesPerSecond: UPLINK });
  dir = await mkdtemp(join(tmpdir(), 'esa-stage-progress-'));
  // 12 MB of code: loopback socket buffers swallow the first few MB at once (as a real uplink's
  // buffers swallow a bandwidth-delay product), the rest crawls for about 2 seconds.
  const filler = randomBytes(6_000_000).toString('hex');
  const source = `const filler = "${filler}";\nexport default { fetch: () => new Response(filler.slice(0, 8)) };\n`;
  await writeFile(join(dir, 'routine.js'), source);
  await writeFile(join(dir, 'small.js'), 'export default { fetch: () => new Response("small") };\n');
  await writeFile(join(dir, 'src.js'), source);
  await writeFile(
    join(dir, 'build.mjs'),
    `const { rollup } = await import(${JSON.stringify(ROLLUP)});
const { esaStage } = await import(${JSON.stringify(PLUGIN)});
const bundle = await rollup({
  input: 'src.js',
  plugins: [esaStage({ name: 'progress', description: 'plugin', skipUnchanged: false })],
  onLog: (level, log) => console.log(\`LOG \${level} \${log.message}\`),
});
await bundle.write({ dir: 'dist', format: 'es' });
await bundle.close();
`,
  );
});
afterAll(async () => {
  await proxy.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ESA_ENDPOINT: emulator.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
    HTTP_PROXY: proxy.url,
    ...extra,
  };
}

/** Runs a command in a pseudo-terminal: stdin, stdout and stderr are a TTY; the output is what it drew. */
function inTerminal(command: string[], extra: Record<string, string> = {}): Promise<ProcessResult> {
  const line = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return runProcess('script', ['-qec', line, '/dev/null'], { cwd: dir, env: testEnv(dir, env(extra)) });
}

const publishArgs = (file: string) => [
  process.execPath,
  CLI,
  'publish',
  file,
  '--name',
  'progress',
  '--force',
];

describe('the progress line of the CLI', () => {
  it('rewrites one line on a terminal while a 12 MB upload crawls, and ends with size, time and speed', async () => {
    const run = await inTerminal(publishArgs('routine.js'));
    expect(run.code, run.stdout).toBe(0);
    // Each redraw: carriage return, the line, clear to the end of the line.
    const updates = run.stdout
      .split('\r')
      .filter((part) => part.endsWith(CLEAR_LINE) && part.startsWith('esa-stage: uploading routine.js'));
    expect(
      updates.every((u) => /^esa-stage: uploading routine\.js {2}[\d.]+ MB \/ 12\.00 MB {2}\d+%/.test(u)),
    ).toBe(true);
    // 10 a second at most, over 2-3 s.
    expect(updates.length).toBeGreaterThan(3);
    expect(updates.length).toBeLessThan(40);
    expect(updates.some((u) => /MB\/s {2}\d+ s left/.test(u))).toBe(true);
    const percents = updates.map((u) => Number(/(\d+)%/.exec(u)?.[1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const last = run.stdout.split('\r').find((part) => part.startsWith('esa-stage: uploaded routine.js'));
    expect(last).toMatch(/^esa-stage: uploaded routine\.js \(12\.00 MB\) in [\d.]+ s, [\d.]+ (kB|MB)\/s/);
    expect(last?.endsWith(CLEAR_LINE)).toBe(true);
    // The published line comes after, on its own line.
    expect(run.stdout.lastIndexOf('uploaded routine.js')).toBeLessThan(run.stdout.lastIndexOf('on staging'));
  });

  it('shows nothing extra when stderr is not a terminal, in CI, with --quiet, or for 1 MB and less', async () => {
    // Direct, not through the slow proxy: on a terminal the last line would show however fast.
    const direct = { NO_PROXY: '127.0.0.1' };
    const piped = await runNode(CLI, publishArgs('routine.js').slice(2), { cwd: dir, env: env(direct) });
    expect(piped.code, piped.stderr).toBe(0);
    const ci = await inTerminal(publishArgs('routine.js'), { ...direct, CI: 'true' });
    const quiet = await inTerminal([...publishArgs('routine.js'), '--quiet'], direct);
    const small = await inTerminal(publishArgs('small.js'), direct);
    for (const run of [piped, ci, quiet, small]) {
      expect(run.code, `${run.stdout}${run.stderr}`).toBe(0);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/uploading |uploaded /);
    }
    expect(ci.stdout).toMatch(/on staging/);
  });
});

describe('the progress of a plugin', () => {
  it("goes through the bundler's logger: a line every 2 s, then the last one", async () => {
    // A slower uplink than the CLI's: the upload must crawl for well over 2 s after the socket
    // buffers have taken their first megabytes, whatever the machine's load.
    const slower = await startConnectProxy({ uploadBytesPerSecond: 2_000_000 });
    let run: ProcessResult;
    try {
      run = await inTerminal([process.execPath, 'build.mjs'], { HTTP_PROXY: slower.url });
    } finally {
      await slower.close();
    }
    expect(run.code, run.stdout).toBe(0);
    const lines = run.stdout.split(/\r?\n/).filter((l) => /^LOG info .*upload(ing|ed) src\.js/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/^LOG info \[plugin esa-stage\] uploaded src\.js \(12\.00 MB\) in [\d.]+ s/);
    expect(run.stdout).not.toContain(CLEAR_LINE);
  });
});

describe('progressFactory', () => {
  const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  it('is off without a terminal, in CI, below info, and for 1 MB or less', () => {
    const base = { style: 'line' as const, env: {}, isTTY: true, logLevel: 'info', logger };
    expect(progressFactory(base)?.('a.js', 1_000_001)).toBeDefined();
    expect(progressFactory(base)?.('a.js', 1_000_000)).toBeUndefined();
    expect(progressFactory({ ...base, isTTY: false })).toBeUndefined();
    expect(progressFactory({ ...base, env: { GITHUB_ACTIONS: 'true' } })).toBeUndefined();
    expect(progressFactory({ ...base, logLevel: 'warn' })).toBeUndefined();
  });

  it('draws at most every 100 ms, clears the line on stop, and formats pure', () => {
    let clock = 0;
    const out: string[] = [];
    const ticker = progressFactory({
      style: 'line',
      env: {},
      isTTY: true,
      logLevel: 'info',
      logger,
      write: (t) => out.push(t),
      now: () => clock,
    })?.('a.js', 4_000_000);
    for (let sent = 0; sent <= 4_000_000; sent += 100_000) {
      clock += 20;
      ticker?.tick(sent);
    }
    expect(out).toHaveLength(8); // 800 ms of ticks, one draw per 100 ms
    ticker?.stop();
    expect(out.at(-1)).toBe('\r\x1b[K');
    expect(formatProgress({ fileName: 'a.js', sent: 1_000_000, total: 4_000_000, elapsedMs: 2000 })).toBe(
      'uploading a.js  1.00 MB / 4.00 MB  25%  500.0 kB/s  6 s left',
    );
    expect(formatUploaded({ fileName: 'a.js', sent: 4_000_000, total: 4_000_000, elapsedMs: 2000 })).toBe(
      'uploaded a.js (4.00 MB) in 2.00 s, 2.00 MB/s',
    );
  });
});
