import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** One tunnel the proxy opened: where to, and the bytes it carried each way. */
export interface Tunnel {
  /** `host:port` as the CONNECT line asked. */
  readonly target: string;
  /** Proxy-Authorization header as sent (tests check it; never a real secret). */
  readonly authorization: string | undefined;
  sent: number;
  received: number;
  /** HTTP request lines seen in the client's bytes (plain-http tunnels only). */
  readonly requestLines: string[];
}

export interface ConnectProxy {
  readonly url: string;
  readonly tunnels: Tunnel[];
  /** Requests sent to the proxy as plain forward-proxy requests (absolute URI), refused with 405. */
  readonly forwarded: string[];
  close(): Promise<void>;
}

/**
 * An HTTP CONNECT proxy on 127.0.0.1 that tunnels to loopback targets only, counts the bytes of
 * each tunnel and, for plain-http traffic, the request lines in it. `map` reroutes a target (to
 * prove a client could not have reached it directly). `requireAuthorization` demands a
 * Proxy-Authorization; `uploadBytesPerSecond` makes a slow uplink.
 */
export async function startConnectProxy(
  options: {
    map?: Record<string, string>;
    requireAuthorization?: string;
    /** Slows what clients send to this many bytes a second (a slow uplink). */
    uploadBytesPerSecond?: number;
  } = {},
): Promise<ConnectProxy> {
  const tunnels: Tunnel[] = [];
  const forwarded: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    forwarded.push(`${request.method} ${request.url}`);
    response.writeHead(405).end();
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    const target = request.url ?? '';
    const authorization = request.headers['proxy-authorization'];
    if (options.requireAuthorization && authorization !== options.requireAuthorization) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (options.map?.[target] ?? target).split(/:(?=\d+$)/);
    if (host !== '127.0.0.1' && host !== 'localhost') {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const tunnel: Tunnel = { target, authorization, sent: 0, received: 0, requestLines: [] };
    tunnels.push(tunnel);
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.on('data', (chunk: Buffer) => {
        tunnel.sent += chunk.length;
        if (options.uploadBytesPerSecond) {
          client.pause();
          setTimeout(() => client.resume(), (chunk.length * 1000) / options.uploadBytesPerSecond);
        }
        for (const line of chunk
          .toString('latin1')
          .matchAll(/(?:^|\r\n)((?:GET|POST|PUT|DELETE) \S+ HTTP\/1\.1)\r\n/g)) {
          tunnel.requestLines.push(line[1] ?? '');
        }
      });
      upstream.on('data', (chunk: Buffer) => {
        tunnel.received += chunk.length;
      });
      client.pipe(upstream).pipe(client);
    });
    sockets.add(upstream);
    const done = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', done);
    client.on('error', done);
    upstream.on('close', done);
    client.on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    forwarded,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
