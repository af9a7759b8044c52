import type { Socket } from 'node:net';
import type { Dispatcher, Client as UndiciClient } from 'undici';
import { loadUndici } from './load-undici.js';
import type { ProxySettings } from './proxy-settings.js';

export interface DispatcherOptions {
  readonly proxy: ProxySettings;
  /** Called with each socket a request will be written to (the TLS socket for https). */
  readonly onSocket?: ((socket: Socket) => void) | undefined;
  /** @default 10000 */
  readonly keepAliveTimeout?: number | undefined;
  /**
   * Keep-alive connections per origin. Requests on one HTTP/1.1 connection wait for each other, so
   * calls made at once need as many connections to be at once on the wire.
   * @default 1
   */
  readonly connections?: number | undefined;
}

/**
 * Keep-alive connections per origin (one, or `connections`), through the proxy the environment
 * names (undici's EnvHttpProxyAgent: `HTTPS_PROXY`/`HTTP_PROXY` by the origin's scheme, `NO_PROXY`
 * to bypass, an HTTP CONNECT tunnel either way), or direct. Every call of a publish reuses them.
 * `onSocket` sees the socket requests are written to, tunnelled or not, so an upload can wait for
 * its writes to flush.
 */
export async function openDispatcher(options: DispatcherOptions): Promise<Dispatcher> {
  const { EnvHttpProxyAgent, Client, Pool, buildConnector } = await loadUndici();
  const { onSocket } = options;
  const connections = options.connections ?? 1;
  return new EnvHttpProxyAgent({
    httpProxy: options.proxy.httpProxy,
    httpsProxy: options.proxy.httpsProxy,
    noProxy: options.proxy.noProxy,
    // The Agents inside pass each origin's Client options, with the tunnelling connector when
    // proxied; typed as `Object` by undici.
    factory: (origin, opts) => {
      const clientOptions = opts as UndiciClient.Options;
      const given = clientOptions.connect;
      const connect = typeof given === 'function' ? given : buildConnector({ ...given });
      const settings = {
        ...clientOptions,
        keepAliveTimeout: options.keepAliveTimeout ?? 10_000,
        connect: onSocket
          ? (connectOptions: Parameters<typeof connect>[0], callback: Parameters<typeof connect>[1]) =>
              connect(connectOptions, (...result) => {
                if (!result[0] && result[1]) onSocket(result[1] as Socket);
                callback(...result);
              })
          : connect,
      };
      return connections > 1 ? new Pool(origin, { ...settings, connections }) : new Client(origin, settings);
    },
  });
}
