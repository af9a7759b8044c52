import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { RoutineResponse, RoutineWorkerData, WorkerReply, WorkerRequest } from './messages.js';
import { ROUTINE_WORKER_SOURCE } from './routine-worker.js';

const WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(ROUTINE_WORKER_SOURCE)}`);

/** What running a request through a routine gave: its `Response`, or a failure and its status. */
export type RoutineOutcome =
  | RoutineResponse
  | {
      readonly kind: 'failure';
      /** 500: the routine threw, answered no `Response`, failed to load or its worker crashed; 504: time limit. */
      readonly status: 500 | 504;
      readonly message: string;
    };

/** A request for a routine, without its id (the worker numbers them). */
export type RoutineRequest = Omit<WorkerRequest, 'id'>;

/** How routine workers run. */
export interface WorkerPoolOptions {
  /** `resourceLimits.maxOldGenerationSizeMb` of each worker. */
  readonly memoryLimitMb: number;
  /** Time limit of one request, in ms: past it the request answers 504 and the worker is replaced. */
  readonly timeoutMs: number;
  /** Receives the routines' console output, one line each. */
  readonly log: ((line: string) => void) | undefined;
  /** Whether an environment serves a routine's code version (a worker of any other is stopped). */
  readonly isServed: (routine: string, codeVersion: string) => boolean;
}

interface Pending {
  readonly settle: (outcome: RoutineOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** The worker thread of one code version of one routine. */
class RoutineWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the worker stops or stopped; set before it is terminated or when it fails. */
  private endReason: string | undefined;
  private retired = false;
  private ended = false;
  /** Resolves once the thread has exited. */
  readonly exited: Promise<void>;

  constructor(
    readonly routine: string,
    readonly codeVersion: string,
    code: Buffer,
    private readonly options: WorkerPoolOptions,
    onExit: (worker: RoutineWorker) => void,
  ) {
    const data: RoutineWorkerData = { code: new Uint8Array(code) };
    this.worker = new Worker(WORKER_URL, {
      workerData: data,
      // Nothing of the emulator's environment (credentials...) reaches a routine.
      env: {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryLimitMb },
      name: `${routine}@${codeVersion}`,
    });
    this.forward(this.worker.stdout);
    this.forward(this.worker.stderr);
    this.worker.on('message', (reply: WorkerReply) => {
      this.settle(
        reply.id,
        reply.kind === 'response'
          ? {
              kind: 'response',
              status: reply.status,
              statusText: reply.statusText,
              headers: reply.headers,
              body: reply.body,
            }
          : { kind: 'failure', status: 500, message: reply.message },
      );
    });
    this.worker.on('error', (error: Error & { code?: string }) => {
      this.endReason ??=
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the routine ran out of memory (limit ${options.memoryLimitMb} MB) and was stopped`
          : `the routine's worker crashed: ${error.message}`;
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.ended = true;
        const message = this.endReason ?? `the routine's worker exited (code ${code})`;
        for (const id of [...this.pending.keys()]) this.settle(id, { kind: 'failure', status: 500, message });
        onExit(this);
        resolve();
      });
    });
  }

  /** Sends the routine's console lines to the log (or drops them: a pipe must be read). */
  private forward(stream: Readable): void {
    const { log } = this.options;
    if (!log) {
      stream.resume();
      return;
    }
    createInterface({ input: stream }).on('line', (line) => {
      log(`edge ${this.routine}@${this.codeVersion} console: ${line}`);
    });
  }

  private settle(id: number, outcome: RoutineOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.settle(outcome);
    if (this.retired && this.pending.size === 0) this.stop('the code version is no longer deployed');
  }

  /** Whether it takes requests: not stopping, not ended. */
  get usable(): boolean {
    return !this.ended && this.endReason === undefined;
  }

  /** Runs one request; a request past the time limit answers 504 and the worker is replaced. */
  run(request: RoutineRequest): Promise<RoutineOutcome> {
    if (!this.usable) {
      return Promise.resolve({ kind: 'failure', status: 500, message: this.endReason ?? 'worker ended' });
    }
    const id = this.nextId++;
    const { timeoutMs } = this.options;
    return new Promise((settle) => {
      const timer = setTimeout(() => {
        this.settle(id, {
          kind: 'failure',
          status: 504,
          message: `the routine did not answer within ${timeoutMs} ms`,
        });
        this.stop(`the routine's worker was restarted: a request to it exceeded ${timeoutMs} ms`);
      }, timeoutMs);
      this.pending.set(id, { settle, timer });
      const message: WorkerRequest = { id, ...request };
      this.worker.postMessage(message, request.body ? [request.body.buffer as ArrayBuffer] : []);
    });
  }

  /** Stops the worker now (its pending requests answer 500 with `reason`). */
  stop(reason: string): void {
    this.endReason ??= reason;
    void this.worker.terminate();
  }

  /** Stops the worker once its pending requests are answered. */
  retire(): void {
    this.retired = true;
    if (this.pending.size === 0) this.stop('the code version is no longer deployed');
  }
}

/**
 * The routine workers: one per (routine, code version, code bytes), made on its first request and
 * reused, each a `worker_threads` Worker with its own globals, an empty `process.env` and a heap
 * limit. A worker that crashed or was stopped is replaced at the next request.
 */
export class RoutineWorkerPool {
  /** The worker taking each version's requests, by routine and code version. */
  private readonly workers = new Map<string, RoutineWorker>();
  /** Every worker whose thread has not exited (retired and stopping ones too). */
  private readonly live = new Set<RoutineWorker>();
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Runs `request` through the routine code `code` of `routine`'s version `codeVersion`. */
  run(routine: string, codeVersion: string, code: Buffer, request: RoutineRequest): Promise<RoutineOutcome> {
    if (this.closed) {
      return Promise.resolve({ kind: 'failure', status: 500, message: 'the emulator is closing' });
    }
    const key = `${routine}\n${codeVersion}`;
    let worker = this.workers.get(key);
    if (!worker?.usable) {
      const made = new RoutineWorker(routine, codeVersion, code, this.options, (ended) => {
        this.live.delete(ended);
        if (this.workers.get(key) === ended) this.workers.delete(key);
      });
      this.workers.set(key, made);
      this.live.add(made);
      worker = made;
    }
    const answer = worker.run(request);
    // The deployment may have moved on while the request was read: a worker started for a version
    // nothing serves any more stops once it has answered.
    if (!this.options.isServed(routine, codeVersion)) {
      const started = worker;
      void answer.finally(() => {
        if (this.workers.get(key) === started && !this.options.isServed(routine, codeVersion)) {
          this.workers.delete(key);
          started.retire();
        }
      });
    }
    return answer;
  }

  /** Retires the worker of every version no environment serves any more. */
  retireUnserved(): void {
    for (const [key, worker] of this.workers) {
      if (!this.options.isServed(worker.routine, worker.codeVersion)) {
        this.workers.delete(key);
        worker.retire();
      }
    }
  }

  /** Stops every worker and refuses new requests. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.live];
    this.workers.clear();
    for (const worker of all) worker.stop('the emulator is closing');
    await Promise.all(all.map((w) => w.exited));
  }
}
