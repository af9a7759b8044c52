import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseConfigFile } from '../project/parse-config-file.js';
import { readConfigText } from '../project/read-config-text.js';
import type { ResolvedCredentials } from './resolve-credentials.js';

/** What esa-cli's global config gave: credentials, or a note on why not (for the not-found message). */
export type EsaCliLookup =
  | { readonly credentials: ResolvedCredentials }
  | { readonly credentials?: undefined; readonly note: string };

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * The `[auth]` credentials of esa-cli's global config (`esa login` writes it):
 * `~/.esa/config/default.jsonc` if it exists, else `~/.esa/config/default.toml`, as esa-cli reads it.
 */
export async function credentialsFromEsaCliConfig(homeDir: string): Promise<EsaCliLookup> {
  const dir = join(homeDir, '.esa', 'config');
  for (const name of ['default.jsonc', 'default.toml']) {
    const file = join(dir, name);
    const source = await readConfigText(file, {
      code: 'CredentialsInvalid',
      hint: `make ${file} a readable file (\`esa login\` writes it), or remove it`,
    });
    if (source === undefined) continue;
    let config: Record<string, unknown>;
    try {
      config = await parseConfigFile(file, source);
    } catch (error) {
      throw new ConfigError([{ option: file, message: `cannot be parsed (${(error as Error).message})` }], {
        code: 'CredentialsInvalid',
        hint: `fix ${file}, or log in again with \`esa login\``,
      });
    }
    const auth =
      typeof config.auth === 'object' && config.auth !== null ? (config.auth as Record<string, unknown>) : {};
    const accessKeyId = text(auth.accessKeyId);
    const accessKeySecret = text(auth.accessKeySecret);
    if (!accessKeyId && !accessKeySecret) return { note: `${file} (no [auth] credentials)` };
    if (!accessKeyId || !accessKeySecret) {
      const [set, unset] = accessKeyId
        ? ['accessKeyId', 'accessKeySecret']
        : ['accessKeySecret', 'accessKeyId'];
      throw new ConfigError(
        [{ option: `${file} auth.${unset}`, message: `is empty while auth.${set} is set` }],
        {
          code: 'CredentialsIncomplete',
          hint: `set both auth.accessKeyId and auth.accessKeySecret in ${file}, or log in again with \`esa login\``,
        },
      );
    }
    return {
      credentials: {
        accessKeyId,
        accessKeySecret,
        securityToken: text(auth.securityToken),
        source: `${file} [auth]`,
      },
    };
  }
  return { note: `${join(dir, 'default.jsonc')} / default.toml (not found)` };
}
