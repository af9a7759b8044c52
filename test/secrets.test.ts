import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EsaStageError, type PublishOptions, publishRoutine } from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from './helpers/capture-logger.js';
import { createTempRepo, type TempRepo } from './helpers/git-repo.js';
import { EXPIRED_POLICY_FAULT } from './helpers/plugin-setup.js';
import { runNode } from './helpers/run-node.js';

// Every scenario's output (log lines at debug level, results, error messages and hints, CLI
// stdout and stderr) is collected and scanned for every secret in play: AccessKey secrets, the STS
// token, and the OSS Signature, policy and callback ESA handed out.

const CLI = fileURLToPath(new URL('../packages/core/dist/cli/bin.js', import.meta.url));

let emulator: Emulator;
let repo: TempRepo;
const output: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ routines: ['secret-routine'] });
  repo = await createTempRepo({ 'index.js': 'export default { fetch: () => new Response("s") };\n' });
});
afterAll(async () => {
  await emulator.close();
  await repo.remove();
});

function record(error: unknown): void {
  if (error instanceof EsaStageError)
    output.push(error.toLine(), error.message, error.hint ?? '', String(error.stack));
  else output.push(String(error));
}

async function scenario(options: Partial<PublishOptions>, env: Record<string, string>): Promise<void> {
  const logger = captureLogger();
  try {
    const result = await publishRoutine(
      // Every step runs: the same bytes would otherwise stop at the unchanged check.
      {
        name: 'secret-routine',
        endpoint: emulator.endpoint,
        logLevel: 'debug',
        logger,
        skipUnchanged: false,
        ...options,
      },
      { fileName: 'index.js', isEntry: true, source: { path: join(repo.dir, 'index.js') } },
      { env, cwd: repo.dir },
    );
    output.push(JSON.stringify(result));
  } catch (error) {
    record(error);
  }
  output.push(logger.text());
}

describe('secrets never appear in any output', () => {
  it('across successful, failing, STS, retried and CLI publishes', async () => {
    const ak = emulator.credentials;
    const sts = emulator.credentials.sts;
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ak.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ak.accessKeySecret,
    };

    await scenario({}, env);
    await scenario({ deploy: 'production', dryRun: true }, env);
    await scenario({}, { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-value-123' });
    await scenario(
      {
        credentials: {
          accessKeyId: sts.accessKeyId,
          accessKeySecret: sts.accessKeySecret,
          securityToken: sts.securityToken,
        },
      },
      {},
    );
    await scenario(
      {
        credentials: {
          accessKeyId: sts.accessKeyId,
          accessKeySecret: sts.accessKeySecret,
          securityToken: 'CAISnotTheRightToken',
        },
      },
      {},
    );
    emulator.faults.inject(EXPIRED_POLICY_FAULT);
    emulator.faults.inject({
      action: 'CommitRoutineStagingCode',
      status: 503,
      code: 'ServiceUnavailable',
      times: 1,
    });
    await scenario({}, env);
    emulator.faults.inject({ callback: true, status: 500 });
    await scenario({ retries: 0 }, env);
    emulator.faults.clear();
    await scenario({ name: 'not-there' }, env);
    for (const args of [
      ['publish', 'index.js', '--name', 'secret-routine', '--json', '--verbose', '--force'],
      ['publish', 'index.js', '--name', 'secret-routine', '--json', '--verbose'],
      ['publish', 'index.js', '--name', 'not-there', '--verbose'],
      ['publish', 'index.js', '--name', 'secret-routine', '--dry-run', '--json'],
    ]) {
      const run = await runNode(CLI, args, {
        cwd: repo.dir,
        env: { ...env, ESA_ENDPOINT: emulator.endpoint },
      });
      output.push(run.stdout, run.stderr);
    }

    const secrets = new Map<string, string>([
      ['AccessKey secret', ak.accessKeySecret],
      ['wrong secret', 'wrong-secret-value-123'],
      ['STS secret', sts.accessKeySecret],
      ['STS token', sts.securityToken ?? ''],
      ['wrong STS token', 'CAISnotTheRightToken'],
      ['OSS bucket secret', emulator.bucket.accessKeySecret],
    ]);
    for (const ticket of emulator.state.tickets.values()) {
      for (const field of ['Signature', 'policy', 'callback'] as const) {
        secrets.set(`OSS ${field} of ${ticket.objectKey}`, ticket.postConfig[field] ?? '');
      }
    }
    expect(emulator.state.tickets.size).toBeGreaterThanOrEqual(5);
    const text = output.join('\n');
    expect(text).toContain('secret-routine ->'); // the scenarios really ran and logged
    expect(text).toContain('SignatureDoesNotMatch');
    expect(text).toContain('CallbackFailed');
    for (const [what, value] of secrets) {
      expect(value.length, what).toBeGreaterThan(8);
      expect(text.includes(value), `${what} leaked`).toBe(false);
    }
  });
});
