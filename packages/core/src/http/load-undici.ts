import { createRequire } from 'node:module';

type Undici = typeof import('undici');

/** The parts of undici esa-stage uses. */
export interface UndiciParts {
  readonly Client: Undici['Client'];
  readonly Pool: Undici['Pool'];
  readonly EnvHttpProxyAgent: Undici['EnvHttpProxyAgent'];
  readonly buildConnector: Undici['buildConnector'];
}

let loading: Promise<UndiciParts> | undefined;

/**
 * Only the modules of the dispatchers esa-stage uses. undici's index also loads fetch, WebSocket,
 * EventSource, the cache and the mocks: ~110 ms and ~9 MiB more. Its index then gives every
 * dispatcher the request API (`request`, `connect`: a proxy tunnel uses it), which is done here
 * the same way, with the same functions, so loading the index later changes nothing.
 */
function loadParts(): UndiciParts {
  const require = createRequire(import.meta.url);
  const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
  Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));
  return {
    Client: require('undici/lib/dispatcher/client.js') as Undici['Client'],
    Pool: require('undici/lib/dispatcher/pool.js') as Undici['Pool'],
    EnvHttpProxyAgent:
      require('undici/lib/dispatcher/env-http-proxy-agent.js') as Undici['EnvHttpProxyAgent'],
    buildConnector: require('undici/lib/core/connect.js') as Undici['buildConnector'],
  };
}

/**
 * undici's dispatchers, loaded on first use: a disabled, dry-running or merely imported plugin
 * must not pay for them. Its internal files are not a public API, so an undici that moved them
 * is loaded whole instead.
 */
export function loadUndici(): Promise<UndiciParts> {
  loading ??= Promise.resolve()
    .then(loadParts)
    .catch(async () => {
      const undici = await import('undici');
      return {
        Client: undici.Client,
        Pool: undici.Pool,
        EnvHttpProxyAgent: undici.EnvHttpProxyAgent,
        buildConnector: undici.buildConnector,
      };
    });
  return loading;
}
