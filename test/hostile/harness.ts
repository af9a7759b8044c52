import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import {
  type Env,
  EsaStageError,
  type OutputChunk,
  type PublishedResult,
  type PublishOptions,
  type PublishResult,
  publishRoutine,
} from '@esa-stage/core';
import { type Emulator, startEmulator } from '@esa-stage/emulator';
import { captureLogger } from '../helpers/capture-logger.js';
import { HostileProxy } from './proxy.js';

/** What a case did: a publish result, an error, or a command line's exit and output. */
export type Outcome =
  | { readonly kind: 'result'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'cli'; readonly exit: number; readonly stdout: string; readonly stderr: string };

export type Expectation =
  /** Succeeds; a publish result is checked against the emulator's state. */
  | { readonly ok: true }
  /**
   * Fails with this code and a hint, no stack trace, no secret anywhere, and, unless `mayChange`
   * (then the message must say what is uncertain), no environment changed; every version the
   * failed publish left must be named in the error.
   */
  | { readonly code: string | RegExp; readonly message?: RegExp; readonly mayChange?: boolean };

export interface CaseContext {
  readonly emulator: Emulator;
  readonly proxy: HostileProxy;
  /** The routine every case may publish to (fresh per case). */
  readonly routine: string;
  /** Every line logged, printed or thrown during the case, scanned for secrets. */
  readonly output: string[];
  /** Options for the routine through the proxy, with the emulator's AccessKey. */
  options(extra?: Partial<PublishOptions>): PublishOptions;
  /** Env holding the emulator's AccessKey (what CI would export). */
  env(extra?: Env): Env;
  /** `publishRoutine` of `code` (a good routine by default), as an outcome. */
  publish(
    extra?: { readonly [K in keyof PublishOptions]?: PublishOptions[K] | undefined },
    outputs?: OutputChunk | OutputChunk[],
    env?: Env,
  ): Promise<Outcome>;
}

export interface HostileCase {
  readonly name: string;
  /** Brings the emulator to the state the case starts from (not part of what is checked). */
  readonly setup?: (ctx: CaseContext) => Promise<void>;
  readonly run: (ctx: CaseContext) => Promise<Outcome>;
  readonly expect: Expectation;
  /** A hang is a failure: the case must settle within this. @default 12_000 */
  readonly limitMs?: number;
}

export const ROUTINE_CODE = 'export default { async fetch() { return new Response("hostile"); } };\n';

export const routineChunk = (code = ROUTINE_CODE, fileName = 'index.js'): OutputChunk => ({
  fileName,
  isEntry: true,
  source: { bytes: new TextEncoder().encode(code) },
});

/** Runs `work` as an outcome. */
export async function outcomeOf(work: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { kind: 'result', value: await work() };
  } catch (error) {
    return { kind: 'error', error };
  }
}

interface Snapshot {
  readonly versions: Set<string>;
  readonly envs: string;
}

function snapshot(emulator: Emulator): Snapshot {
  const versions = new Set<string>();
  const envs: Record<string, unknown> = {};
  for (const [name, routine] of emulator.state.routines) {
    for (const v of routine.versions.keys()) versions.add(`${name}/${v}`);
    envs[name] = Object.fromEntries([...routine.envs].map(([env, d]) => [env, d.codeVersions]));
  }
  return { versions, envs: JSON.stringify(envs) };
}

/** Every secret the case could leak: the emulator's keys and every OSS signature and policy issued. */
function secretsOf(emulator: Emulator): string[] {
  const values: string[] = [
    emulator.credentials.accessKeySecret,
    emulator.credentials.sts.accessKeySecret,
    emulator.credentials.sts.securityToken ?? '',
  ];
  for (const ticket of emulator.state.tickets.values()) {
    for (const [field, value] of Object.entries(ticket.postConfig)) {
      if (/^(Signature|policy|callback|XOssSecurityToken)$/i.test(field)) values.push(value);
    }
  }
  return values.filter((v) => v.length >= 8);
}

export class CaseFailure extends Error {}

function fail(message: string): never {
  throw new CaseFailure(message);
}

/** The text a failure shows anywhere: its line, message, hint, inspection and JSON. */
function errorTexts(error: unknown): string[] {
  if (!(error instanceof Error)) return [String(error)];
  const texts = [error.message, inspect(error, { depth: 5 }), JSON.stringify(error)];
  if (error instanceof EsaStageError) texts.push(error.toLine(), error.hint ?? '');
  return texts;
}

function checkSuccess(outcome: Outcome, emulator: Emulator, before: Snapshot): void {
  if (outcome.kind === 'error') {
    fail(`expected success, got ${errorTexts(outcome.error)[0]}`);
  }
  if (outcome.kind === 'cli' && outcome.exit !== 0)
    fail(`expected exit 0, got ${outcome.exit}: ${outcome.stderr}`);
  const value = outcome.kind === 'result' ? (outcome.value as PublishResult | undefined) : undefined;
  if (!value || typeof value !== 'object' || !('dryRun' in value) || value.dryRun) return;
  const result = value as PublishedResult;
  const after = snapshot(emulator);
  const made = [...after.versions].filter((v) => !before.versions.has(v)).map((v) => v.split('/')[1]);
  const deleted = [...before.versions].filter((v) => !after.versions.has(v)).map((v) => v.split('/')[1]);
  const kept = result.versionsCreated.filter((v) => !result.versionsDeleted.includes(v));
  if (made.sort().join() !== [...kept].sort().join()) {
    fail(`versions made ${made.join(',') || 'none'}, but the result reports ${kept.join(',') || 'none'}`);
  }
  if (
    deleted.sort().join() !==
    result.versionsDeleted
      .filter((v) => !result.versionsCreated.includes(v))
      .sort()
      .join()
  ) {
    fail(
      `versions deleted ${deleted.join(',') || 'none'}, the result reports ${result.versionsDeleted.join(',') || 'none'}`,
    );
  }
  const routine = emulator.state.routines.get(result.name);
  const stored = routine?.versions.get(result.codeVersion);
  if (!stored) fail(`the reported version ${result.codeVersion} does not exist`);
  if (stored.sha256 !== result.sha256) fail(`version ${result.codeVersion} holds other bytes than reported`);
  for (const env of result.deployedTo) {
    if (!routine?.envs.get(env)?.codeVersions.some((v) => v.codeVersion === result.codeVersion)) {
      fail(`${env} does not serve ${result.codeVersion}, as reported`);
    }
  }
}

