// Run by `pnpm version-packages` after `changeset version`: @esa-stage/core keeps its version as a
// literal in src/version.ts (the CLI's --version and the User-Agent; packages/core/test/version.test.ts
// requires it to equal package.json's). changeset version only bumps package.json, so copy it over.
// Remove this step (and it from the root version-packages script) once version.ts reads package.json.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../packages/core/', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const file = new URL('src/version.ts', root);
const source = readFileSync(file, 'utf8');
const literal = /^export const VERSION = '[^']*';$/m;
if (!literal.test(source)) {
  console.error(`sync-core-version: no "export const VERSION = '...';" line in ${file.pathname}`);
  process.exit(1);
}
const next = source.replace(literal, `export const VERSION = '${version}';`);
if (next !== source) writeFileSync(file, next);
console.log(`sync-core-version: packages/core/src/version.ts VERSION = '${version}'`);
