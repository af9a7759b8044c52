import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PublishedResult } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNode } from './helpers/run-node.js';

// An esa-cli user who ran `esa login` and has an esa.jsonc project: `esa-stage publish` in a new
// process, with no env credentials, no endpoint flag and no name, reaches the emulator as them.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));

let emulator: Emulator;
let home: string;
beforeAll(async () => {
  emulator = await startEmulator({ routines: ['esa-cli-user'] });
  home = await mkdtemp(join(tmpdir(), 'esa-stage-esa-login-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(home, { recursive: true, force: true });
});

it('publishes with the [auth] of ~/.esa/config/default.toml and the project of esa.jsonc', async () => {
  await mkdir(join(home, '.esa/config'), { recursive: true });
  await writeFile(
    join(home, '.esa/config/default.toml'),
    `endpoint = "esa.cn-hangzhou.aliyuncs.com"\n\n[auth]\naccessKeyId = "${emulator.credentials.accessKeyId}"\naccessKeySecret = "${emulator.credentials.accessKeySecret}"\n`,
  );
  await mkdir(join(home, 'dist'));
  await writeFile(join(home, 'dist/index.js'), 'export default { fetch: () => new Response("login") };\n');
  await writeFile(
    join(home, 'esa.jsonc'),
    `{ "name": "esa-cli-user", "entry": "./dist/index.js", "endpoint": "${emulator.endpoint}" }\n`,
  );
  // runNode sets HOME to the cwd and passes no credentials.
  const run = await runNode(CLI, ['publish', '-d', 'from esa login', '--json', '--verbose'], {
    cwd: home,
    env: {},
  });
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as PublishedResult;
  expect(run.stderr).toMatch(/credentials from .*\.esa\/config\/default\.toml \[auth\]/);
  expect(emulator.state.routines.get('esa-cli-user')?.envs.get('staging')?.codeVersions).toEqual([
    { codeVersion: result.codeVersion, percentage: 100 },
  ]);

  // A wrong secret in the file is refused by ESA's signature check: the file is what was used.
  await writeFile(
    join(home, '.esa/config/default.toml'),
    `[auth]\naccessKeyId = "${emulator.credentials.accessKeyId}"\naccessKeySecret = "not-the-secret"\n`,
  );
  const wrong = await runNode(CLI, ['publish', '-d', 'wrong', '--force'], { cwd: home, env: {} });
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/SignatureDoesNotMatch|InvalidAccessKey|Signature/);
  expect(wrong.stderr).not.toContain('not-the-secret');
});
