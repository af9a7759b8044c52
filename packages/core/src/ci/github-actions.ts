import { formatBytes } from '../format.js';
import type { PublishResult } from '../publish.js';
import type { ErrorSummary } from './error-summary.js';

/** How a publish ended, for the reports CI reads. */
export type PublishOutcome =
  | { readonly name: string; readonly result: PublishResult }
  | { readonly name: string; readonly error: ErrorSummary };

/**
 * The step outputs: `routine`, `status` (`published`, `unchanged`, `failed`), `code_version`,
 * `sha256`, `verify_status` (staging's answer to `verify`: a status, `none`, or empty when not
 * asked), and `error_code` on failure.
 */
export function githubOutputs(outcome: PublishOutcome): Record<string, string> {
  if ('error' in outcome) {
    return {
      routine: outcome.name,
      status: 'failed',
      code_version: '',
      sha256: '',
      verify_status: outcome.error.verifyStatus ?? '',
      error_code: outcome.error.code,
    };
  }
  const { result } = outcome;
  return {
    routine: result.name,
    status: result.dryRun ? 'dry-run' : result.status,
    code_version: result.dryRun ? '' : result.codeVersion,
    sha256: result.sha256,
    verify_status: !result.dryRun && result.verify ? String(result.verify.status) : '',
  };
}

/**
 * `$GITHUB_OUTPUT` lines. Every value uses the multi-line form with a delimiter that does not occur
 * in it, so no value can end its entry early or add another output.
 */
export function formatGithubOutputs(outputs: Record<string, string>, delimiter: string): string {
  return Object.entries(outputs)
    .map(([key, value]) => {
      let end = delimiter;
      while (value.includes(end)) end += '_';
      return `${key}<<${end}\n${value}\n${end}\n`;
    })
    .join('');
}

/** A table cell: one line, pipes escaped, markdown's active characters neutralised. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\\|`*_[\]<>]/g, (c) => `\\${c}`);
}

/** A short markdown table for `$GITHUB_STEP_SUMMARY`. */
export function githubStepSummary(outcome: PublishOutcome): string {
  const rows: [string, string][] = [];
  let title: string;
  if ('error' in outcome) {
    const { error } = outcome;
    title = `esa-stage: ${cell(outcome.name)} failed`;
    rows.push(['Error', `\`${error.code}\``], ['Message', cell(error.message)]);
    if (error.hint) rows.push(['What to do', cell(error.hint)]);
    if (error.requestId) rows.push(['Request id', `\`${error.requestId}\``]);
    if (error.versionsCreated.length > 0)
      rows.push(['Versions it created', error.versionsCreated.join(', ')]);
  } else {
    const { result } = outcome;
    title = `esa-stage: ${cell(result.name)} ${result.dryRun ? 'dry run' : result.status}`;
    if (!result.dryRun) {
      rows.push(['Code version', `\`${result.codeVersion}\``]);
      rows.push(['Served by', result.deployedTo.join(', ') || 'no environment (not deployed)']);
      if (result.verify) {
        rows.push([
          'Staging answered',
          cell(`${result.verify.status} in ${result.verify.ms} ms: ${result.verify.body}`),
        ]);
      }
    }
    rows.push(
      ['File', `${cell(result.fileName)} (${formatBytes(result.size)})`],
      ['sha256', `\`${result.sha256}\``],
    );
    if (!result.dryRun && result.assets) {
      rows.push(['Assets', `${result.assets.files} files, ${formatBytes(result.assets.zipSize)} zipped`]);
    }
    rows.push(['Description', cell(result.description)]);
  }
  return `### ${title}\n\n| | |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n\n`;
}
