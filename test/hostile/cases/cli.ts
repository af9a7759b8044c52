import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../../packages/core/src/cli/run-cli.js';
import { type CaseContext, type HostileCase, type Outcome, ROUTINE_CODE } from '../harness.js';

// The command line, as people mistype it: exit 1 and one error line with the code (and the usage
// for a usage mistake), nothing published; a --json failure prints one JSON error object.

async function cli(
  ctx: CaseContext,
  argv: string[],
  extraEnv: Record<string, string> = {},
): Promise<Outcome> {
  const dir = await workdir();
  let stdout = '';
  let stderr = '';
  const exit = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t.endsWith('\n') ? t : `${t}\n`;
    },
    env: { ...ctx.env(), ESA_ENDPOINT: ctx.proxy.endpoint, ...extraEnv },
    cwd: dir,
  });
  ctx.output.push(stdout, stderr);
  return { kind: 'cli', exit, stdout, stderr };
}

let shared: string | undefined;
async function workdir(): Promise<string> {
  if (shared) return shared;
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  shared = await mkdtemp(join(tmpdir(), 'esa-stage-hostile-cli-'));
  await writeFile(join(shared, 'index.js'), ROUTINE_CODE);
  await writeFile(join(shared, 'index.ts'), ROUTINE_CODE);
  await writeFile(join(shared, 'page.js'), "document.title = 'x';\n");
  return shared;
}

const USAGE: readonly [string, string[]][] = [
  ['no command', []],
  ['an unknown command', ['undeploy']],
  ['publish without a file', ['publish', '--name', 'hostile']],
  ['publish with two files', ['publish', 'index.js', 'other.js', '--name', 'hostile']],
  ['publish of a TypeScript file', ['publish', 'index.ts', '--name', 'hostile']],
  ['--deploy prod', ['publish', 'index.js', '--name', 'hostile', '--deploy', 'prod']],
  [
    '--percentage 0',
    ['publish', 'index.js', '--name', 'hostile', '--deploy', 'production', '--percentage', '0'],
  ],
  ['--percentage 101', ['publish', 'index.js', '--name', 'hostile', '--percentage', '101']],
  ['--percentage ten', ['publish', 'index.js', '--name', 'hostile', '--percentage', 'ten']],
  [
    '--percentage with --deploy none',
    ['publish', 'index.js', '--name', 'hostile', '--deploy', 'none', '--percentage', '10'],
  ],
  ['--timeout 0', ['publish', 'index.js', '--name', 'hostile', '--timeout', '0']],
  ['--timeout 1.5', ['publish', 'index.js', '--name', 'hostile', '--timeout', '1.5']],
  ['--retries 11', ['publish', 'index.js', '--name', 'hostile', '--retries', '11']],
  ['--prune 0', ['publish', 'index.js', '--name', 'hostile', '--prune', '0']],
  ['--deploy-api v2', ['publish', 'index.js', '--name', 'hostile', '--deploy-api', 'v2']],
  ['an unknown flag', ['publish', 'index.js', '--name', 'hostile', '--bogus']],
  ['a flag without its value', ['publish', 'index.js', '--name']],
  ['versions without a subcommand', ['versions', '--name', 'hostile']],
  ['an unknown versions subcommand', ['versions', 'show', '--name', 'hostile']],
  ['versions delete without versions', ['versions', 'delete', '--name', 'hostile']],
  ['versions delete of a non-number', ['versions', 'delete', '--name', 'hostile', 'latest']],
  ['versions prune without --keep', ['versions', 'prune', '--name', 'hostile']],
  ['versions list with --force', ['versions', 'list', '--name', 'hostile', '--force']],
  ['versions list with extra arguments', ['versions', 'list', '--name', 'hostile', 'x']],
  ['deploy without --version', ['deploy', '--name', 'hostile', '--env', 'staging']],
  ['deploy without --env', ['deploy', '--name', 'hostile', '--version', '1234567890123456789']],
  [
    'deploy to canary',
    ['deploy', '--name', 'hostile', '--version', '1234567890123456789', '--env', 'canary'],
  ],
  [
    'deploy with a description',
    ['deploy', '--name', 'hostile', '--version', '1', '--env', 'staging', '-d', 'x'],
  ],
  ['--version with another flag', ['--version', '--json']],
];

export const cliCases: HostileCase[] = [
  ...USAGE.map(([label, argv]) => ({
    name: label,
    expect: { code: 'UsageError' },
    run: (ctx: CaseContext) => cli(ctx, argv),
  })),
  {
    name: 'publish without --name (and no esa.jsonc)',
    expect: { code: 'InvalidConfig', message: /name: is required/ },
    run: (ctx) => cli(ctx, ['publish', 'index.js']),
  },
  {
    name: 'an InvalidConfig from the CLI (bad routine name)',
    expect: { code: 'InvalidConfig' },
    run: (ctx) => cli(ctx, ['publish', 'index.js', '--name', 'Bad_Name']),
  },
  {
    name: 'a page script from the CLI',
    expect: { code: 'BrowserBuild' },
    run: (ctx) => cli(ctx, ['publish', 'page.js', '--name', 'hostile']),
  },
  {
    name: 'a routine that does not exist',
    expect: { code: 'RoutineNotExist' },
    run: (ctx) => cli(ctx, ['publish', 'index.js', '--name', 'no-such-routine']),
  },
  {
    name: '--json failure prints one JSON error object',
    expect: { code: 'RoutineNotExist' },
    run: async (ctx) => {
      const outcome = await cli(ctx, ['publish', 'index.js', '--name', 'no-such-routine', '--json']);
      if (outcome.kind !== 'cli') return outcome;
      const parsed = JSON.parse(outcome.stdout) as {
        error: { code: string; hint: string; requestId: string };
      };
      if (parsed.error.code !== 'RoutineNotExist' || !parsed.error.hint || !parsed.error.requestId) {
        throw new Error(`unexpected JSON error ${outcome.stdout}`);
      }
      return outcome;
    },
  },
  {
    name: 'versions delete of a deployed version',
    expect: { code: 'VersionDeployed' },
    setup: async (ctx) => {
      await ctx.publish();
    },
    run: (ctx) => {
      const [version] = ctx.emulator.state.routines.get('hostile')?.versions.keys() ?? [];
      return cli(ctx, ['versions', 'delete', '--name', 'hostile', version ?? '']);
    },
  },
  {
    name: 'deploy of a version that does not exist',
    expect: { code: 'InvalidParameter' },
    run: (ctx) =>
      cli(ctx, ['deploy', '--name', 'hostile', '--version', '1234567890123456789', '--env', 'staging']),
  },
  {
    name: 'publish, then versions list --json, succeed',
    expect: { ok: true },
    run: async (ctx) => {
      const publish = await cli(ctx, ['publish', 'index.js', '--name', 'hostile', '--json']);
      if (publish.kind === 'cli' && publish.exit !== 0) return publish;
      return cli(ctx, ['versions', 'list', '--name', 'hostile', '--json']);
    },
  },
  {
    name: '--version prints the version',
    expect: { ok: true },
    run: (ctx) => cli(ctx, ['--version']),
  },
  {
    name: 'a blank ESA_ENDPOINT from the CLI',
    expect: { code: 'InvalidConfig', message: /env ESA_ENDPOINT: is set but empty/ },
    run: (ctx) => cli(ctx, ['publish', 'index.js', '--name', 'hostile'], { ESA_ENDPOINT: '' }),
  },
];
