import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { EmulatorCredential } from './credentials.js';
import { CA_CERT_FILE } from './edge/ca-store.js';

/** The ports the `esa-stage-emulator` command listens on when not told otherwise (not `startEmulator`'s). */
export const DEFAULT_BIN_PORTS = Object.freeze({
  port: 18700,
  ossPort: 18701,
  stsPort: 18702,
  stagingEdgePort: 18703,
  productionEdgePort: 18704,
});

/** The five ports of the command. */
export interface BinPorts {
  readonly port: number;
  readonly ossPort: number;
  readonly stsPort: number;
  readonly stagingEdgePort: number;
  readonly productionEdgePort: number;
}

/**
 * The command's ports: `--port` (default 18700), then `--oss-port`, `--sts-port`,
 * `--staging-edge-port` and `--production-edge-port`, which default to the four ports after it,
 * or to free ones (`0`) when `--port` is `0`.
 */
export function resolveBinPorts(given: { readonly [K in keyof BinPorts]?: number | undefined }): BinPorts {
  const port = given.port ?? DEFAULT_BIN_PORTS.port;
  const after = (offset: number) => (port === 0 ? 0 : port + offset);
  return {
    port,
    ossPort: given.ossPort ?? after(1),
    stsPort: given.stsPort ?? after(2),
    stagingEdgePort: given.stagingEdgePort ?? after(3),
    productionEdgePort: given.productionEdgePort ?? after(4),
  };
}

/**
 * The command's CA directory when `--ca-dir` is not given: `<os.tmpdir()>/esa-stage-emulator-ca-<uid>`,
 * the same for every run of one user, so that `--print-env` can name its `ca.pem` without
 * starting anything (and one user's directory never stands in another's way).
 */
export function defaultCaDir(): string {
  return join(tmpdir(), `esa-stage-emulator-ca-${process.getuid?.() ?? userInfo().username}`);
}

/** The CA certificate file of a CA directory (what `NODE_EXTRA_CA_CERTS` names). */
export function caPathOf(caDir: string): string {
  return join(caDir, CA_CERT_FILE);
}

/** What a shell needs to reach an emulator's staging edge: its port and the CA to trust. */
export interface EdgeEnv {
  readonly stagingPort: number;
  readonly caPath: string;
}

/**
 * What a shell needs to publish to an emulator (ESA endpoint, test AccessKey) and to reach its
 * staging edge (`ESA_STAGE_STAGING_PORT`, `NODE_EXTRA_CA_CERTS`), then the STS endpoint. The STS
 * endpoint stays last: scripts wait for its line to know that every line is written.
 */
export function emulatorEnv(
  endpoint: string,
  stsEndpoint: string,
  credential: EmulatorCredential,
  edge: EdgeEnv,
): Readonly<Record<string, string>> {
  return {
    ESA_ENDPOINT: endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: credential.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: credential.accessKeySecret,
    ESA_STAGE_STAGING_PORT: String(edge.stagingPort),
    NODE_EXTRA_CA_CERTS: edge.caPath,
    ESA_STAGE_STS_ENDPOINT: stsEndpoint,
  };
}

/** A value as one sh word: single-quoted, each `'` written `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `export NAME='value'` lines, one per variable, each ending with a newline. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
}
