import type { JsonObject } from '../esa/big-json.js';
import type { EnvName } from '../options/types.js';
import type { VersionShare } from './record.js';

/** What `GetRoutine` says about a routine: its host, and what each environment serves. */
export interface RoutineState {
  /** The routine's default domain (`DefaultRelatedRecord`), used to reach staging. */
  readonly host: string | undefined;
  readonly envs: Readonly<Partial<Record<EnvName, readonly VersionShare[]>>>;
  /** Descriptions of the versions deployed, by version. */
  readonly descriptions: ReadonlyMap<string, string>;
}

const record = (value: unknown): JsonObject | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** Reads a `GetRoutine` answer (`Envs[].CodeDeploy.CodeVersions[]`). Pure; unknown shapes read as empty. */
export function readRoutineState(body: JsonObject): RoutineState {
  const envs: Partial<Record<EnvName, VersionShare[]>> = {};
  const descriptions = new Map<string, string>();
  for (const item of Array.isArray(body.Envs) ? body.Envs : []) {
    const env = record(item);
    const name = env?.Env;
    if (name !== 'staging' && name !== 'production') continue;
    const versions = record(env?.CodeDeploy)?.CodeVersions;
    const shares: VersionShare[] = [];
    for (const entry of Array.isArray(versions) ? versions : []) {
      const version = record(entry);
      const codeVersion = text(version?.CodeVersion);
      if (!codeVersion) continue;
      const percentage = typeof version?.Percentage === 'number' ? version.Percentage : 100;
      shares.push({ codeVersion, percentage });
      if (typeof version?.Description === 'string') descriptions.set(codeVersion, version.Description);
    }
    if (shares.length > 0) envs[name] = shares;
  }
  return { host: text(body.DefaultRelatedRecord), envs, descriptions };
}

/** The versions any environment serves. */
export function servedVersions(state: RoutineState): Set<string> {
  return new Set(Object.values(state.envs).flatMap((shares) => (shares ?? []).map((s) => s.codeVersion)));
}

/** The version an environment serves most, other than `except` (the way back from it). Pure. */
export function mostServed(shares: readonly VersionShare[] | undefined, except: string): string | undefined {
  const others = (shares ?? []).filter((v) => v.codeVersion !== except);
  return others.sort((a, b) => b.percentage - a.percentage)[0]?.codeVersion;
}
