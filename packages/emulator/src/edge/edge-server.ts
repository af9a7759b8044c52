import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { BodyTooLargeError, readBody } from '../http.js';
import type {
  CodeVersionRecord,
  EdgeRequestRecord,
  EdgeServedBy,
  EmulatorState,
  EnvName,
  Routine,
} from '../state.js';
import { type AssetAnswer, findAsset, notFoundAsset } from './assets.js';
import type { CertificateWithKey } from './certificates.js';
import { contentTypeOf } from './content-types.js';
import { normalizeHost } from './hosts.js';
import type { HeaderPair } from './messages.js';
import { pickCodeVersion, routeEdgeRequest } from './route.js';
import type { RoutineWorkerPool } from './worker-pool.js';

/** Where an edge listens. */
export interface EdgeAddress {
  /** The loopback address, e.g. `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  /** `https://<host>:<port>`: connect there, with a routine's host as SNI and `Host`. */
  readonly url: string;
}

/** What an edge serves and with what. */
export interface EdgeServerOptions {
  /** The environment whose deployment it serves. */
  readonly env: EnvName;
  readonly state: EmulatorState;
  readonly pool: RoutineWorkerPool;
  /** The server certificate (for every routine host) and its key. */
  readonly certificate: CertificateWithKey;
  /** Picks a canary's version, as `Math.random`. */
  readonly random: () => number;
  readonly log: ((line: string) => void) | undefined;
}

/** Largest request body passed to a routine (413 above it). */
export const EDGE_MAX_BODY_SIZE = 32 * 1024 * 1024;
/** The header that names the code version that answered. */
export const CODE_VERSION_HEADER = 'x-esa-stage-code-version';

/** Headers of one connection, not of the message: never passed on (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'http2-settings',
]);
/** Methods a routine's `Request` cannot carry. */
const UNSUPPORTED_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** How a request was answered, for its record. */
interface Answer {
  readonly status: number;
  readonly servedBy: EdgeServedBy;
  readonly routine?: string | undefined;
  readonly codeVersion?: string | undefined;
  readonly error?: string | undefined;
}

/** The SNI servername of the request's TLS connection; undefined when the client sent none. */
function servernameOf(req: IncomingMessage): string | undefined {
  const name = (req.socket as TLSSocket).servername;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Answers an error of the edge itself: plain text naming the edge and the reason. */
function refuse(
  res: ServerResponse,
  env: EnvName,
  status: number,
  message: string,
  extra: Omit<Answer, 'status' | 'error' | 'servedBy'> & { servedBy?: EdgeServedBy } = {},
  headers: Record<string, string> = {},
): Answer {
  const body = Buffer.from(`esa-stage emulator ${env} edge: ${message}\n`, 'utf8');
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
    ...(extra.codeVersion === undefined ? {} : { [CODE_VERSION_HEADER]: extra.codeVersion }),
    ...headers,
  });
  res.end(body);
  return { servedBy: 'edge', ...extra, status, error: message };
}

function sendAsset(res: ServerResponse, version: CodeVersionRecord, asset: AssetAnswer): void {
  res.writeHead(asset.status, {
    'content-type': contentTypeOf(asset.path),
    'content-length': asset.bytes.length,
    [CODE_VERSION_HEADER]: version.codeVersion,
  });
  res.end(asset.bytes);
}

/** The request's headers as pairs, lower-case names, without hop-by-hop ones. */
function requestHeaders(req: IncomingMessage): HeaderPair[] {
  const pairs: HeaderPair[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    if (!HOP_BY_HOP.has(name) && !name.startsWith(':')) pairs.push([name, req.rawHeaders[i + 1] ?? '']);
  }
  return pairs;
}

/** Runs the request through the version's routine and writes what it answered. */
async function runRoutine(
  options: EdgeServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  routine: Routine,
  version: CodeVersionRecord & { readonly routine: Buffer },
  url: URL,
): Promise<Answer> {
  const method = req.method ?? 'GET';
  const done = { routine: routine.name, codeVersion: version.codeVersion, servedBy: 'routine' } as const;
  let body: Uint8Array | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    try {
      // A copy in its own ArrayBuffer: it is transferred to the worker.
      body = new Uint8Array(await readBody(req, EDGE_MAX_BODY_SIZE));
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return refuse(res, options.env, 413, `the request body is larger than ${error.limit} bytes`, done, {
        connection: 'close',
      });
    }
  }
  const outcome = await options.pool.run(routine.name, version.codeVersion, version.routine, {
    method,
    url: url.href,
    headers: requestHeaders(req),
    body,
  });
  if (outcome.kind === 'failure') return refuse(res, options.env, outcome.status, outcome.message, done);
  const headers: string[] = [];
  for (const [name, value] of outcome.headers) {
    if (name !== 'content-length' && !HOP_BY_HOP.has(name)) headers.push(name, value);
  }
  const encoded = encodeBody(outcome.headers, outcome.body);
  headers.push('content-length', String(encoded.length), CODE_VERSION_HEADER, version.codeVersion);
  if (outcome.statusText === '') res.writeHead(outcome.status, headers);
  else res.writeHead(outcome.status, outcome.statusText, headers);
  res.end(encoded);
  return { ...done, status: outcome.status };
}

/**
 * A routine's body as it goes on the wire. As in the Workers runtime an edge routine runs in, a
 * `Response` body is plain bytes and `Content-Encoding` asks the edge to encode it: so a routine
 * returning `fetch(origin)` (whose body `fetch` has already decoded) sends what the header says.
 */
