import type { DescriptionOption } from '../options/types.js';
import type { GitInfo } from './git-info.js';

/** Longest description sent, in code points. ESA's own limit is not documented; this keeps it sane. */
export const MAX_DESCRIPTION_LENGTH = 256;

export const DEFAULT_DESCRIPTION_TEMPLATE = '{shortSha}{dirty} {subject}';

export interface FormattedDescription {
  readonly description: string;
  /** Set when the description fell back to `build <time>` or the option failed. */
  readonly warning: string | undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

const PLACEHOLDER = /\{(sha|shortSha|subject|branch|dirty)\}/g;

/** Fills `{sha}` `{shortSha}` `{subject}` `{branch}` `{dirty}` (`-dirty` or nothing) in a template. */
export function fillTemplate(template: string, info: GitInfo): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    if (key === 'dirty') return info.dirty ? '-dirty' : '';
    return info[key as 'sha' | 'shortSha' | 'subject' | 'branch'] ?? '';
  });
}

/** One line, trimmed, at most `max` code points (cut on a code-point boundary, ending in `…`). */
export function boundDescription(text: string, max = MAX_DESCRIPTION_LENGTH): string {
  // Control characters (newlines included) become spaces: the description is one line.
  // A lone surrogate (half of a character) cannot be encoded for the request: it becomes U+FFFD.
  const oneLine = text.toWellFormed().replace(CONTROL_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
  const points = Array.from(oneLine);
  return points.length <= max ? oneLine : `${points.slice(0, max - 1).join('')}…`;
}

/** Whether a description option needs git or CI to be filled in: a plain string does not. Pure. */
export function descriptionNeedsGit(option: DescriptionOption | undefined): boolean {
  return typeof option !== 'string' || option.includes('{');
}

/**
 * The code description: the option (template, plain string or function), else the default template
 * when git/CI knows the commit, else `build <ISO time>` with a warning. Pure, and never throws: a
 * function option that throws or returns a non-string falls back to the default, with a warning.
 */
export function formatDescription(
  option: DescriptionOption | undefined,
  info: GitInfo,
  now: Date,
): FormattedDescription {
  let warning: string | undefined;
  if (typeof option === 'function') {
    try {
      const value: unknown = option(info);
      if (typeof value === 'string' && value.trim() !== '') {
        return { description: boundDescription(value), warning: undefined };
      }
      warning = `the description function returned ${typeof value === 'string' ? 'an empty string' : typeof value}; using the default`;
    } catch (error) {
      warning = `the description function threw (${error instanceof Error ? error.message : String(error)}); using the default`;
    }
  } else if (option !== undefined) {
    const filled = boundDescription(fillTemplate(option, info));
    if (filled !== '') return { description: filled, warning: undefined };
    warning = `the description "${option}" came out empty; using the default`;
  }
  if (info.shortSha) {
    return { description: boundDescription(fillTemplate(DEFAULT_DESCRIPTION_TEMPLATE, info)), warning };
  }
  const fallback = `build ${now.toISOString()}`;
  const why = 'no git commit or CI variables found for the description';
  return {
    description: fallback,
    warning: warning ? `${warning}; ${why}, using "${fallback}"` : `${why}; using "${fallback}"`,
  };
}
