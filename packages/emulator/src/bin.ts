#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EMULATOR_ACCESS_KEY } from './credentials.js';
import { ROUTINE_DOMAIN } from './edge/hosts.js';
import { baseUrl } from './http.js';
import { resolveEmulatorOptions } from './options.js';
import {
  type BinPorts,
  caPathOf,
  DEFAULT_BIN_PORTS,
  defaultCaDir,
  emulatorEnv,
  exportLines,
  resolveBinPorts,
} from './shell-env.js';
import { type Emulator, startEmulator } from './start-emulator.js';

const { port: P, ossPort: O, stsPort: S, stagingEdgePort: SE, productionEdgePort: PE } = DEFAULT_BIN_PORTS;
const USAGE = `Usage: esa-stage-emulator [options]

A local Alibaba Cloud ESA OpenAPI (2024-09-10) + OSS PostObject + STS (2015-04-01) server for
offline publishing tests, with HTTPS staging and production edges that run the deployed routines.

Options:
  --port <n>            ESA OpenAPI port (default: ${P}); 0 picks free ports for all five servers
  --oss-port <n>        OSS PostObject port (default: --port + 1, so ${O}; free with --port 0)
  --sts-port <n>        STS port (default: --port + 2, so ${S}; free with --port 0)
  --staging-edge-port <n>
                        HTTPS staging edge port (default: --port + 3, so ${SE}; free with --port 0)
  --production-edge-port <n>
                        HTTPS production edge port (default: --port + 4, so ${PE}; free with --port 0)
  --ca-dir <dir>        directory of the edges' local CA, ca.pem + ca-key.pem, kept between runs
                        (default: <os tmpdir>/esa-stage-emulator-ca-<uid>)
  --host <addr>         loopback address to listen on (default: 127.0.0.1)
  --routine <name>      create this routine at start (repeatable)
  --version-quota <n>   code versions per routine (default: 10)
  --latency <ms>        fixed latency added to every request (default: 0)
  --assets-ready-delay <ms>
                        how long an uploaded assets zip takes to build (default: 0)
  --json                print one JSON line with the endpoints, edges, CA path and credentials,
                        then the log
  --env                 print only sh \`export\` lines once listening (with ESA_STAGE_STAGING_PORT
                        and NODE_EXTRA_CA_CERTS), then log on stderr
  --print-env           print the \`export\` lines for these ports and exit, starting nothing:
                          eval "$(npx esa-stage-emulator --print-env)"
                        in a second shell points it at an emulator running with the same ports
  --quiet               do not log requests
  -h, --help            show this help

Reach a routine deployed to staging (its host is <name>.${ROUTINE_DOMAIN}):
  curl --cacert <CA path> --resolve <host>:${SE}:127.0.0.1 https://<host>:${SE}/
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

function parse() {
  return parseArgs({
    options: {
      port: { type: 'string' },
      'oss-port': { type: 'string' },
      'sts-port': { type: 'string' },
      'staging-edge-port': { type: 'string' },
      'production-edge-port': { type: 'string' },
      'ca-dir': { type: 'string' },
      host: { type: 'string' },
      routine: { type: 'string', multiple: true },
      'version-quota': { type: 'string' },
      latency: { type: 'string' },
      'assets-ready-delay': { type: 'string' },
      json: { type: 'boolean' },
      env: { type: 'boolean' },
      'print-env': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}

type Values = ReturnType<typeof parse>['values'];

/** What a running emulator reports on its health route. */
interface Health {
  readonly endpoint: string;
  readonly stsEndpoint: string;
  /** Absent from an emulator older than the edges. */
  readonly stagingEdge: string | undefined;
  readonly caPath: string | undefined;
}

/** The endpoints a running emulator reports on its health route, or undefined when none answers. */
async function probe(endpoint: string): Promise<Health | undefined> {
  try {
    const res = await fetch(`${endpoint}/__emulator/health`, { signal: AbortSignal.timeout(1000) });
    const health = (await res.json()) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    if (typeof health.endpoint === 'string' && typeof health.stsEndpoint === 'string') {
      return {
        endpoint: health.endpoint,
        stsEndpoint: health.stsEndpoint,
        stagingEdge: text(health.stagingEdge),
        caPath: text(health.caPath),
      };
    }
  } catch {
    // Nothing there (or not an emulator): said below.
  }
  return undefined;
}

/**
 * `--print-env`: the export lines for an emulator on these ports, without starting one. The ESA
 * port is asked for its endpoints; when nothing answers the lines are still printed (the emulator
 * may start later) and stderr says so.
 */
async function printEnv(host: string, ports: BinPorts, caDir: string): Promise<void> {
  if (ports.port === 0 || ports.stsPort === 0 || ports.stagingEdgePort === 0) {
    fail(
      '--print-env needs fixed ports (with port 0 they are only known once listening: use --env or --json)',
    );
  }
  const endpoint = baseUrl(host, ports.port);
  const running = await probe(endpoint);
  if (!running) {
    process.stderr.write(
      `esa-stage-emulator: nothing answers at ${endpoint} yet; start it with \`esa-stage-emulator\` and the same --host/--port\n`,
    );
  }
  const stsEndpoint = running?.stsEndpoint ?? baseUrl(host, ports.stsPort);
  const stagingPort = running?.stagingEdge
    ? Number(new URL(running.stagingEdge).port)
    : ports.stagingEdgePort;
  const caPath = running?.caPath ?? caPathOf(caDir);
  process.stdout.write(
    exportLines(emulatorEnv(endpoint, stsEndpoint, EMULATOR_ACCESS_KEY, { stagingPort, caPath })),
  );
}