function encodeBody(headers: readonly HeaderPair[], body: Uint8Array): Uint8Array {
  const encoding = headers
    .find(([name]) => name === 'content-encoding')?.[1]
    .trim()
    .toLowerCase();
  if (encoding === 'gzip') return gzipSync(body);
  if (encoding === 'deflate') return deflateSync(body);
  if (encoding === 'br') return brotliCompressSync(body);
  return body;
}

/** Routes, picks the version, and answers from an asset, the routine, or with an edge error. */
async function answer(
  options: EdgeServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Answer> {
  const { env, state } = options;
  const route = routeEdgeRequest(state, servernameOf(req), req.headers.host);
  if (!route.ok) return refuse(res, env, route.status, route.message);
  const { routine } = route;
  const named = { routine: routine.name };
  const deployment = routine.envs.get(env);
  if (!deployment) {
    return refuse(
      res,
      env,
      404,
      `routine "${routine.name}" has no code version deployed to ${env} (deploy one: CreateRoutineCodeDeployment with Env=${env})`,
      named,
    );
  }
  const codeVersion = pickCodeVersion(deployment, options.random);
  const version = state.settleVersion(routine, codeVersion);
  if (!version) {
    return refuse(res, env, 500, `code version ${codeVersion} of routine "${routine.name}" is gone`, named);
  }
  const picked = { ...named, codeVersion };
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  if (!target.startsWith('/')) {
    return refuse(res, env, 400, `the request target must be a path, got "${target.slice(0, 100)}"`, picked);
  }
  if (UNSUPPORTED_METHODS.has(method))
    return refuse(res, env, 405, `method ${method} is not supported`, picked);
  const url = new URL(`https://${req.headers.host ?? routine.defaultRelatedRecord}${target}`);
  const read = method === 'GET' || method === 'HEAD';
  const asset = read ? findAsset(version, url.pathname) : undefined;
  if (asset) {
    sendAsset(res, version, asset);
    return { ...picked, servedBy: 'asset', status: asset.status };
  }
  // ESA: with both a routine and a notFoundStrategy, a navigation (`Sec-Fetch-Mode: navigate`) to a
  // path that is no asset gets the strategy's page, and does not run the routine.
  const fallback = read ? notFoundAsset(version) : undefined;
  const navigation = req.headers['sec-fetch-mode'] === 'navigate';
  const code = version.routine;
  if (code && !(fallback && navigation)) {
    return runRoutine(options, req, res, routine, { ...version, routine: code }, url);
  }
  const where = `code version ${codeVersion} of routine "${routine.name}"`;
  if (!read) {
    return refuse(res, env, 405, `${where} has only assets: ${method} is not allowed`, picked, {
      allow: 'GET, HEAD',
    });
  }
  if (fallback) {
    sendAsset(res, version, fallback);
    return { ...picked, servedBy: 'asset', status: fallback.status };
  }
  return refuse(res, env, 404, `${url.pathname} is no asset of ${where}`, picked);
}

/** Handles one request, whatever happens, and records it. */
async function handle(options: EdgeServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const at = options.state.clock();
  let result: Answer;
  try {
    result = await answer(options, req, res);
  } catch (error) {
    const message = `emulator error: ${error instanceof Error ? error.message : String(error)}`;
    if (!res.headersSent) result = refuse(res, options.env, 500, message);
    else {
      res.destroy();
      result = { status: 500, servedBy: 'edge', error: message };
    }
  }
  const record: EdgeRequestRecord = {
    env: options.env,
    sni: servernameOf(req),
    host: normalizeHost(req.headers.host),
    hostHeader: req.headers.host,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    status: result.status,
    routine: result.routine,
    codeVersion: result.codeVersion,
    servedBy: result.servedBy,
    error: result.error,
    at,
    ms: Math.round((performance.now() - started) * 10) / 10,
  };
  options.state.edgeRequests.push(record);
  options.log?.(
    `edge ${record.env} ${record.method} ${record.hostHeader ?? '-'}${record.path} ${record.status}${record.codeVersion ? ` ${record.routine}@${record.codeVersion}` : ''} ${record.servedBy}${record.error ? ` (${record.error})` : ''} ${record.ms}ms`,
  );
}

/**
 * An HTTPS edge of one environment (HTTP/1.1, TLS 1.2+, one certificate for every routine host).
 * Each request goes to the routine whose host both its SNI and its `Host` name, and is answered
 * by the version the environment's deployment picks: an asset file, the routine's code, or the
 * version's not-found page. Plain HTTP and failed handshakes are closed without an answer.
 */
export function createEdgeServer(options: EdgeServerOptions): Server {
  const server = createServer(
    { key: options.certificate.keyPem, cert: options.certificate.certPem, minVersion: 'TLSv1.2' },
    (req, res) => {
      void handle(options, req, res);
    },
  );
  server.on('tlsClientError', (error: Error, socket) => {
    options.log?.(`edge ${options.env}: TLS handshake failed: ${error.message}`);
    socket.destroy();
  });
  // closeAllConnections() sees only connections past their handshake: a socket that never sent a
  // ClientHello would hold close() for the 120 s handshake timeout. It ends every socket here.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const closeAllConnections = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeAllConnections();
    for (const socket of sockets) socket.destroy();
  };
  return server;
}
