import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { AssetsOption, Env, PublishOptions } from '../options/types.js';
import { endpointProblem } from '../options/validate.js';
import { parseConfigFile } from './parse-config-file.js';
import { readConfigText } from './read-config-text.js';

/** What an esa-cli project file (`esa.jsonc` / `esa.toml`) says that esa-stage uses. */
export interface ProjectConfig {
  /** The file it came from. */
  readonly file: string;
  readonly name?: string;
  readonly description?: string;
  /** The routine's source entry (esa-cli bundles it; the CLI publishes it as given when it is .js). */
  readonly entry?: string;
  readonly assets?: AssetsOption;
  /** The ESA OpenAPI endpoint as a URL (esa-cli writes a bare host, which means https). */
  readonly endpoint?: string;
}

/** The project files esa-cli reads, in its order. */
const FILES = ['esa.jsonc', 'esa.toml'] as const;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

async function parse(file: string, source: string): Promise<Record<string, unknown>> {
  try {
    return await parseConfigFile(file, source);
  } catch (error) {
    throw new ConfigError([{ option: file, message: `cannot be parsed (${(error as Error).message})` }], {
      code: 'ProjectConfigInvalid',
      hint: 'fix the esa-cli project file, or remove it and pass the options instead',
      cause: error,
    });
  }
}

/**
 * Reads the esa-cli project file in `cwd` (`esa.jsonc`, else `esa.toml`), if there is one:
 * `name`, `description`, `entry` and `assets.{directory,notFoundStrategy}` (paths resolved against
 * the file's folder), and `endpoint` (a host such as `esa.ap-southeast-1.aliyuncs.com`, or a URL).
 * Parsers load only when a file exists.
 */
export async function readProjectConfig(cwd: string): Promise<ProjectConfig | undefined> {
  for (const name of FILES) {
    const file = join(cwd, name);
    const source = await readConfigText(file, {
      code: 'ProjectConfigInvalid',
      hint: `make ${file} a readable file, or remove it and pass the options instead`,
    });
    if (source === undefined) continue;
    const raw = await parse(file, source);
    const assets =
      typeof raw.assets === 'object' && raw.assets !== null
        ? (raw.assets as Record<string, unknown>)
        : undefined;
    const directory = text(assets?.directory);
    const notFoundStrategy = text(assets?.notFoundStrategy);
    const projectName = text(raw.name);
    const description = text(raw.description);
    const entry = text(raw.entry);
    const endpoint = projectEndpoint(file, text(raw.endpoint));
    return {
      file,
      ...(projectName !== undefined && { name: projectName }),
      ...(description !== undefined && { description }),
      ...(entry !== undefined && { entry: resolve(dirname(file), entry) }),
      ...(endpoint !== undefined && { endpoint }),
      ...(directory && {
        assets: {
          directory: resolve(dirname(file), directory),
          ...(notFoundStrategy && { notFoundStrategy: notFoundStrategy as AssetsOption['notFoundStrategy'] }),
        },
      }),
    };
  }
  return undefined;
}

/** The project file's endpoint as a URL (a bare host means https), refused when it is not one. */
function projectEndpoint(file: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value)
    ? value.replace(/\/+$/, '')
    : `https://${value.replace(/\/+$/, '')}`;
  const problem = endpointProblem(url);
  if (problem) {
    throw new ConfigError([{ option: `${file} endpoint`, message: problem }], {
      code: 'ProjectConfigInvalid',
      hint: 'set endpoint to an ESA host such as esa.cn-hangzhou.aliyuncs.com, or remove it',
    });
  }
  return url;
}

/**
 * The options with the project file's values under them: an option given wins. The file's
 * `endpoint` comes after `ESA_ENDPOINT` too, so tests and CI can always say where requests go. Pure.
 */
export function withProjectDefaults(
  options: PublishOptions,
  project: ProjectConfig | undefined,
  env: Env = {},
): PublishOptions {
  if (!project) return options;
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const envEndpoint = env.ESA_ENDPOINT !== undefined && env.ESA_ENDPOINT.trim() !== '';
  return {
    ...(project.endpoint !== undefined && !envEndpoint && { endpoint: project.endpoint }),
    ...(project.name !== undefined && { name: project.name }),
    ...(project.description !== undefined && { description: project.description }),
    ...(project.assets !== undefined && { assets: project.assets }),
    ...defined,
  } as PublishOptions;
}

/** The options over the project file in `cwd` (`options.cwd` first), if there is one. */
export async function withProjectConfig<T extends PublishOptions>(
  options: T,
  cwd: string,
  env: Env,
): Promise<T> {
  const project = await readProjectConfig(options.cwd ?? cwd);
  return withProjectDefaults(options, project, env) as T;
}
