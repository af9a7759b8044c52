// Helpers of the edge tests: routines, versions and deployments made through the official SDK,
// and HTTPS requests to the edges with undici, trusting only the emulator's CA.
import { readFile } from 'node:fs/promises';
import { checkServerIdentity, connect } from 'node:tls';
import { Client } from 'undici';
import { expect } from 'vitest';
import { type Emulator, routineHost } from '../src/index.js';
import { type AssetsPostConfig, makeZip, uploadZip, type ZipEntry } from './assets-helpers.js';
import { type EsaClient, esa, sdkClient, stageCode } from './esa-helpers.js';

/** The SDK client of an emulator, and the routines and versions made through it. */
export class EdgeFixture {
  readonly client: InstanceType<typeof EsaClient>;
  private caPem: string | undefined;

  constructor(readonly emulator: Emulator) {
    this.client = sdkClient(emulator, emulator.credentials);
  }

  /** The emulator's CA certificate (PEM). */
  async ca(): Promise<string> {
    this.caPem ??= await readFile(this.emulator.caPath, 'utf8');
    return this.caPem;
  }

  async createRoutine(name: string, hasAssets = false): Promise<void> {
    const res = await this.client.createRoutine(new esa.CreateRoutineRequest({ name, hasAssets }));
    expect(res.statusCode).toBe(200);
  }

  /** Uploads `code` as staging code (upload info, then the OSS callback) and commits it. */
  async commit(name: string, code: string): Promise<string> {
    const info = await this.client.getRoutineStagingCodeUploadInfo(
      new esa.GetRoutineStagingCodeUploadInfoRequest({ name, codeDescription: 'edge test' }),
    );
    const config = (info.body?.ossPostConfig ?? {}) as Record<string, string>;
    expect((await stageCode(this.emulator, config, code)).status).toBe(200);
    const commit = await this.client.commitRoutineStagingCode(
      new esa.CommitRoutineStagingCodeRequest({ name }),
    );
    const codeVersion = commit.body?.codeVersion ?? '';
    expect(codeVersion).toMatch(/^\d+$/);
    return codeVersion;
  }

  /** `CreateRoutineWithAssetsCodeVersion`, then the zip of `entries` uploaded to its OssPostConfig. */
  async assetsVersion(
    name: string,
    entries: readonly ZipEntry[],
    notFoundStrategy?: string,
  ): Promise<string> {
    const res = await this.client.createRoutineWithAssetsCodeVersion(
      new esa.CreateRoutineWithAssetsCodeVersionRequest({
        name,
        ...(notFoundStrategy === undefined
          ? {}
          : {
              confOptions: new esa.CreateRoutineWithAssetsCodeVersionRequestConfOptions({ notFoundStrategy }),
            }),
      }),
    );
    const config: AssetsPostConfig = res.body?.ossPostConfig ?? {};
    const upload = await uploadZip(config, await makeZip(entries));
    expect(upload.status, upload.body).toBe(204);
    return res.body?.codeVersion ?? '';
  }

  /** `CreateRoutineCodeDeployment`: the environment serves these versions at these percentages. */
  async deploy(name: string, env: 'staging' | 'production', versions: Record<string, number>): Promise<void> {
    const res = await this.client.createRoutineCodeDeployment(
      new esa.CreateRoutineCodeDeploymentRequest({
        name,
        env,
        strategy: 'percentage',
        codeVersions: Object.entries(versions).map(
          ([codeVersion, percentage]) =>
            new esa.CreateRoutineCodeDeploymentRequestCodeVersions({ codeVersion, percentage }),
        ),
      }),
    );
    expect(res.statusCode).toBe(200);
  }

  /** A routine with `code` committed and deployed at 100% to `env`; answers its version. */
  async routine(name: string, code: string, env: 'staging' | 'production' = 'staging'): Promise<string> {
    await this.createRoutine(name);
    const codeVersion = await this.commit(name, code);
    await this.deploy(name, env, { [codeVersion]: 100 });
    return codeVersion;
  }

  /** One HTTPS request to an edge (see {@link EdgeCall}). */
  async call(call: EdgeCall): Promise<EdgeAnswer> {
    const edge = call.env === 'production' ? this.emulator.productionEdge : this.emulator.stagingEdge;
    const host = call.host ?? (call.name === undefined ? undefined : routineHost(call.name));
    // undici sends the Host header's name as SNI: a test of other SNI uses rawHttps.
    const client = new Client(edge.url, {
      connect: { ca: call.ca ?? (await this.ca()), ...(host === undefined ? {} : { servername: host }) },
    });
    try {
      const res = await client.request({
        method: call.method ?? 'GET',
        path: call.path ?? '/',
        headers: { ...(host === undefined ? {} : { host }), ...call.headers },
        ...(call.body === undefined ? {} : { body: call.body }),
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: res.headers, body, text: body.toString('utf8') };
    } finally {
      await client.close();
    }
  }
}

/** A request to an edge. */
export interface EdgeCall {
  /** The routine whose host is both SNI and Host, unless `host` says otherwise. */
  readonly name?: string;
  readonly env?: 'staging' | 'production';
  /** The Host header and SNI servername (default: the routine's host). */
  readonly host?: string;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** The CA to trust (default: the emulator's). */
  readonly ca?: string;
}

export interface EdgeAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
}

/**
 * Sends `request` (raw HTTP/1.1 text, with `Connection: close`) over TLS to `port` on loopback
 * with exactly this `servername` (none when undefined: node sends no SNI to an IP address),
 * trusting `ca` only and checking that the certificate is for `identity`, and answers everything
 * the server wrote until it closed.
 */
export function rawHttps(
  port: number,
  ca: string,
  request: string,
  identity: string,
  servername?: string,
): Promise<{ authorized: boolean; response: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        ca,
        checkServerIdentity: (_host, cert) => checkServerIdentity(identity, cert),
        ...(servername === undefined ? {} : { servername }),
      },
      () => socket.write(request),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ authorized: socket.authorized, response: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}
