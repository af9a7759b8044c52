import type { Expectation, HostileCase } from '../harness.js';

// The fault matrix: each step of a publish x each way it can fail x once (transient: the publish
// must recover and succeed) or always (persistent: it must fail with the right code, say what is
// known, and change nothing it does not own up to).

type Step =
  | 'GetRoutine'
  | 'GetRoutineStagingCodeUploadInfo'
  | 'CommitRoutineStagingCode'
  | 'GetRoutineCodeVersion'
  | 'CreateRoutineCodeDeployment'
  | 'oss';

type Fault =
  | 'InternalError 500'
  | 'ServiceUnavailable 503'
  | 'Throttling 400'
  | 'dropped'
  | 'answer lost after processing'
  | 'no answer';

const STEPS: readonly Step[] = [
  'GetRoutine',
  'GetRoutineStagingCodeUploadInfo',
  'CommitRoutineStagingCode',
  'GetRoutineCodeVersion',
  'CreateRoutineCodeDeployment',
  'oss',
];

const FAULTS: readonly Fault[] = [
  'InternalError 500',
  'ServiceUnavailable 503',
  'Throttling 400',
  'dropped',
  'answer lost after processing',
  'no answer',
];

/** What a persistent fault must end in. */
function persistentExpectation(step: Step, fault: Fault): Expectation {
  const deploy = step === 'CreateRoutineCodeDeployment';
  switch (fault) {
    case 'InternalError 500':
      return { code: 'InternalError' };
    case 'ServiceUnavailable 503':
      return { code: 'ServiceUnavailable' };
    case 'Throttling 400':
      return { code: step === 'oss' ? 'Throttling' : 'Throttling.User' };
    case 'dropped':
      return { code: 'NetworkError' };
    case 'answer lost after processing':
      // A lost commit answer is recovered: the version it made is found and used.
      if (step === 'CommitRoutineStagingCode') return { ok: true };
      return deploy
        ? {
            code: 'NetworkError',
            mayChange: true,
            message: /uncertain: the request for staging serving \d{19} at 100%/,
          }
        : { code: 'NetworkError' };
    case 'no answer':
      return { code: 'RequestTimeout' };
  }
}

function inject(ctx: Parameters<HostileCase['run']>[0], step: Step, fault: Fault, once: boolean): void {
  const target = step === 'oss' ? { oss: true as const } : { action: step };
  const times = once ? { times: 1 } : {};
  switch (fault) {
    case 'InternalError 500':
      ctx.emulator.faults.inject({ ...target, status: 500, code: 'InternalError', ...times });
      return;
    case 'ServiceUnavailable 503':
      ctx.emulator.faults.inject({ ...target, status: 503, code: 'ServiceUnavailable', ...times });
      return;
    case 'Throttling 400':
      ctx.emulator.faults.inject({
        ...target,
        status: step === 'oss' ? 503 : 400,
        code: step === 'oss' ? 'Throttling' : 'Throttling.User',
        ...times,
      });
      return;
    case 'dropped':
      ctx.emulator.faults.inject({ ...target, drop: true, ...times });
      return;
    case 'answer lost after processing':
      if (step === 'oss') ctx.emulator.faults.inject({ oss: true, delayMs: 5000, ...times });
      else ctx.proxy.on(step, { kind: 'dropAfter' }, once ? 1 : Number.POSITIVE_INFINITY);
      return;
    case 'no answer':
      if (step === 'oss') ctx.emulator.faults.inject({ oss: true, delayMs: 5000, ...times });
      else ctx.proxy.on(step, { kind: 'stall' }, once ? 1 : Number.POSITIVE_INFINITY);
  }
}

export const faultCases: HostileCase[] = STEPS.flatMap((step) =>
  FAULTS.flatMap((fault) =>
    (['once', 'always'] as const).map((when) => {
      // OSS gives no answer after storing; a stalled OSS upload reads as a timeout either way.
      const expectation: Expectation =
        when === 'once'
          ? { ok: true }
          : step === 'oss' && fault === 'answer lost after processing'
            ? { code: 'RequestTimeout' }
            : persistentExpectation(step, fault);
      return {
        name: `${step}: ${fault}, ${when}`,
        expect: expectation,
        limitMs: 15_000,
        run: (ctx) => {
          inject(ctx, step, fault, when === 'once');
          return ctx.publish({ timeout: 700, retries: 2 });
        },
      } satisfies HostileCase;
    }),
  ),
);
