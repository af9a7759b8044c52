import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its exit, collecting stdout and stderr. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The clean minimum env of a test process: PATH, HOME, and no ECS metadata probe. */
export function testEnv(home: string, env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...env };
}

/** Runs a Node script to its exit with the given env (merged over a clean minimum) and cwd. */
export function runNode(
  script: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<ProcessResult> {
  return runProcess(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: testEnv(options.cwd, options.env),
  });
}
