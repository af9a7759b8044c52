import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { init, parse } from 'es-module-lexer';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModuleScanner, ModuleSyntaxError, type ScannedModule } from '../src/artifact/scan-module.js';

/** What es-module-lexer (the oracle) reports, in the scanner's shape; or the error. */
function oracle(source: string): ScannedModule | 'error' {
  try {
    const [imports, exports, , hasModuleSyntax] = parse(source);
    return {
      hasModuleSyntax,
      exportNames: exports.flatMap((e) => (e.type === 'reexport-all' ? [] : [e.name])),
      imports: imports.flatMap((i) => (i.type === 'import-meta' ? [] : [i.specifier])),
    };
  } catch {
    return 'error';
  }
}

/** The scanner's report, fed in pieces of the given sizes (cycled), or 'error'. */
function scan(source: string, pieces: readonly number[] = [source.length || 1]): ScannedModule | 'error' {
  const scanner = new ModuleScanner();
  try {
    for (let at = 0, k = 0; at < source.length; k++) {
      const size = pieces[k % pieces.length] ?? 1;
      scanner.write(source.slice(at, at + size));
      at += size;
    }
    return scanner.end();
  } catch (error) {
    if (error instanceof ModuleSyntaxError) return 'error';
    throw error;
  }
}

/** Both reports compared as es-module-lexer's users read them (export names as a set). */
const comparable = (r: ScannedModule | 'error') =>
  r === 'error' ? r : { ...r, exportNames: [...new Set(r.exportNames)].sort() };

beforeAll(async () => {
  await init();
});