function checkFailure(
  outcome: Outcome,
  expectation: Exclude<Expectation, { ok: true }>,
  emulator: Emulator,
  before: Snapshot,
): void {
  let code: string;
  let texts: string[];
  let hint: string;
  let named: string;
  if (outcome.kind === 'result') fail(`expected ${String(expectation.code)}, but it succeeded`);
  if (outcome.kind === 'cli') {
    if (outcome.exit !== 1) fail(`expected exit 1, got ${outcome.exit}`);
    const line = outcome.stderr.split('\n').find((l) => l.startsWith('esa-stage: error ')) ?? '';
    code = /^esa-stage: error ([\w.*<>-]+):/.exec(line)?.[1] ?? fail(`no error line on stderr: ${line}`);
    hint = /Hint: \S/.test(line) || code === 'UsageError' ? 'yes' : '';
    texts = [outcome.stderr, outcome.stdout];
    named = outcome.stderr + outcome.stdout;
  } else {
    const error = outcome.error;
    if (!(error instanceof EsaStageError)) {
      fail(`expected an EsaStageError, got ${inspect(error, { depth: 1 }).split('\n')[0]}`);
    }
    code = error.code;
    hint = error.hint ?? '';
    texts = errorTexts(error).filter((_, i) => i !== 1); // the inspection shows the stack by design
    named = `${error.message} ${error.versionsCreated.join(' ')}`;
  }
  const wanted = expectation.code;
  if (typeof wanted === 'string' ? code !== wanted : !wanted.test(code)) {
    fail(`expected code ${String(wanted)}, got ${code}: ${texts[0]?.split('\n')[0]}`);
  }
  if (!hint) fail(`${code} has no hint`);
  if (expectation.message && !expectation.message.test(texts[0] ?? '')) {
    fail(`message ${JSON.stringify(texts[0]?.split('\n')[0])} does not match ${expectation.message}`);
  }
  for (const text of texts)
    if (/\n\s+at .+:\d+:\d+/.test(text)) fail(`a stack trace is shown: ${text.slice(0, 200)}`);
  const after = snapshot(emulator);
  if (after.envs !== before.envs) {
    if (!expectation.mayChange) fail(`an environment changed though the publish failed: ${after.envs}`);
    if (!/uncertain|so far|was published/.test(named))
      fail('an environment may have changed, and the error does not say so');
  }
  for (const version of after.versions) {
    if (before.versions.has(version)) continue;
    const id = version.split('/')[1] ?? '';
    if (!named.includes(id))
      fail(`version ${id} was created and the error does not name it: ${named.slice(0, 300)}`);
  }
}

/**
 * Runs one case on its own emulator and proxy, within its time limit, and checks it: the outcome,
 * the emulator's state, and that no secret shows in anything it printed or threw.
 */
export async function runCase(test: HostileCase): Promise<void> {
  const emulator = await startEmulator({ routines: ['hostile'], versionQuota: 50 });
  const proxy = await HostileProxy.start(emulator.endpoint);
  const output: string[] = [];
  const ctx: CaseContext = {
    emulator,
    proxy,
    routine: 'hostile',
    output,
    options: (extra = {}) => ({
      name: 'hostile',
      endpoint: proxy.endpoint,
      credentials: {
        accessKeyId: emulator.credentials.accessKeyId,
        accessKeySecret: emulator.credentials.accessKeySecret,
      },
      timeout: 1500,
      retries: 2,
      description: 'hostile case',
      logLevel: 'debug',
      ...extra,
    }),
    env: (extra = {}) => ({
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
      ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
      ...extra,
    }),
    publish: async (extra = {}, outputs = routineChunk(), env = {}) => {
      const logger = captureLogger();
      const outcome = await outcomeOf(() =>
        publishRoutine({ ...ctx.options(), logger, ...extra } as PublishOptions, outputs, {
          env: { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true', ...env },
          homeDir: '/nonexistent',
        }),
      );
      output.push(logger.text());
      return outcome;
    },
  };
  await test.setup?.(ctx);
  const before = snapshot(emulator);
  const limit = test.limitMs ?? 12_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      test.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CaseFailure(`hung: no outcome within ${limit} ms`)), limit);
      }),
    ]);
    if ('ok' in test.expect) checkSuccess(outcome, emulator, before);
    else checkFailure(outcome, test.expect, emulator, before);
    const shown = [
      ...output,
      ...(outcome.kind === 'error' ? errorTexts(outcome.error) : []),
      ...(outcome.kind === 'cli' ? [outcome.stdout, outcome.stderr] : []),
      ...(outcome.kind === 'result' ? [JSON.stringify(outcome.value)] : []),
    ].join('\n');
    for (const secret of secretsOf(emulator)) {
      if (shown.includes(secret)) fail(`a secret (${secret.slice(0, 3)}…) appears in the output`);
    }
  } finally {
    clearTimeout(timer);
    await proxy.close();
    await emulator.close();
  }
}

/** Hex sha256 of a string. */
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
