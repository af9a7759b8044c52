import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { AssetsOption, PublishOptions } from '../options/types.js';

/** What an esa-cli project file (`esa.jsonc` / `esa.toml`) says that esa-stage uses. */
export interface ProjectConfig {
  /** The file it came from. */
  readonly file: string;
  readonly name?: string;
  readonly description?: string;
  /** The routine's source entry (esa-cli bundles it; the CLI publishes it as given when it is .js). */
  readonly entry?: string;
  readonly assets?: AssetsOption;
}

/** The project files esa-cli reads, in its order. */
const FILES = ['esa.jsonc', 'esa.toml'] as const;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

async function parse(file: string, source: string): Promise<Record<string, unknown>> {
  try {
    if (file.endsWith('.toml')) {
      const { parse: parseToml } = await import('smol-toml');
      return parseToml(source) as Record<string, unknown>;
    }
    const { parse: parseJsonc, printParseErrorCode } = await import('jsonc-parser');
    const errors: import('jsonc-parser').ParseError[] = [];
    const value: unknown = parseJsonc(source, errors, { allowTrailingComma: true });
    const [first] = errors;
    if (first) throw new Error(`${printParseErrorCode(first.error)} at offset ${first.offset}`);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
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
 * the file's folder). Its `endpoint` is not used: `ESA_ENDPOINT` and the option say where to go.
 * Parsers load only when a file exists.
 */
export async function readProjectConfig(cwd: string): Promise<ProjectConfig | undefined> {
  for (const name of FILES) {
    const file = join(cwd, name);
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch {
      continue;
    }
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
    return {
      file,
      ...(projectName !== undefined && { name: projectName }),
      ...(description !== undefined && { description }),
      ...(entry !== undefined && { entry: resolve(dirname(file), entry) }),
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

/** The options with the project file's values under them: an option given wins. Pure. */
export function withProjectDefaults(
  options: PublishOptions,
  project: ProjectConfig | undefined,
): PublishOptions {
  if (!project) return options;
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return {
    ...(project.name !== undefined && { name: project.name }),
    ...(project.description !== undefined && { description: project.description }),
    ...(project.assets !== undefined && { assets: project.assets }),
    ...defined,
  } as PublishOptions;
}

/** The options over the project file in `cwd` (`options.cwd` first), if there is one. */
export async function withProjectConfig<T extends PublishOptions>(options: T, cwd: string): Promise<T> {
  const project = await readProjectConfig(options.cwd ?? cwd);
  return withProjectDefaults(options, project) as T;
}
