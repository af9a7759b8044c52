import type { DeploymentCodeVersion } from '../../state.js';
import { badRequest, type EsaApiError } from '../errors.js';

/** Most versions one deployment may split traffic between (a canary). */
export const MAX_DEPLOYMENT_VERSIONS = 2;

/**
 * A JSON string, then, when it is a member name, a bare number as its value. Strings are matched
 * whole so that nothing inside one is ever taken for a member.
 */
const STRING_THEN_NUMBER = /("(?:[^"\\]|\\.)*")(?:(\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))?/g;

/**
 * Quotes every bare number given as a `CodeVersion` member, so that `JSON.parse` keeps its exact
 * digits: a 19-digit version is above 2^53 and would lose its last digits as a JS number.
 */
export function quoteNumericCodeVersions(json: string): string {
  return json.replace(
    STRING_THEN_NUMBER,
    (match, name: string, colon: string | undefined, number: string | undefined) =>
      name === '"CodeVersion"' && number !== undefined ? `${name}${colon ?? ':'}"${number}"` : match,
  );
}

function invalid(message: string): EsaApiError {
  return badRequest('InvalidParameter', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One `{CodeVersion, Percentage}` entry, checked on its own. */
function parseEntry(entry: unknown, index: number): DeploymentCodeVersion {
  const where = `CodeVersions[${index}]`;
  if (!isObject(entry)) throw invalid(`${where} must be an object {CodeVersion, Percentage}.`);
  const { CodeVersion: codeVersion, Percentage: percentage } = entry;
  if (typeof codeVersion !== 'string' || codeVersion === '') {
    throw invalid(`${where}.CodeVersion must be a code version (a string or a number).`);
  }
  if (typeof percentage !== 'number' || !Number.isInteger(percentage) || percentage < 1 || percentage > 100) {
    throw invalid(`${where}.Percentage must be an integer from 1 to 100, got ${JSON.stringify(percentage)}.`);
  }
  return { codeVersion, percentage };
}

/**
 * Parses `CreateRoutineCodeDeployment`'s `CodeVersions`: a JSON array of 1 or 2
 * `{CodeVersion, Percentage}`, each Percentage an integer from 1 to 100, summing to exactly 100,
 * versions distinct. `CodeVersion` may be a JSON string or number; its digits are kept exactly.
 * Whether the versions exist is the caller's check. Throws `InvalidParameter` naming the rule.
 */
export function parseDeploymentCodeVersions(text: string): DeploymentCodeVersion[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteNumericCodeVersions(text));
  } catch {
    throw invalid(
      `CodeVersions must be a JSON array of {CodeVersion, Percentage}, got "${text.slice(0, 200)}".`,
    );
  }
  if (!Array.isArray(parsed)) {
    throw invalid('CodeVersions must be a JSON array of {CodeVersion, Percentage}.');
  }
  if (parsed.length < 1 || parsed.length > MAX_DEPLOYMENT_VERSIONS) {
    throw invalid(`CodeVersions must list 1 or ${MAX_DEPLOYMENT_VERSIONS} versions, got ${parsed.length}.`);
  }
  const entries = parsed.map(parseEntry);
  const seen = new Set<string>();
  for (const { codeVersion } of entries) {
    if (seen.has(codeVersion)) {
      throw invalid(`CodeVersions lists code version ${codeVersion} more than once; list distinct versions.`);
    }
    seen.add(codeVersion);
  }
  const sum = entries.reduce((total, e) => total + e.percentage, 0);
  if (sum !== 100) {
    throw invalid(`The Percentage values of CodeVersions must sum to 100, got ${sum}.`);
  }
  return entries;
}
