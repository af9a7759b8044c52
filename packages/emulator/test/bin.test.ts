import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Esa, { GetRoutineRequest } from '@alicloud/esa20240910';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

interface Ready {
  endpoint: string;
  ossEndpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
}

let child: ChildProcessWithoutNullStreams | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

/** Runs the bin to its exit; resolves its exit code and everything it wrote on stderr. */
async function runToExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
  child = proc;
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(proc, 'exit')) as [number | null];
  return { code, stderr };
}

async function startBin(args: string[]): Promise<{ proc: ChildProcessWithoutNullStreams; ready: Ready }> {
  const proc = spawn(process.execPath, [BIN, '--json', ...args], { stdio: 'pipe' });
  child = proc;
  const lines = createInterface({ input: proc.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  return { proc, ready: JSON.parse(first) as Ready };
}

describe('esa-stage-emulator bin', () => {
  it('prints its endpoints and credentials, answers the official SDK, and stops on SIGTERM', async () => {
    const { proc, ready } = await startBin(['--routine', 'hand-started']);
    expect(ready.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.ossEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const client = new Esa(
      new $OpenApiUtil.Config({
        accessKeyId: ready.accessKeyId,
        accessKeySecret: ready.accessKeySecret,
        endpoint: new URL(ready.endpoint).host,
        protocol: 'http',
      }),
    );
    const routine = await client.getRoutine(new GetRoutineRequest({ name: 'hand-started' }));
    expect(routine.statusCode).toBe(200);
    expect(routine.body?.envs?.map((e) => e.env).sort()).toEqual(['production', 'staging']);

    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.kill('SIGTERM');
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(stderr).toContain('stopped (SIGTERM)');
    expect(stderr).toMatch(/esa GetRoutine 200 /);
    expect(stderr).not.toContain(ready.accessKeySecret);
  });

  it('stops on SIGINT', async () => {
    const { proc } = await startBin(['--quiet']);
    proc.kill('SIGINT');
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses a bad flag with exit code 2 and the usage', async () => {
    const { code, stderr } = await runToExit(['--port', 'abc']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port takes a whole number');
    expect(stderr).toContain('Usage: esa-stage-emulator');
  });

  it('refuses a non-loopback host', async () => {
    const { code, stderr } = await runToExit(['--host', '0.0.0.0']);
    expect(code).toBe(2);
    expect(stderr).toContain('host must be a loopback address');
  });
});