/** One line for a port in use, naming it and the way out; undefined for any other error. */
function portInUse(error: unknown, host: string, ports: BinPorts): string | undefined {
  const e = error as { code?: unknown; port?: unknown };
  if (e.code !== 'EADDRINUSE') return undefined;
  const which =
    e.port === ports.port
      ? 'ESA OpenAPI'
      : e.port === ports.ossPort
        ? 'OSS'
        : e.port === ports.stsPort
          ? 'STS'
          : e.port === ports.stagingEdgePort
            ? 'staging edge'
            : e.port === ports.productionEdgePort
              ? 'production edge'
              : 'a';
  return `esa-stage-emulator: ${which} port ${String(e.port)} on ${host} is in use; pass --port 0 for free ports, or another --port (is an emulator already running?)`;
}

/** The flags that make `--print-env` find this emulator: its host and ESA port, when not the defaults. */
function printEnvFlags(host: string, endpoint: string): string {
  const port = Number(new URL(endpoint).port);
  return `${host === '127.0.0.1' ? '' : ` --host ${host}`}${port === DEFAULT_BIN_PORTS.port ? '' : ` --port ${port}`}`;
}

function announce(values: Values, host: string, emulator: Emulator): void {
  const { endpoint, ossEndpoint, stsEndpoint, credentials, stagingEdge, productionEdge, caPath } = emulator;
  const edgeEnv = { stagingPort: stagingEdge.port, caPath };
  const example = `my-routine.${ROUTINE_DOMAIN}`;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        endpoint,
        ossEndpoint,
        stsEndpoint,
        stagingEdge,
        productionEdge,
        caPath,
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        sts: credentials.sts,
      })}\n`,
    );
  } else if (values.env) {
    process.stdout.write(exportLines(emulatorEnv(endpoint, stsEndpoint, credentials, edgeEnv)));
  } else {
    process.stdout.write(
      [
        'esa-stage emulator is listening (test credentials below are public and work nowhere else)',
        `  ESA OpenAPI  ${endpoint}`,
        `  OSS          ${ossEndpoint}`,
        `  STS          ${stsEndpoint}   (AssumeRole, AssumeRoleWithOIDC)`,
        `  staging      ${stagingEdge.url}   (HTTPS edge: SNI and Host <routine>.${ROUTINE_DOMAIN})`,
        `  production   ${productionEdge.url}`,
        `  CA           ${caPath}   (trust it: NODE_EXTRA_CA_CERTS, curl --cacert)`,
        `  inspect      ${endpoint}/__emulator/routines`,
        '',
        'Reach a routine deployed to staging:',
        `  curl --cacert ${caPath} --resolve ${example}:${stagingEdge.port}:${stagingEdge.host} https://${example}:${stagingEdge.port}/`,
        '',
        'Point a publish at it:',
        `  export ESA_ENDPOINT=${endpoint}`,
        `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${credentials.accessKeyId}`,
        `  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${credentials.accessKeySecret}`,
        `or run  eval "$(npx esa-stage-emulator --print-env${printEnvFlags(host, endpoint)})"  (adds ESA_STAGE_STS_ENDPOINT, ESA_STAGE_STAGING_PORT, NODE_EXTRA_CA_CERTS)`,
        '',
        `STS triple: ${credentials.sts.accessKeyId} / ${credentials.sts.accessKeySecret} / ${credentials.sts.securityToken}`,
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
  }
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
  const modes = (['json', 'env', 'print-env'] as const).filter((m) => values[m]);
  if (modes.length > 1)
    fail(`choose one of --json, --env and --print-env, not ${modes.map((m) => `--${m}`).join(' and ')}`);
  const ports = resolveBinPorts({
    port: integer('port', values.port),
    ossPort: integer('oss-port', values['oss-port']),
    stsPort: integer('sts-port', values['sts-port']),
    stagingEdgePort: integer('staging-edge-port', values['staging-edge-port']),
    productionEdgePort: integer('production-edge-port', values['production-edge-port']),
  });
  const caDir = resolve(values['ca-dir'] ?? defaultCaDir());
  const log = values.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  const options = {
    ...ports,
    caDir,
    routines: values.routine ?? [],
    ...(values.host !== undefined && { host: values.host }),
    ...(values['version-quota'] !== undefined && {
      versionQuota: integer('version-quota', values['version-quota']) ?? 10,
    }),
    ...(values.latency !== undefined && { latencyMs: integer('latency', values.latency) ?? 0 }),
    ...(values['assets-ready-delay'] !== undefined && {
      assetsReadyDelayMs: integer('assets-ready-delay', values['assets-ready-delay']) ?? 0,
    }),
    ...(log && { log }),
  };
  let host: string;
  try {
    host = resolveEmulatorOptions(options).host;
  } catch (error) {
    fail((error as Error).message);
  }
  if (values['print-env']) {
    await printEnv(host, ports, caDir);
    return;
  }
  let emulator: Emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    const busy = portInUse(error, host, ports);
    if (busy === undefined) fail((error as Error).message);
    process.stderr.write(`${busy}\n`);
    process.exit(1);
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
  announce(values, host, emulator);
}

await main();
