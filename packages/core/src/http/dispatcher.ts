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
}

/**
 * One connection per origin, through the proxy the environment names (undici's
 * EnvHttpProxyAgent: `HTTPS_PROXY`/`HTTP_PROXY` by the origin's scheme, `NO_PROXY` to bypass, an
 * HTTP CONNECT tunnel either way), or direct. Each origin gets a single keep-alive connection, so
 * every call of a publish reuses it and concurrency never opens more. `onSocket` sees the socket
 * requests are written to, tunnelled or not, so an upload can wait for its writes to flush.
 */
export async function openDispatcher(options: DispatcherOptions): Promise<Dispatcher> {
  const { EnvHttpProxyAgent, Client, buildConnector } = await loadUndici();
  const { onSocket } = options;
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
      return new Client(origin, {
        ...clientOptions,
        keepAliveTimeout: options.keepAliveTimeout ?? 10_000,
        connect: onSocket
          ? (connectOptions, callback) =>
              connect(connectOptions, (...result) => {
                if (!result[0] && result[1]) onSocket(result[1] as Socket);
                callback(...result);
              })
          : connect,
      });
    },
  });
}
