import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { runNode } from './helpers/run-node.js';

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));
const CODE = 'export default { fetch: () => new Response("cli") };\n';

/** Files the CLI must refuse before any request: [file, source, code, hint]. */
const REFUSED: [string, string, string, RegExp][] = [
  ['cjs.js', 'module.exports = { fetch() {} };\n', 'NotAnEsModule', /--format=esm/],
  ['iife.js', '(() => { const handler = { fetch() {} }; })();\n', 'NotAnEsModule', /--format=esm/],
  ['broken.js', 'export default { fetch() { return "\n', 'NotAnEsModule', /--format=esm/],
  ['nodefault.js', 'export const fetch = () => {};\n', 'NoDefaultExport', /export default \{ async fetch/],
  ['bare.js', `import { Router } from 'itty-router';\n${CODE}`, 'ExternalImport', /esbuild `--bundle`/],
  ['unbundled.js', `import { x } from './x.js';\n${CODE}`, 'ChunkHasImports', /one self-contained file/],
  ['page.js', "document.body.append('hi');\n", 'BrowserBuild', /point the build at the routine entry/],
];

let emulator: Emulator;
let repo: TempRepo;
beforeAll(async () => {
  emulator = await startEmulator({ routines: ['cli-routine'] });
  repo = await createTempRepo(
    {
      'worker.js': CODE,
      'empty.js': '',
      ...Object.fromEntries(REFUSED.map(([file, source]) => [file, source])),
    },
    'chore: cli publish',
  );
});
afterAll(async () => {
  await emulator.close();
  await repo.remove();
});

const env = () => ({
  ESA_ENDPOINT: emulator.endpoint,
  ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
});

const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  runNode(CLI, args, { cwd: repo.dir, env: { ...env(), ...extraEnv } });

describe('esa-stage CLI', () => {
  it('publishes and prints the result as one JSON object with --json', async () => {
    const { code, stdout, stderr } = await cli(['publish', 'worker.js', '--name', 'cli-routine', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      dryRun: false,
      name: 'cli-routine',
      description: `${repo.shortSha} chore: cli publish`,
      fileName: 'worker.js',
      size: Buffer.byteLength(CODE),
      sha256: createHash('sha256').update(CODE).digest('hex'),
      deployedTo: ['staging'],
      endpoint: emulator.endpoint,
    });
    expect(result.codeVersion).toMatch(/^\d{19}$/);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^esa-stage: cli-routine -> ${result.codeVersion} on staging \\(`));
    expect(
      emulator.state.routines.get('cli-routine')?.envs.get('staging')?.codeVersions[0]?.codeVersion,
    ).toBe(result.codeVersion);
  });

  it('takes --description, --deploy production and --deploy none', async () => {
    const prod = await cli([
      'publish',
      'worker.js',
      '-n',
      'cli-routine',
      '-d',
      'hand written',
      '--deploy',
      'production',
      '--force',
      '--json',
    ]);
    expect(prod.code).toBe(0);
    expect(JSON.parse(prod.stdout)).toMatchObject({
      description: 'hand written',
      deployedTo: ['staging', 'production'],
    });
    const none = await cli(
      ['publish', 'worker.js', '-n', 'cli-routine', '--deploy', 'none', '--force', '--json'],
      {
        ESA_STAGE_DESCRIPTION: 'from env {shortSha}',
      },
    );
    expect(JSON.parse(none.stdout)).toMatchObject({
      deployedTo: [],
      description: `from env ${repo.shortSha}`,
    });
  });

  it('prints the plan and sends nothing with --dry-run', async () => {
    const before = emulator.state.requests.length;
    const { code, stdout, stderr } = await cli([
      'publish',
      'worker.js',
      '--name',
      'cli-routine',
      '--dry-run',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(emulator.state.requests.length).toBe(before);
    expect(JSON.parse(stdout)).toMatchObject({
      dryRun: true,
      fileName: 'worker.js',
      steps: expect.arrayContaining(['CommitRoutineStagingCode']),
    });
    expect(stderr).toContain('dry run: would publish worker.js');
    expect(stderr).toContain(emulator.endpoint);
  });

  it('exits 1 with one stderr line holding the code and the request id', async () => {
    const { code, stdout, stderr } = await cli(['publish', 'worker.js', '--name', 'missing-routine']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^esa-stage: error RoutineNotExist: .*\(RequestId [0-9A-F-]{36}\)\. Hint: create the routine/,
    );
  });

  it('fails on configuration before any request', async () => {
    const before = emulator.state.requests.length;
    const bad = await cli(['publish', 'worker.js', '--name', 'Bad_Name', '--region', 'mars']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^esa-stage: error InvalidConfig: 2 problems: name: .*region: must be one of cn-hangzhou, ap-southeast-1/,
    );
    const noCreds = await cli(['publish', 'worker.js', '--name', 'cli-routine'], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: '',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: '',
    });
    expect(noCreds.code).toBe(1);
    expect(noCreds.stderr).toMatch(/^esa-stage: error CredentialsNotFound: /);
    const empty = await cli(['publish', 'empty.js', '--name', 'cli-routine']);
    expect(empty.stderr).toMatch(/^esa-stage: error ChunkEmpty: empty\.js is empty/);
    const missing = await cli(['publish', 'nope.js', '--name', 'cli-routine']);
    expect(missing.stderr).toMatch(/^esa-stage: error ChunkUnreadable: /);
    expect(emulator.state.requests.length).toBe(before);
  });

  it.each(REFUSED)('refuses %s before any request (%s)', async (file, _source, errorCode, hint) => {
    const before = emulator.state.requests.length;
    for (const args of [[], ['--dry-run']]) {
      const { code, stdout, stderr } = await cli(['publish', file, '--name', 'cli-routine', ...args]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(new RegExp(`^esa-stage: error ${errorCode}: ${file.replace('.', '\\.')} `));
      expect(stderr).toMatch(hint);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    expect(emulator.state.requests.length).toBe(before);
  });

  it('does not crash when the reader of --json goes away (EPIPE)', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [CLI, 'publish', 'worker.js', '--name', 'cli-routine', '--json', '--force'],
      {
        cwd: repo.dir,
        env: { ...process.env, ...env(), ESA_ENDPOINT: emulator.endpoint },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.destroy(); // like `| head -c0`: the pipe is closed before the JSON is written
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error:/);
    expect(code).toBe(0);
  });

  it('explains usage mistakes', async () => {
    const noName = await cli(['publish', 'worker.js']);
    expect(noName.code).toBe(1);
    expect(noName.stderr).toMatch(
      /^esa-stage: error InvalidConfig: name: is required: set `name` \(CLI `--name`\), or `name` in esa\.jsonc/,
    );
    expect((await cli(['undeploy', 'x.js'])).stderr).toMatch(/unknown command "undeploy"/);
    expect((await cli(['publish', 'worker.js', '-n', 'cli-routine', '--deploy', 'prod'])).stderr).toMatch(
      /--deploy must be staging, production or none/,
    );
    expect((await cli(['publish', 'worker.js', '--bogus'])).stderr).toMatch(
      /UsageError: Unknown option '--bogus'/,
    );
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: esa-stage publish <file> --name <routine>');
  });
});
