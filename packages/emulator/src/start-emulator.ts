import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleAdminRequest } from './admin.js';
import type { EmulatorContext } from './context.js';
import { EMULATOR_ACCESS_KEY, EMULATOR_STS_CREDENTIAL, type EmulatorCredential } from './credentials.js';
import { loadOrCreateCa } from './edge/ca-store.js';
import { issueServerCertificate } from './edge/certificates.js';
import { createEdgeServer, type EdgeAddress } from './edge/edge-server.js';
import { EDGE_CERTIFICATE_NAMES } from './edge/hosts.js';
import { RoutineWorkerPool } from './edge/worker-pool.js';
import { createEsaHandler } from './esa/handler.js';
import { FaultInjector } from './faults.js';
import { baseUrl } from './http.js';
import { type EmulatorOptions, resolveEmulatorOptions } from './options.js';
import { createOssHandler } from './oss/handler.js';
import { EmulatorState, type EnvName } from './state.js';
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
  /**
   * The HTTPS edge serving each routine's `staging` deployment, on `host` (the address
   * `GetRoutineStagingEnvIp` answers by default) and this port. Connect with the routine's host
   * (`<name>.emulator.er.aliyun-esa.net`) as TLS servername and `Host`, trusting {@link caPath}.
   */
  readonly stagingEdge: EdgeAddress;
  /** The HTTPS edge serving each routine's `production` deployment, reached the same way. */
  readonly productionEdge: EdgeAddress;
  /**
   * The PEM file of the local CA that signed the edges' certificate: trust it (and nothing looser)
   * with `NODE_EXTRA_CA_CERTS`, `curl --cacert`, or a client's `ca` option.
   */
  readonly caPath: string;
  /** Stops the servers and the routines' workers, ends open connections, removes a temporary CA. */
  close(): Promise<void>;
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server | HttpsServer): Promise<void> {
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

/** `caDir`, or a fresh temporary directory (and a function that removes it; none for `caDir`). */
async function caDirectory(caDir: string | undefined): Promise<{ dir: string; remove: () => Promise<void> }> {
  if (caDir !== undefined) return { dir: caDir, remove: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'esa-stage-emulator-ca-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Starts the ESA OpenAPI server, the OSS PostObject server, the STS server and the staging and
 * production HTTPS edges (which run the deployed routines) on loopback.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = resolveEmulatorOptions(options);
  const state = new EmulatorState(resolved.now, resolved.versionQuota);
  for (const name of resolved.routines) state.createRoutine(name);
  const caDir = await caDirectory(resolved.caDir);
  let stored: Awaited<ReturnType<typeof loadOrCreateCa>>;
  let certificate: ReturnType<typeof issueServerCertificate>;
  try {
    stored = await loadOrCreateCa(caDir.dir);
    certificate = issueServerCertificate(stored.ca, EDGE_CERTIFICATE_NAMES);
  } catch (error) {
    // A temporary CA directory (it holds a private key) goes with a start that failed.
    await caDir.remove();
    throw error;
  }
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
    endpoints: { esa: '', oss: '', sts: '', stagingEdge: '', productionEdge: '' },
    caPath: stored.certPath,
  };
  const pool = new RoutineWorkerPool({
    memoryLimitMb: resolved.edgeMemoryLimitMb,
    timeoutMs: resolved.edgeRequestTimeoutMs,
    log: resolved.log,
    isServed: (name, codeVersion) => {
      const routine = state.routines.get(name);
      return routine !== undefined && state.deployedEnvs(routine, codeVersion).length > 0;
    },
  });
  // A version no environment serves any more has its worker stopped.
  const unwatch = state.onServingChange(() => pool.retireUnserved());
  const edge = (env: EnvName) =>
    createEdgeServer({
      env,
      state,
      pool,
      certificate,
      random: resolved.edgeRandom,
      log: resolved.log,
    });
  const stagingEdge = edge('staging');
  const productionEdge = edge('production');
  const esaHandler = createEsaHandler(ctx);
  const esaServer = serve(async (req, res) => {
    if (await handleAdminRequest(ctx, req, res)) return;
    await esaHandler(req, res);
  });
  const ossServer = serve(createOssHandler(ctx));
  const stsServer = serve(createStsHandler(ctx));
  const servers = [esaServer, ossServer, stsServer, stagingEdge, productionEdge];
  const close = async () => {
    unwatch();
    await Promise.all(servers.map(closeServer));
    await pool.close();
    await caDir.remove();
  };
  const { host } = resolved;
  let stagingPort: number;
  let productionPort: number;
  try {
    ctx.endpoints.esa = baseUrl(host, await listen(esaServer, resolved.port, host));
    ctx.endpoints.oss = baseUrl(host, await listen(ossServer, resolved.ossPort, host));
    ctx.endpoints.sts = baseUrl(host, await listen(stsServer, resolved.stsPort, host));
    stagingPort = await listen(stagingEdge, resolved.stagingEdgePort, host);
    productionPort = await listen(productionEdge, resolved.productionEdgePort, host);
  } catch (error) {
    await close();
    throw error;
  }
  ctx.endpoints.stagingEdge = baseUrl(host, stagingPort, 'https');
  ctx.endpoints.productionEdge = baseUrl(host, productionPort, 'https');
  return {
    endpoint: ctx.endpoints.esa,
    ossEndpoint: ctx.endpoints.oss,
    stsEndpoint: ctx.endpoints.sts,
    credentials: { ...EMULATOR_ACCESS_KEY, sts: EMULATOR_STS_CREDENTIAL },
    state,
    faults: ctx.faults,
    bucket: ctx.bucket,
    stagingEdge: { host, port: stagingPort, url: ctx.endpoints.stagingEdge },
    productionEdge: { host, port: productionPort, url: ctx.endpoints.productionEdge },
    caPath: stored.certPath,
    close,
  };
}
