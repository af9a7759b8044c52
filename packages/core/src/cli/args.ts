import { parseArgs } from 'node:util';
import type { Logger } from '../log/logger.js';
import type { DeployApi, EnvName, Region } from '../options/types.js';
import type { RoutineOptions } from '../versions/connect.js';

/** A mistake on the command line: printed with the usage. */
export class UsageError extends Error {}

/** Parses every flag of every command (each command then refuses the ones it does not take). */
export function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        name: { type: 'string', short: 'n' },
        description: { type: 'string', short: 'd' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        profile: { type: 'string' },
        'sts-endpoint': { type: 'string' },
        deploy: { type: 'string' },
        percentage: { type: 'string' },
        env: { type: 'string' },
        version: { type: 'string' },
        keep: { type: 'string' },
        force: { type: 'boolean' },
        prune: { type: 'string' },
        'deploy-api': { type: 'string' },
        'dry-run': { type: 'boolean' },
        assets: { type: 'string' },
        'not-found-strategy': { type: 'string' },
        pipeline: { type: 'string' },
        manifest: { type: 'string' },
        verify: { type: 'string' },
        'verify-timeout': { type: 'string' },
        timeout: { type: 'string' },
        retries: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export type Flags = ReturnType<typeof parseCommandLine>['values'];

/** Refuses flags a command does not take. */
export function onlyFlags(values: Flags, command: string, allowed: readonly (keyof Flags)[]): void {
  const common: readonly (keyof Flags)[] = [
    'name',
    'endpoint',
    'region',
    'profile',
    'sts-endpoint',
    'timeout',
    'retries',
    'json',
    'quiet',
    'verbose',
  ];
  const extra = (Object.keys(values) as (keyof Flags)[]).filter(
    (k) => values[k] !== undefined && !common.includes(k) && !allowed.includes(k),
  );
  if (extra.length > 0) throw new UsageError(`${command} does not take --${extra.join(', --')}`);
}

/** A whole number flag within bounds. */
export function wholeNumber(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

export function envFlag(flag: string, text: string | undefined): EnvName | undefined {
  if (text === undefined) return undefined;
  if (text !== 'staging' && text !== 'production') {
    throw new UsageError(`--${flag} must be staging or production, got "${text}"`);
  }
  return text;
}

export function deployApiFlag(text: string | undefined): DeployApi | undefined {
  if (text === undefined) return undefined;
  if (text !== 'deployment' && text !== 'legacy') {
    throw new UsageError(`--deploy-api must be deployment or legacy, got "${text}"`);
  }
  return text;
}

/** The options every command shares. Flags not given stay unset, so env fallbacks apply. */
export function routineOptions(values: Flags, logger: Logger): RoutineOptions {
  const timeoutSeconds = wholeNumber('timeout', values.timeout, 1, 3600);
  const retries = wholeNumber('retries', values.retries, 0, 10);
  return {
    ...(values.name !== undefined && { name: values.name }),
    ...(timeoutSeconds !== undefined && { timeout: timeoutSeconds * 1000 }),
    ...(retries !== undefined && { retries }),
    logger,
    ...(values.endpoint !== undefined && { endpoint: values.endpoint }),
    ...(values.region !== undefined && { region: values.region as Region }),
    ...(values.profile !== undefined && { profile: values.profile }),
    ...(values['sts-endpoint'] !== undefined && { stsEndpoint: values['sts-endpoint'] }),
    ...(values.quiet && { logLevel: 'error' as const }),
    ...(values.verbose && { logLevel: 'debug' as const }),
  };
}
