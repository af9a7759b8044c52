import { performance } from 'node:perf_hooks';
import type { EnvName } from '../options/types.js';

/** One version's share of an environment's traffic. */
export interface VersionShare {
  readonly codeVersion: string;
  readonly percentage: number;
}

/** A deployment this publish made: the environment and what it now serves. */
export interface EnvChange {
  readonly env: EnvName;
  readonly codeVersions: readonly VersionShare[];
}

/**
 * What a publish did, kept as it happens: each step's time and request id, the versions it created
 * or deleted, the environments it changed. The result, the log lines and every error's account of
 * what is known all read it, so they cannot disagree.
 */
export class PublishRecord {
  readonly started = performance.now();
  readonly timings: Record<string, number> = {};
  readonly requestIds: Record<string, string> = {};
  readonly versionsCreated: string[] = [];
  readonly versionsDeleted: string[] = [];
  readonly envsChanged: EnvChange[] = [];
  /**
   * What the request in flight would change on ESA (`a new version`, `staging serving 1234 at
   * 100%`), while it is in flight: when it fails without a clear answer, this may have happened.
   */
  pending: string | undefined;

  /** Runs one step, adding its time (steps of one name add up) and the request id it returns. */
  async step<T>(
    name: string,
    run: () => Promise<T>,
    requestIdOf?: (value: T) => string | undefined,
  ): Promise<T> {
    const t0 = performance.now();
    try {
      const value = await run();
      const id = requestIdOf?.(value);
      if (id) this.requestIds[name] = id;
      return value;
    } finally {
      this.timings[name] = Math.round((this.timings[name] ?? 0) + performance.now() - t0);
    }
  }

  elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  /** Runs a request that changes ESA, remembering what it would change until it answers. */
  async changing<T>(what: string, run: () => Promise<T>): Promise<T> {
    this.pending = what;
    const value = await run();
    this.pending = undefined;
    return value;
  }

  /** What is true on ESA after a failure, in words, or '' when the publish changed nothing. */
  known(): string {
    const parts: string[] = [];
    if (this.versionsCreated.length > 0) {
      parts.push(`this publish created version ${this.versionsCreated.join(', ')}`);
    }
    for (const change of this.envsChanged) {
      parts.push(
        `${change.env} now serves ${change.codeVersions.map((v) => `${v.codeVersion} at ${v.percentage}%`).join(' and ')}`,
      );
    }
    if (this.versionsDeleted.length > 0) parts.push(`it deleted version ${this.versionsDeleted.join(', ')}`);
    return parts.join('; ');
  }
}
