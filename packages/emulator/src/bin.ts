#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startEmulator } from './start-emulator.js';

const USAGE = `Usage: esa-stage-emulator [options]

A local Alibaba Cloud ESA OpenAPI (2024-09-10) + OSS PostObject server for offline publishing tests.

Options:
  --port <n>            ESA OpenAPI port (default: a free one)
  --oss-port <n>        OSS PostObject port (default: a free one)
  --host <addr>         loopback address to listen on (default: 127.0.0.1)
  --routine <name>      create this routine at start (repeatable)
  --version-quota <n>   code versions per routine (default: 10)
  --latency <ms>        fixed latency added to every request (default: 0)
  --assets-ready-delay <ms>
                        how long an uploaded assets zip takes to build (default: 0)
  --json                print one JSON line with the endpoints and credentials, then the log
  --quiet               do not log requests
  -h, --help            show this help
`;

function fail(message: string): never {
  process.stderr.write(`esa-stage-emulator: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} takes a whole number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    fail((error as Error).message);
  }
  const { values } = args;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const log = values.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  const options = {
    routines: values.routine ?? [],
    ...(values.host !== undefined && { host: values.host }),
    ...(values.port !== undefined && { port: integer('port', values.port) ?? 0 }),
    ...(values['oss-port'] !== undefined && { ossPort: integer('oss-port', values['oss-port']) ?? 0 }),
    ...(values['version-quota'] !== undefined && {
      versionQuota: integer('version-quota', values['version-quota']) ?? 10,
    }),
    ...(values.latency !== undefined && { latencyMs: integer('latency', values.latency) ?? 0 }),
    ...(values['assets-ready-delay'] !== undefined && {
      assetsReadyDelayMs: integer('assets-ready-delay', values['assets-ready-delay']) ?? 0,
    }),
    ...(log && { log }),
  };
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    fail((error as Error).message);
  }
  // Handlers first: whoever reads the ready line below may signal at once.
  const stop = (signal: NodeJS.Signals) => {
    emulator.close().then(
      () => {
        process.stderr.write(`esa-stage-emulator: stopped (${signal})\n`);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const { endpoint, ossEndpoint, credentials } = emulator;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        endpoint,
        ossEndpoint,
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        sts: credentials.sts,
      })}\n`,
    );
  } else {
    process.stdout.write(
      [
        'esa-stage emulator is listening (test credentials below are public and work nowhere else)',
        `  ESA OpenAPI  ${endpoint}`,
        `  OSS          ${ossEndpoint}`,
        `  inspect      ${endpoint}/__emulator/routines`,
        '',
        'Point a publish at it:',
        `  export ESA_ENDPOINT=${endpoint}`,
        `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${credentials.accessKeyId}`,
        `  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${credentials.accessKeySecret}`,
        '',
        `STS triple: ${credentials.sts.accessKeyId} / ${credentials.sts.accessKeySecret} / ${credentials.sts.securityToken}`,
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
  }
}

function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      'oss-port': { type: 'string' },
      host: { type: 'string' },
      routine: { type: 'string', multiple: true },
      'version-quota': { type: 'string' },
      latency: { type: 'string' },
      'assets-ready-delay': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}

await main();
