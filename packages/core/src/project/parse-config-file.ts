/**
 * Parses an esa-cli config file's text: TOML for `.toml`, else JSON with comments and trailing
 * commas (`.jsonc`). The parser loads on first use. Throws a plain `Error` saying what is wrong and
 * where; callers turn it into their own named error.
 */
export async function parseConfigFile(file: string, source: string): Promise<Record<string, unknown>> {
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
}
