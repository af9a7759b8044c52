import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { Env } from '../options/types.js';
import type { PublishResult } from '../publish.js';
import { errorSummary } from './error-summary.js';
import {
  formatGithubOutputs,
  githubOutputs,
  githubStepSummary,
  type PublishOutcome,
} from './github-actions.js';

/** Where the reports of a publish go. */
export interface ReportTargets {
  /** The `manifest` option as given (also when the options failed validation), relative to `cwd`. */
  readonly manifest: unknown;
  readonly cwd: string;
  readonly env: Env;
}

/** How a publish ended: its result, or what it threw. */
export type ReportedOutcome =
  | { readonly name: string; readonly result: PublishResult }
  | { readonly name: string; readonly error: unknown };

/**
 * Writes what CI reads back: the manifest (the whole result, or the error) and, under GitHub
 * Actions, the step outputs and a step summary. A report that cannot be written is an error line in
 * the log, never a change to the publish's outcome, which has happened either way.
 */
export async function writePublishReports(
  reported: ReportedOutcome,
  targets: ReportTargets,
  logger: Logger,
): Promise<void> {
  const outcome: PublishOutcome =
    'error' in reported ? { name: reported.name, error: errorSummary(reported.error) } : reported;
  const writes: [string, Promise<void>][] = [];
  if (typeof targets.manifest === 'string' && targets.manifest.trim() !== '') {
    const body =
      'error' in outcome
        ? { ok: false, name: outcome.name, error: outcome.error }
        : { ok: true, ...outcome.result };
    const file = resolve(targets.cwd, targets.manifest);
    writes.push([
      `the manifest ${file}`,
      mkdir(dirname(file), { recursive: true }).then(() =>
        writeFile(file, `${JSON.stringify(body, null, 2)}\n`),
      ),
    ]);
  }
  const { env } = targets;
  const dryRun = 'result' in outcome && outcome.result.dryRun;
  if (env.GITHUB_ACTIONS === 'true' && !dryRun) {
    if (env.GITHUB_OUTPUT) {
      const delimiter = `ESA_STAGE_${randomBytes(8).toString('hex')}`;
      writes.push([
        `GITHUB_OUTPUT (${env.GITHUB_OUTPUT})`,
        appendFile(env.GITHUB_OUTPUT, formatGithubOutputs(githubOutputs(outcome), delimiter)),
      ]);
    }
    if (env.GITHUB_STEP_SUMMARY) {
      writes.push([
        `GITHUB_STEP_SUMMARY (${env.GITHUB_STEP_SUMMARY})`,
        appendFile(env.GITHUB_STEP_SUMMARY, githubStepSummary(outcome)),
      ]);
    }
  }
  const settled = await Promise.allSettled(writes.map(([, write]) => write));
  settled.forEach((s, i) => {
    if (s.status === 'rejected') {
      logger.error(`could not write ${writes[i]?.[0]}: ${(s.reason as Error).message}`);
    }
  });
}
