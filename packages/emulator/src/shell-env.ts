import type { EmulatorCredential } from './credentials.js';

/** The ports the `esa-stage-emulator` command listens on when not told otherwise (not `startEmulator`'s). */
export const DEFAULT_BIN_PORTS = Object.freeze({ port: 18700, ossPort: 18701, stsPort: 18702 });

/** The three ports of the command. */
export interface BinPorts {
  readonly port: number;
  readonly ossPort: number;
  readonly stsPort: number;
}

/**
 * The command's ports: `--port` (default 18700), then `--oss-port` and `--sts-port`, which default to
 * the two ports after it, or to free ones (`0`) when `--port` is `0`.
 */
export function resolveBinPorts(given: { readonly [K in keyof BinPorts]?: number | undefined }): BinPorts {
  const port = given.port ?? DEFAULT_BIN_PORTS.port;
  const after = (offset: number) => (port === 0 ? 0 : port + offset);
  return { port, ossPort: given.ossPort ?? after(1), stsPort: given.stsPort ?? after(2) };
}

/** A value as one sh word: single-quoted, each `'` written `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What a shell needs to publish to an emulator (ESA endpoint, test AccessKey, STS endpoint). */
export function emulatorEnv(
  endpoint: string,
  stsEndpoint: string,
  credential: EmulatorCredential,
): Readonly<Record<string, string>> {
  return {
    ESA_ENDPOINT: endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: credential.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: credential.accessKeySecret,
    ESA_STAGE_STS_ENDPOINT: stsEndpoint,
  };
}

/** `export NAME='value'` lines, one per variable, each ending with a newline. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
}
