import { ConfigError } from '../errors.js';
import type { Credentials } from '../options/types.js';

/** What a character is, in words, without showing the value it sits in. */
function describeCharacter(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0x0a) return `a line feed (${hex})`;
  if (code === 0x0d) return `a carriage return (${hex})`;
  if (code === 0x09) return `a tab (${hex})`;
  if (code === 0x20) return `a space (${hex})`;
  if (code === 0x200b || code === 0xfeff || code === 0x200c || code === 0x200d) {
    return `an invisible zero-width character (${hex})`;
  }
  if (code < 0x20 || code === 0x7f) return `a control character (${hex})`;
  return `the non-ASCII character ${hex}`;
}

/**
 * The first character of `value` that cannot be in an AccessKey, a secret or a token (anything but
 * printable ASCII), as `{ position, what }` with a 1-based position; undefined when all are fine.
 * Such a character usually comes from a copy and paste, and HTTP refuses it in a header. Pure.
 */
export function badCharacter(value: string): { position: number; what: string } | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return { position: i + 1, what: describeCharacter(code) };
  }
  return undefined;
}

/**
 * Refuses credentials with a character HTTP cannot carry, naming which value (from where) and the
 * character's position, never the value. Throws a `ConfigError` with code `CredentialsInvalid`.
 */
export function assertPrintableCredentials(credentials: Credentials, source: string): void {
  const fields: [string, string | undefined][] = [
    ['AccessKey ID', credentials.accessKeyId],
    ['AccessKey secret', credentials.accessKeySecret],
    ['security token', credentials.securityToken],
  ];
  const problems = fields.flatMap(([label, value]) => {
    const bad = value === undefined ? undefined : badCharacter(value);
    return bad
      ? [
          {
            option: `credentials (${source})`,
            message: `the ${label} has ${bad.what} at character ${bad.position} of ${value?.length}`,
          },
        ]
      : [];
  });
  if (problems.length > 0) {
    throw new ConfigError(problems, {
      code: 'CredentialsInvalid',
      hint: 'copy the value again without spaces, line breaks or invisible characters (AccessKeys, secrets and tokens are plain ASCII)',
    });
  }
}
