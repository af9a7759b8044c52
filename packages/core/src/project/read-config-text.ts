import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';

/**
 * The text of an optional config file: undefined when it does not exist, a {@link ConfigError}
 * with `code` and `hint` when it exists but cannot be read (a directory, no permission).
 */
export async function readConfigText(
  file: string,
  failure: { readonly code: string; readonly hint: string },
): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new ConfigError(
        [{ option: file, message: `cannot be read (${code ?? (error as Error).message})` }],
        {
          code: failure.code,
          hint: failure.hint,
        },
      );
    }
    return undefined;
  }
}
