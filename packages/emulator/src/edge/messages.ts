// What crosses between the emulator and a routine's worker thread: plain structured-clone data.

/** One HTTP header, as a name and a value (a name may repeat, e.g. `set-cookie`). */
export type HeaderPair = readonly [name: string, value: string];

/** A request sent to a routine's worker. */
export interface WorkerRequest {
  readonly id: number;
  readonly method: string;
  /** The absolute URL the routine sees as `request.url`: `https://<Host header><path>`. */
  readonly url: string;
  readonly headers: readonly HeaderPair[];
  /** The body's bytes; undefined for `GET` and `HEAD`. */
  readonly body: Uint8Array | undefined;
}

/** The routine's `Response`, read whole. */
export interface RoutineResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly statusText: string;
  readonly headers: readonly HeaderPair[];
  readonly body: Uint8Array;
}

/** A worker's answer to a {@link WorkerRequest}: the routine's `Response`, or why there is none. */
export type WorkerReply =
  | (RoutineResponse & { readonly id: number })
  | {
      readonly id: number;
      readonly kind: 'error';
      /** Says what went wrong (the routine threw, answered no `Response`, failed to load...). */
      readonly message: string;
    };

/** `workerData` of a routine's worker. */
export interface RoutineWorkerData {
  /** The code version's routine module (`export default { fetch }`), its exact bytes. */
  readonly code: Uint8Array;
}