describe('ModuleScanner', () => {
  it.each([
    [
      'static imports',
      `import a from 'a';\nimport { b as c, "d e" as f } from "./b.js";\nimport * as ns from 'n'\nimport 'side'\nimport x, { y } from 'q' with { type: 'json' };`,
    ],
    [
      'exports of every form',
      `export default function () {}\nexport const a = 1, b = f(1, 2), c = { x, y };\nexport let d\nfoo(1, 2)\nexport async function* g() {}\nexport class K extends Base {}\nexport { h as default2, i, j as 'k l' };\nexport * from 'all';\nexport * as star from 'star';\nexport { default as m } from './m.js';`,
    ],
    ['destructured exports', 'export const { a, b: [c, d = 1], ...e } = o;\nexport var [p, , q] = arr;'],
    [
      'dynamic imports',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source text
      "const a = import('a');\nconst b = import(`./locales/${lang}.js`);\nconst c = import('c' + x);\nconst d = import(name);\nimport('e', { with: { type: 'json' } });",
    ],
    ['import.meta alone', 'console.log(import.meta.url);'],
    ['a dynamic import alone is no module syntax', "module.exports = () => import('x');"],
    [
      'look-alikes in strings, comments, templates and regexes',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source text
      "// import a from 'a'\n/* export default 1 */\nconst s = \"import('z')\", t = `export ${'default'} import('q')`;\nconst r = /import a from 'b'/g, q = x / 2 / y;\nexport default { fetch() {} };",
    ],
    [
      'regex after keywords and brackets',
      "if (a) /export x/.test(b);\nconst f = () => {}\n/import('re')/.test(c);\nreturn_ = a ? /x/ : /y/; typeof /z/; x = a++ / 2 / b;",
    ],
    [
      'properties and methods named like keywords',
      "obj.import('x'); obj?.export; const o = { import: 1, export: 2 };\nclass R { async import(url) { return url; } }\nexport default R;",
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source text
    ['nested templates', "const t = `a${`b${'c'}d`}e${x}`;\nexport const u = `${y}`;\nexport default t;"],
    [
      'escapes in specifiers',
      "import a from '\\x2e/\\u0061.js';\nimport b from './b\\u{2E}js';\nexport default 1;",
    ],
    ['a hashbang', "#!/usr/bin/env node\nimport 'x';\nexport default 1;"],
    ['a comment left open at the end (es-module-lexer accepts it)', 'export default 1;\n/* open\n'],
    ['unicode names and spaces', 'export const café = 1;\u00a0export const ñ = 2;\nexport default café;'],
  ])('reads %s as es-module-lexer does, in any split', (_name, source) => {
    const expected = comparable(oracle(source));
    expect(expected).not.toBe('error');
    expect(comparable(scan(source))).toEqual(expected);
    for (const size of [1, 2, 3, 5, 7, 13]) expect(comparable(scan(source, [size]))).toEqual(expected);
  });

  it.each([
    ['an unterminated string', 'export default { fetch() {\n  return "unterminated;\n', 2],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source text
    ['an unterminated template', 'export default `a${b}\n', 2],
    ['an unterminated regex', 'export default 1;\nconst r = /abc\n', 2],
    ['a closing bracket that does not match', 'export default 1;\n\nfoo(]);', 3],
    ['a bracket left open', 'export default {\n', 2],
    // es-module-lexer's limit; a file of 64 MB of `(` would otherwise grow a 64M-entry stack.
    ['brackets nested 1,025 deep', `export default 1;\nx = ${'('.repeat(1025)}${')'.repeat(1025)};`, 2],
  ])('refuses %s, naming the line, in any split', (_name, source, line) => {
    expect(oracle(source)).toBe('error');
    for (const size of [source.length, 1, 4]) {
      const scanner = new ModuleScanner();
      const error = (() => {
        try {
          for (let at = 0; at < source.length; at += size) scanner.write(source.slice(at, at + size));
          scanner.end();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ModuleSyntaxError);
      expect((error as ModuleSyntaxError).line).toBe(line);
    }
  });

  it('skips a hashbang line as a comment, in any split (es-module-lexer reads it as code)', () => {
    // Read as code, the `'` would open a string that never closes.
    const source = "#!/usr/bin/env -S node --title=it's\nimport 'x';\nexport default 1;";
    expect(oracle(source)).toBe('error');
    for (const size of [source.length, 1, 2, 3]) {
      expect(scan(source, [size])).toEqual({
        hasModuleSyntax: true,
        exportNames: ['default'],
        imports: ['x'],
      });
    }
  });

  it('reads a name or number longer than a piece, keeping the first 4 KiB of the name', () => {
    const name = 'n'.repeat(12_000_000);
    const source = `export const ${name} = 1${'0'.repeat(1_000_000)}e+5;\nexport default ${name};\n`;
    // Read on in place: rescanning the carried name at every piece (183 of them) walked over a
    // billion characters (12.3 s, against 0.2 s now; measured, not asserted).
    const scanned = scan(source, [65_536]);
    expect(scanned).toEqual({
      hasModuleSyntax: true,
      exportNames: [name.slice(0, 4096), 'default'],
      imports: [],
    });
    // Split right inside the exponent's sign, and ending the text in a long name.
    expect(scan(`export default 1${'0'.repeat(70_000)}e+5 / 2 / 3;`, [65_536 + 17])).toMatchObject({
      exportNames: ['default'],
    });
    expect(scan(`export default 1;\n${'x'.repeat(70_000)}`, [65_536])).toMatchObject({
      exportNames: ['default'],
    });
  });

  it('keeps only the first 4 KiB of a long string, and reads on after it', () => {
    const source = `const big = "${'x'.repeat(200_000)}";\nexport default big;`;
    expect(scan(source, [65_536])).toEqual({ hasModuleSyntax: true, exportNames: ['default'], imports: [] });
  });

  /**
   * Every JavaScript file installed in this repository's node_modules (bundles of vite, rollup,
   * vitest, typescript, undici and ~5,000 more: ESM, CommonJS, minified and not) must read exactly
   * as es-module-lexer reads it, whole and in pieces.
   */
  it('agrees with es-module-lexer on every JavaScript file in node_modules', () => {
    const root = join(import.meta.dirname, '../../../node_modules/.pnpm');
    const files: string[] = [];
    const walk = (dir: string, depth: number) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && depth < 12) walk(path, depth + 1);
        else if (entry.isFile() && /\.(m?js|cjs)$/.test(entry.name)) files.push(path);
      }
    };
    walk(root, 0);
    expect(files.length).toBeGreaterThan(2000);
    let bytes = 0;
    const disagreements: string[] = [];
    for (const [index, file] of files.entries()) {
      if (statSync(file).size > 16 * 1024 * 1024) continue;
      const source = readFileSync(file, 'utf8');
      bytes += source.length;
      const expected = JSON.stringify(comparable(oracle(source)));
      // Pieces from 1 byte (small files) to 64 KiB, different for each file.
      const piece = source.length < 20_000 ? 1 + (index % 17) : 4096 + ((index * 7919) % 61_440);
      for (const got of [scan(source), scan(source, [piece, piece * 3 + 1])]) {
        if (JSON.stringify(comparable(got)) !== expected) disagreements.push(file);
      }
    }
    expect(bytes).toBeGreaterThan(30_000_000);
    expect(disagreements).toEqual([]);
  }, 120_000);
});
