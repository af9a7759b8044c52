import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdminRequest } from './admin.js';
import type { EmulatorContext } from './context.js';
import { EMULATOR_ACCESS_KEY, EMULATOR_STS_CREDENTIAL, type EmulatorCredential } from './credentials.js';
import { createEsaHandler } from './esa/handler.js';
import { FaultInjector } from './faults.js';
import { baseUrl } from './http.js';
import { type EmulatorOptions, resolveEmulatorOptions } from './options.js';
import { createOssHandler } from './oss/handler.js';
import { EmulatorState } from './state.js';
import { createStsHandler } from './sts/handler.js';

/** A running emulator. */
export interface Emulator {
  /** Base URL of the ESA OpenAPI server, e.g. `http://127.0.0.1:40123`. Use it as the endpoint. */
  readonly endpoint: string;
  /** Base URL of the OSS PostObject server (the `Url` of every `OssPostConfig`). */
  readonly ossEndpoint: string;
  /**
   * Base URL of the STS server, e.g. `http://127.0.0.1:40125`: `AssumeRole` and
   * `AssumeRoleWithOIDC` (version 2015-04-01, RPC style, `POST /`).
   */
  readonly stsEndpoint: string;
  /** The built-in test AccessKey, and an STS triple; both are accepted by the ESA server. */
  readonly credentials: EmulatorCredential & { readonly sts: EmulatorCredential };
  /** Routines, versions, stored objects, STS sessions and the request log. */
  readonly state: EmulatorState;
  /** Programmable faults and latency. */
  readonly faults: FaultInjector;
  /** The emulated bucket and the key signing its policies (tests craft their own policies with it). */
  readonly bucket: EmulatorContext['bucket'];
  /** Stops the servers and ends open connections. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function serve(handler: Handler): Server {
  return createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      // A handler bug must still answer: a hung request would hide it.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(
          `esa-stage emulator internal error: ${error instanceof Error ? error.message : String(error)}`,
        );
      } else {
        res.destroy();
      }
    });
  });
}

/** Starts the ESA OpenAPI server, the OSS PostObject server and the STS server on loopback. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = resolveEmulatorOptions(options);
  const state = new EmulatorState(resolved.now, resolved.versionQuota);
  for (const name of resolved.routines) state.createRoutine(name);
  const ctx: EmulatorContext = {
    options: resolved,
    state,
    faults: new FaultInjector(resolved.latencyMs),
    credentials: [EMULATOR_ACCESS_KEY, EMULATOR_STS_CREDENTIAL, ...resolved.credentials],
    bucket: {
      name: 'esa-stage-emulator',
      accessKeyId: `LTAIoss${randomBytes(8).toString('hex')}`,
      accessKeySecret: randomBytes(24).toString('base64url'),
    },
    endpoints: { esa: '', oss: '', sts: '' },
  };
  const esaHandler = createEsaHandler(ctx);
  const esaServer = serve(async (req, res) => {
    if (await handleAdminRequest(ctx, req, res)) return;
    await esaHandler(req, res);
  });
  const ossServer = serve(createOssHandler(ctx));
  const stsServer = serve(createStsHandler(ctx));
  const servers = [esaServer, ossServer, stsServer];
  try {
    ctx.endpoints.esa = baseUrl(resolved.host, await listen(esaServer, resolved.port, resolved.host));
    ctx.endpoints.oss = baseUrl(resolved.host, await listen(ossServer, resolved.ossPort, resolved.host));
    ctx.endpoints.sts = baseUrl(resolved.host, await listen(stsServer, resolved.stsPort, resolved.host));
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  return {
    endpoint: ctx.endpoints.esa,
    ossEndpoint: ctx.endpoints.oss,
    stsEndpoint: ctx.endpoints.sts,
    credentials: { ...EMULATOR_ACCESS_KEY, sts: EMULATOR_STS_CREDENTIAL },
    state,
    faults: ctx.faults,
    bucket: ctx.bucket,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}
