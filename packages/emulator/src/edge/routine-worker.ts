import type { MessagePort } from 'node:worker_threads';
import type { RoutineWorkerData, WorkerReply, WorkerRequest } from './messages.js';

/**
 * The body of every routine worker: loads the routine module from its bytes (a `data:` URL), then
 * answers each {@link WorkerRequest} with the routine's `Response` read whole, or an error
 * message. `env` is an empty object per request; `ctx` has `waitUntil` and
 * `passThroughOnException`. An unhandled rejection or an uncaught exception is logged, not fatal.
 *
 * It runs from its own source text ({@link ROUTINE_WORKER_SOURCE}), so it must use nothing from
 * outside itself but globals and its parameters: no imports, no module-level names, not even a
 * dynamic `import()` (a bundler or test runner may rewrite that; `load` is the worker's own).
 */
export function routineWorkerMain(
  port: MessagePort,
  data: RoutineWorkerData,
  load: (url: string) => Promise<{ default?: unknown }>,
): void {
  const describe = (error: unknown): string =>
    error instanceof Error ? `${error.name}: ${error.message}` : `a non-Error value ${String(error)}`;
  const kindOf = (value: unknown): string =>
    value === null
      ? 'null'
      : typeof value === 'object'
        ? `an object (${Object.prototype.toString.call(value)})`
        : `${typeof value} ${String(value).slice(0, 40)}`;
  process.on('unhandledRejection', (reason: unknown) => {
    console.error(`unhandled rejection: ${describe(reason)}`);
  });
  process.on('uncaughtException', (error: unknown) => {
    console.error(`uncaught exception: ${describe(error)}`);
  });

  type Handler = { fetch(request: Request, env: object, ctx: object): unknown };
  const source = `data:text/javascript;base64,${Buffer.from(data.code).toString('base64')}`;
  const loaded: Promise<Handler> = load(source).then((module) => {
    const handler = module.default as { fetch?: unknown } | null | undefined;
    if (
      (typeof handler !== 'object' && typeof handler !== 'function') ||
      handler === null ||
      typeof handler.fetch !== 'function'
    ) {
      throw new TypeError('the module has no `export default { fetch(request, env, ctx) }`');
    }
    return handler as Handler;
  });
  // Every request reports a load failure itself.
  loaded.catch(() => undefined);

  const context = {
    waitUntil(promise: unknown): void {
      Promise.resolve(promise).catch((error: unknown) => {
        console.error(`waitUntil promise rejected: ${describe(error)}`);
      });
    },
    passThroughOnException(): void {},
  };

  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []): void => {
    port.postMessage(message, transfer);
  };

  async function handle(request: WorkerRequest): Promise<void> {
    const { id } = request;
    let handler: Handler;
    try {
      handler = await loaded;
    } catch (error) {
      reply({ id, kind: 'error', message: `the routine failed to load: ${describe(error)}` });
      return;
    }
    try {
      const init: RequestInit = { method: request.method, headers: request.headers.map(([n, v]) => [n, v]) };
      if (request.body !== undefined) init.body = request.body;
      const response: unknown = await handler.fetch(new Request(request.url, init), {}, context);
      if (!(response instanceof Response)) {
        reply({
          id,
          kind: 'error',
          message: `the routine's fetch answered ${kindOf(response)}, not a Response`,
        });
        return;
      }
      if (response.type === 'error') {
        reply({ id, kind: 'error', message: "the routine's fetch answered Response.error()" });
        return;
      }
      const body = new Uint8Array(await response.arrayBuffer());
      const headers: [string, string][] = [];
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') headers.push([name, value]);
      });
      for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
      reply(
        { id, kind: 'response', status: response.status, statusText: response.statusText, headers, body },
        [body.buffer as ArrayBuffer],
      );
    } catch (error) {
      reply({ id, kind: 'error', message: `the routine threw ${describe(error)}` });
    }
  }

  port.on('message', (request: WorkerRequest) => {
    void handle(request);
  });
}

/**
 * The worker's module: {@link routineWorkerMain}'s own text, called with the thread's port and
 * data. Loaded as a `data:` URL, so it works alike from `dist` and from the TypeScript sources.
 */
export const ROUTINE_WORKER_SOURCE = `import { parentPort, workerData } from 'node:worker_threads';
(${routineWorkerMain.toString()})(parentPort, workerData, (url) => import(url));
`;
