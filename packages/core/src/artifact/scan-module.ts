/**
 * A streaming reader of a module's import and export syntax: text goes in piece by piece
 * ({@link ModuleScanner.write}), in any split, and only a few bytes of it are kept between pieces,
 * so a file of any size is checked in flat memory. It lexes as es-module-lexer does (strings,
 * comments, templates, regular expressions told from division by the token before them) and
 * reports what es-module-lexer's `parse` reports for the facts the artifact check needs.
 */

/** Where the scan found text that is not JavaScript. */
export class ModuleSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based line of the problem. */
    readonly line: number,
  ) {
    super(message);
    this.name = 'ModuleSyntaxError';
  }
}

/** The module syntax of a file, as es-module-lexer's `parse` reports it. */
export interface ScannedModule {
  /** An `import`/`export` statement or `import.meta` (a dynamic `import()` alone is not one). */
  readonly hasModuleSyntax: boolean;
  /** Exported names (a bare `export * from` adds none). */
  readonly exportNames: readonly string[];
  /**
   * Specifiers of static imports, re-exports and dynamic imports, in order; a dynamic import of
   * one template literal gives its glob (`./locales/*.js`), of anything else `undefined`.
   */
  readonly imports: readonly (string | undefined)[];
}

/** What an opening bracket opened: it decides what a `/` after its closing bracket is. */
enum Open {
  /** `{` of a statement block or a class body: a `/` after its `}` starts a regex. */
  Block,
  /** `{` of an object literal or a pattern: a `/` after its `}` divides. */
  Object,
  Paren,
  /** `(` after `if`, `while`, `for` or `with`: a `/` after its `)` starts a regex. */
  ConditionParen,
  Bracket,
  /** `${` of a template literal: its `}` resumes the template. */
  Substitution,
}

/** What the lexer is inside of, when a piece of text ends there. */
enum Mode {
  Code,
  LineComment,
  BlockComment,
  String,
  Template,
  Regex,
  /** A name or number longer than CARRY_MAX that goes on in the next piece. */
  LongToken,
}

enum Kind {
  Name,
  Punct,
  String,
  Template,
  /** A number or a regular expression: a value, after which `/` divides. */
  Value,
}

/** What the import/export reader waits for. */
enum Want {
  Nothing,
  AfterImport,
  ImportClause,
  ImportFrom,
  DynamicArgument,
  DynamicEnd,
  DynamicClose,
  DynamicAfter,
  AfterExport,
  ExportName,
  ExportList,
  ExportListAs,
  ExportListEnd,
  ExportFrom,
  ExportStar,
  ExportStarName,
  Declaration,
  Pattern,
  DeclarationRest,
  AsyncFunction,
}

/** Keywords after which an expression starts: `/` there begins a regex, `{` an object. */
const EXPRESSION_KEYWORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'yield',
  'await',
  'extends',
  'default',
]);
const CONDITION_KEYWORDS = new Set(['if', 'while', 'for', 'with']);
/** Keywords that begin a statement: a declaration without a semicolon has ended before one. */
const STATEMENT_KEYWORDS = new Set([
  'import',
  'export',
  'const',
  'let',
  'var',
  'function',
  'class',
  'if',
  'for',
  'while',
  'do',
  'return',
  'throw',
  'try',
  'switch',
]);
/** The keywords the scan acts on, by length. */
const KEYWORDS_BY_LENGTH: readonly (readonly string[])[] = (() => {
  const byLength: string[][] = [];
  for (const word of [...EXPRESSION_KEYWORDS, ...CONDITION_KEYWORDS, 'import', 'export']) {
    byLength[word.length] ??= [];
    byLength[word.length]?.push(word);
  }
  return byLength;
})();

/** The keyword `text` has from `start` to `end`, if it is one the scan acts on; nothing is copied. */
function keywordAt(text: string, start: number, end: number): string | undefined {
  const words = KEYWORDS_BY_LENGTH[end - start];
  if (words) for (const word of words) if (text.startsWith(word, start)) return word;
  return undefined;
}

/** Tokens after which a name in a destructuring pattern is a binding (or a key). */
const PATTERN_LEADS = new Set(['{', '[', ',', ':', '...']);
/**
 * A name or number at the end of a piece is carried into the next one up to this length; a longer
 * one is read on in place (keeping its first MAX_STRING characters), so no token is scanned twice.
 */
const CARRY_MAX = 256;
/** How deep brackets may nest: es-module-lexer's own limit, so no file passes one and not the other. */
const MAX_DEPTH = 1024;
/** Longer string literals are kept only this far: no specifier is that long. */
const MAX_STRING = 4096;

const isIdentifierPart = (c: number) =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  (c >= 48 && c <= 57) ||
  c === 36 ||
  c === 95 ||
  c === 92 ||
  (c >= 0x80 && !isOtherSpace(c));
const isIdentifierStart = (c: number) => isIdentifierPart(c) && !(c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
function isOtherSpace(c: number): boolean {
  return (
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

const ESCAPE = /\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

/**
 * Where a number that goes on at `from` ends: digits, letters (`0x1F`, `10n`, `1e5`), `_`, `.`,
 * and a sign after an exponent's `e` (not in a hex number). `previous` is the character before.
 */
function skipNumber(text: string, from: number, radix: boolean, previous: number): number {
  let i = from;
  let before = previous;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    const sign = (d === 43 || d === 45) && !radix && (before === 101 || before === 69);
    if (!(isIdentifierPart(d) || d === 46 || sign)) break;
    before = d;
    i++;
  }
  return i;
}

/** A string literal's value from its source text. */
function cook(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(ESCAPE, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'x') {
      return String.fromCodePoint(Number.parseInt(e.replace(/^u\{?|^x|\}$/g, ''), 16));
    }
    if (isLineEnd(e.charCodeAt(0)) || e === '\r\n') return '';
    return SIMPLE_ESCAPES[e] ?? e;
  });
}

/** See the file's comment. Feed it with {@link write}, then call {@link end} once. */
export class ModuleScanner {
  private hasModuleSyntax = false;
  private readonly exportNames: string[] = [];
  private readonly imports: (string | undefined)[] = [];

  /** Text of an unfinished token (a name, a number, or a character that needs the next one). */
  private pending = '';
  private mode = Mode.Code;
  /** Lines before the text being scanned. */
  private line = 1;
  private readonly stack: Open[] = [];
  /** Whether a `/` here begins a regex (the token before allows an expression). */
  private regexAllowed = true;
  /** Whether a `{` here opens a block. */
  private blockAllowed = true;
  /** The last significant token, for the import/export reader. */
  private prevKind = Kind.Punct;
  private prevText = ';';
  /** A name before `(` that makes it a condition's parenthesis. */
  private conditionNext = false;
  /** Whether anything but white space was read (a hashbang comes first). */
  private started = false;

  /** The string or template being read (capped at MAX_STRING), and its quote. */
  private literal = '';
  private literalLong = false;
  /** The templates whose `${...}` is being read: what their text was before it. */
  private readonly templates: { literal: string; long: boolean }[] = [];
  private quote = 0;
  private regexClass = false;
  /** A long name (its head) or number being read across pieces. */
  private long: {
    readonly kind: Kind.Name | Kind.Value;
    head: string;
    last: number;
    readonly radix: boolean;
  } = {
    kind: Kind.Value,
    head: '',
    last: 0,
    radix: false,
  };

  private want = Want.Nothing;
  private wantDepth = 0;
  private dynamicValue: string | undefined;
  private listLocal: string | undefined;

  /** Scans the next piece of the text. */
  write(text: string): void {
    const whole = this.pending === '' ? text : this.pending + text;
    this.stop(whole, this.scan(whole, false));
  }

  /** Ends the text: what it imports and exports, or a {@link ModuleSyntaxError}. */
  end(): ScannedModule {
    this.stop(this.pending, this.scan(this.pending, true));
    if (this.mode === Mode.LongToken) this.finishLong();
    const unclosed = {
      [Mode.Code]: undefined,
      [Mode.LineComment]: undefined,
      // es-module-lexer lets a file end in an open comment; so does this, to read files alike.
      [Mode.BlockComment]: undefined,
      [Mode.String]: 'unterminated string',
      [Mode.Template]: 'unterminated template literal',
      [Mode.Regex]: 'unterminated regular expression',
      [Mode.LongToken]: undefined,
    }[this.mode];
    if (unclosed) throw new ModuleSyntaxError(`${unclosed} at the end of the file`, this.line);
    if (this.stack.length > 0) {
      throw new ModuleSyntaxError('unexpected end of the file: a bracket is not closed', this.line);
    }
    this.flushWant();
    return { hasModuleSyntax: this.hasModuleSyntax, exportNames: this.exportNames, imports: this.imports };
  }

  /** Ends a long name or number. Longer than any keyword: only the import/export reader can want it. */
  private finishLong(): void {
    const { kind, head } = this.long;
    this.mode = Mode.Code;
    this.token(kind, kind === Kind.Name && this.want !== Want.Nothing ? head : undefined);
  }

  /** Enters a bracket; nesting deeper than es-module-lexer reads (1,024) is refused as it refuses it. */
  private open(kind: Open, text: string, at: number): void {
    if (this.stack.length >= MAX_DEPTH) this.fail(`brackets nested deeper than ${MAX_DEPTH}`, text, at);
    this.stack.push(kind);
  }

  private fail(message: string, text: string, at: number): never {
    let line = this.line;
    for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
    throw new ModuleSyntaxError(message, line);
  }

  /** Keeps `text` from `from` for the next piece; counts the lines of what was scanned. */
  private stop(text: string, from: number): void {
    for (let i = text.indexOf('\n'); i !== -1 && i < from; i = text.indexOf('\n', i + 1)) this.line++;
    this.pending = text.slice(from);
  }

  private keepLiteral(text: string, from: number, to: number): void {
    if (this.literalLong || to <= from) return;
    this.literal += text.slice(from, Math.min(to, from + MAX_STRING - this.literal.length + 1));
    if (this.literal.length > MAX_STRING) this.literalLong = true;
  }

  /** Scans `text`; returns where the unfinished rest begins (kept for the next piece). */
  private scan(text: string, final: boolean): number {
    const n = text.length;
    let i = 0;
    while (i < n) {
      switch (this.mode) {
        case Mode.LineComment: {
          while (i < n && !isLineEnd(text.charCodeAt(i))) i++;
          if (i < n) this.mode = Mode.Code;
          continue;
        }
        case Mode.BlockComment: {
          const close = text.indexOf('*/', i);
          if (close === -1) {
            // A `*` at the end may be the start of `*/`.
            if (!final && text.charCodeAt(n - 1) === 42) return n - 1;
            i = n;
            continue;
          }
          i = close + 2;
          this.mode = Mode.Code;
          continue;
        }
        case Mode.String: {
          const start = i;
          let closed = false;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === this.quote) {
              closed = true;
              break;
            }
            if (c === 92) {
              // The escape (an escaped CR LF is one line continuation) may go on in the next piece.
              if (i + 2 >= n && !final) {
                this.keepLiteral(text, start, i);
                return i;
              }
              i += text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10 ? 3 : 2;
              continue;
            }
            if (c === 10 || c === 13) this.fail('unterminated string', text, i);
            i++;
          }
          this.keepLiteral(text, start, Math.min(i, n));
          if (!closed) {
            i = n;
            continue;
          }
          i++;
          this.mode = Mode.Code;
          this.token(Kind.String, this.literalLong ? undefined : cook(this.literal));
          continue;
        }
        case Mode.Template: {
          const start = i;
          let closed = false;
          let substitution = false;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === 96) {
              closed = true;
              break;
            }
            if ((c === 92 || c === 36) && i + 1 >= n && !final) {
              // An escape, or a `$` that may begin `${`, goes on in the next piece.
              this.keepLiteral(text, start, i);
              return i;
            }
            if (c === 92) {
              i += 2;
              continue;
            }
            if (c === 36 && text.charCodeAt(i + 1) === 123) {
              substitution = true;
              break;
            }
            i++;
          }
          this.keepLiteral(text, start, Math.min(i, n));
          if (substitution) {
            this.templates.push({ literal: `${this.literal}*`, long: this.literalLong });
            this.open(Open.Substitution, text, i);
            i += 2;
            this.mode = Mode.Code;
            this.regexAllowed = true;
            this.blockAllowed = false;
            continue;
          }
          if (!closed) {
            i = n;
            continue;
          }
          i++;
          this.mode = Mode.Code;
          this.token(Kind.Template, this.literalLong ? undefined : this.literal);
          continue;
        }
        case Mode.Regex: {
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === 92) {
              if (i + 1 >= n && !final) return i;
              i += 2;
              continue;
            }
            if (isLineEnd(c)) this.fail('unterminated regular expression', text, i);
            if (c === 91) this.regexClass = true;
            else if (c === 93) this.regexClass = false;
            else if (c === 47 && !this.regexClass) break;
            i++;
          }
          if (i >= n) {
            i = n;
            continue;
          }
          i++;
          this.mode = Mode.Code;
          // The flags are read as a name would be, and dropped.
          this.token(Kind.Value, undefined);
          while (i < n && isIdentifierPart(text.charCodeAt(i))) i++;
          if (i >= n && !final) return n;
          continue;
        }
        case Mode.LongToken: {
          const { long } = this;
          const start = i;
          if (long.kind === Kind.Name) {
            while (i < n && isIdentifierPart(text.charCodeAt(i))) i++;
            if (long.head.length < MAX_STRING) {
              long.head += text.slice(start, Math.min(i, start + MAX_STRING - long.head.length));
            }
          } else {
            i = skipNumber(text, i, long.radix, long.last);
            if (i > start) long.last = text.charCodeAt(i - 1);
          }
          if (i < n || final) this.finishLong();
          continue;
        }
        case Mode.Code: {
          const c = text.charCodeAt(i);
          if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
            i++;
            continue;
          }
          if (c === 35 && !this.started) {
            // A hashbang line (`#!` first in the file).
            if (i + 1 >= n && !final) return i;
            if (text.charCodeAt(i + 1) === 33) {
              this.started = true;
              this.mode = Mode.LineComment;
              continue;
            }
          }
          this.started = true;
          if (isIdentifierStart(c) || c === 35) {
            const start = i;
            i++;
            while (i < n && isIdentifierPart(text.charCodeAt(i))) i++;
            if (i >= n && !final) {
              if (n - start <= CARRY_MAX) return start;
              this.long = {
                kind: Kind.Name,
                head: text.slice(start, start + MAX_STRING),
                last: 0,
                radix: false,
              };
              this.mode = Mode.LongToken;
              continue;
            }
            this.name(text, start, i);
            continue;
          }
          if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
            const start = i;
            const radix = c === 48 && /[xXbBoO]/.test(text[i + 1] ?? '');
            i = skipNumber(text, i + 1, radix, c);
            if (i >= n && !final) {
              if (n - start <= CARRY_MAX) return start;
              this.long = { kind: Kind.Value, head: '', last: text.charCodeAt(n - 1), radix };
              this.mode = Mode.LongToken;
              continue;
            }
            this.token(Kind.Value, undefined);
            continue;
          }
          if (i + 2 >= n && !final && (c === 47 || c === 46 || c === 61 || c === 43 || c === 45)) {
            // `//`, `/*`, `...`, `=>`, `++` and `--` need the characters after this one.
            return i;
          }
          i = this.punct(text, i, c);
          continue;
        }
      }
    }
    return n;
  }

  private name(text: string, start: number, end: number): void {
    // A name is copied out of the text only when the reader needs it; a keyword is matched in place.
    this.token(Kind.Name, this.want === Want.Nothing ? keywordAt(text, start, end) : text.slice(start, end));
  }

  private punct(text: string, i: number, c: number): number {
    switch (c) {
      case 47: {
        const next = text.charCodeAt(i + 1);
        if (next === 47) {
          this.mode = Mode.LineComment;
          return i + 2;
        }
        if (next === 42) {
          this.mode = Mode.BlockComment;
          return i + 2;
        }
        if (this.regexAllowed) {
          this.mode = Mode.Regex;
          this.regexClass = false;
          return i + 1;
        }
        this.token(Kind.Punct, '/');
        return i + 1;
      }
      case 39:
      case 34:
        this.mode = Mode.String;
        this.quote = c;
        this.literal = '';
        this.literalLong = false;
        return i + 1;
      case 96:
        this.mode = Mode.Template;
        this.literal = '';
        this.literalLong = false;
        return i + 1;
      case 123: {
        const open = this.blockAllowed ? Open.Block : Open.Object;
        this.token(Kind.Punct, '{');
        this.open(open, text, i);
        this.regexAllowed = true;
        this.blockAllowed = open === Open.Block;
        return i + 1;
      }
      case 40: {
        const open = this.conditionNext ? Open.ConditionParen : Open.Paren;
        this.token(Kind.Punct, '(');
        this.open(open, text, i);
        return i + 1;
      }
      case 91:
        this.token(Kind.Punct, '[');
        this.open(Open.Bracket, text, i);
        return i + 1;
      case 125: {
        const open = this.stack.pop();
        if (open === Open.Substitution) {
          const template = this.templates.pop();
          this.literal = template?.literal ?? '';
          this.literalLong = template?.long ?? true;
          this.mode = Mode.Template;
          return i + 1;
        }
        if (open !== Open.Block && open !== Open.Object) this.fail('unexpected }', text, i);
        this.token(Kind.Punct, '}');
        this.regexAllowed = open === Open.Block;
        this.blockAllowed = open === Open.Block;
        return i + 1;
      }
      case 41: {
        const open = this.stack.pop();
        if (open !== Open.Paren && open !== Open.ConditionParen) this.fail('unexpected )', text, i);
        this.token(Kind.Punct, ')');
        this.regexAllowed = open === Open.ConditionParen;
        this.blockAllowed = true;
        return i + 1;
      }
      case 93:
        if (this.stack.pop() !== Open.Bracket) this.fail('unexpected ]', text, i);
        this.token(Kind.Punct, ']');
        this.regexAllowed = false;
        this.blockAllowed = false;
        return i + 1;
      case 46:
        if (text.charCodeAt(i + 1) === 46 && text.charCodeAt(i + 2) === 46) {
          this.token(Kind.Punct, '...');
          return i + 3;
        }
        this.token(Kind.Punct, '.');
        return i + 1;
      case 61:
        if (text.charCodeAt(i + 1) === 62) {
          this.token(Kind.Punct, '=>');
          this.blockAllowed = true;
          return i + 2;
        }
        break;
      case 43:
      case 45:
        if (text.charCodeAt(i + 1) === c) {
          // Postfix more often than prefix before a `/`: `i++ / 2`.
          this.token(Kind.Punct, c === 43 ? '++' : '--');
          this.regexAllowed = false;
          return i + 2;
        }
        break;
      case 44:
        this.token(Kind.Punct, ',');
        return i + 1;
      case 59:
        this.token(Kind.Punct, ';');
        this.blockAllowed = true;
        return i + 1;
      case 58:
        this.token(Kind.Punct, ':');
        return i + 1;
      case 42:
        this.token(Kind.Punct, '*');
        return i + 1;
    }
    if (c >= 0x80 || (c < 32 && c !== 0)) {
      // Other white space, and control characters, separate tokens.
      return i + 1;
    }
    this.token(Kind.Punct, '');
    return i + 1;
  }

  /** Records a token: what a `/` or `{` after it would be, and what the import/export reader sees. */
  private token(kind: Kind, value: string | undefined): void {
    if (this.want !== Want.Nothing || (kind === Kind.Name && (value === 'import' || value === 'export'))) {
      this.read(kind, value);
    }
    this.prevKind = kind;
    this.prevText = value ?? '';
    this.conditionNext = kind === Kind.Name && value !== undefined && CONDITION_KEYWORDS.has(value);
    if (kind === Kind.Name) {
      // `return /x/`, `return {}`; `else {}`, `class A {}`.
      const keyword = value !== undefined && EXPRESSION_KEYWORDS.has(value);
      this.regexAllowed = keyword;
      this.blockAllowed = !keyword;
    } else if (kind === Kind.Punct) {
      // Brackets, `=>`, `++`, `--` and `;` set these themselves, after this.
      this.regexAllowed = true;
      this.blockAllowed = false;
    } else {
      this.regexAllowed = false;
      this.blockAllowed = false;
    }
  }

  /** Ends what the reader waited for at the end of the text. */
  private flushWant(): void {
    if (this.want === Want.DynamicAfter) this.imports.push(this.dynamicValue);
    this.want = Want.Nothing;
  }

  /** The import/export reader: one token at a time. */
  private read(kind: Kind, value: string | undefined): void {
    const depth = this.stack.length;
    const isName = (text: string) => kind === Kind.Name && value === text;
    const punct = kind === Kind.Punct ? value : undefined;
    for (;;) {
      switch (this.want) {
        case Want.Nothing: {
          if (kind !== Kind.Name || (value !== 'import' && value !== 'export')) return;
          // `x.import`, `x?.export`: properties.
          if (this.prevKind === Kind.Punct && this.prevText === '.') return;
          this.want = value === 'import' ? Want.AfterImport : Want.AfterExport;
          this.wantDepth = depth;
          return;
        }
        case Want.AfterImport:
          if (punct === '(') {
            this.want = Want.DynamicArgument;
            this.wantDepth = depth + 1;
            return;
          }
          if (punct === ':') {
            this.want = Want.Nothing;
            return;
          }
          if (punct === '.') {
            // `import.meta` (and the phase imports `import.source(...)`).
            this.hasModuleSyntax = true;
            this.want = Want.Nothing;
            return;
          }
          this.hasModuleSyntax = true;
          if (kind === Kind.String) {
            this.imports.push(value);
            this.want = Want.Nothing;
            return;
          }
          this.want = Want.ImportClause;
          continue;
        case Want.ImportClause:
          if (isName('from')) {
            this.want = Want.ImportFrom;
            return;
          }
          if (kind === Kind.Name || punct === '{' || punct === '}' || punct === ',' || punct === '*') return;
          if (kind === Kind.String && depth > this.wantDepth) return;
          this.want = Want.Nothing;
          continue;
        case Want.ImportFrom:
          if (kind === Kind.String) {
            this.imports.push(value);
            this.want = Want.Nothing;
            return;
          }
          // `import { from } from 'x'`, `import from from 'x'`.
          this.want = Want.ImportClause;
          if (isName('from')) return;
          continue;
        case Want.DynamicArgument:
          if (depth > this.wantDepth) return;
          this.dynamicValue = value;
          this.want = kind === Kind.String || kind === Kind.Template ? Want.DynamicEnd : Want.DynamicClose;
          if (kind !== Kind.String && kind !== Kind.Template) {
            this.dynamicValue = undefined;
            continue;
          }
          return;
        case Want.DynamicEnd:
          if (punct !== ')' && punct !== ',') this.dynamicValue = undefined;
          this.want = Want.DynamicClose;
          continue;
        case Want.DynamicClose:
          // Up to the `)` that closes `import(`.
          if (punct === ')' && depth === this.wantDepth - 1) this.want = Want.DynamicAfter;
          return;
        case Want.DynamicAfter:
          // `import(url) { ... }` is a method of that name, not an import.
          if (punct !== '{') this.imports.push(this.dynamicValue);
          this.want = Want.Nothing;
          continue;
        case Want.AfterExport:
          if (punct === ':') {
            this.want = Want.Nothing;
            return;
          }
          this.hasModuleSyntax = true;
          if (isName('default')) {
            this.exportNames.push('default');
            this.want = Want.Nothing;
            return;
          }
          if (isName('var') || isName('let') || isName('const')) {
            this.want = Want.Declaration;
            this.wantDepth = depth;
            return;
          }
          if (isName('function') || isName('class')) {
            this.want = Want.ExportName;
            return;
          }
          if (isName('async')) {
            this.want = Want.AsyncFunction;
            return;
          }
          if (punct === '{') {
            this.want = Want.ExportList;
            this.wantDepth = depth + 1;
            return;
          }
          if (punct === '*') {
            this.want = Want.ExportStar;
            return;
          }
          this.want = Want.Nothing;
          continue;
        case Want.AsyncFunction:
          this.want = isName('function') ? Want.ExportName : Want.Nothing;
          if (this.want === Want.Nothing) continue;
          return;
        case Want.ExportName:
          if (punct === '*') return;
          if (kind === Kind.Name && value !== undefined) this.exportNames.push(value);
          this.want = Want.Nothing;
          if (kind === Kind.Name) return;
          continue;
        case Want.ExportList:
          if (punct === '}') {
            this.pushListed();
            this.want = Want.ExportListEnd;
            return;
          }
          if (punct === ',') {
            this.pushListed();
            return;
          }
          if (isName('as') && this.listLocal !== undefined) {
            this.want = Want.ExportListAs;
            return;
          }
          if (kind === Kind.Name || kind === Kind.String) this.listLocal = value;
          return;
        case Want.ExportListAs:
          this.listLocal = value;
          this.want = Want.ExportList;
          return;
        case Want.ExportListEnd:
          if (isName('from')) {
            this.want = Want.ExportFrom;
            return;
          }
          this.want = Want.Nothing;
          continue;
        case Want.ExportFrom:
          if (kind === Kind.String) this.imports.push(value);
          this.want = Want.Nothing;
          if (kind === Kind.String) return;
          continue;
        case Want.ExportStar:
          if (isName('as')) {
            this.want = Want.ExportStarName;
            return;
          }
          this.want = Want.ExportListEnd;
          continue;
        case Want.ExportStarName:
          if (value !== undefined) this.exportNames.push(value);
          this.want = Want.ExportListEnd;
          return;
        case Want.Declaration:
          // A binding: a name, or a pattern (`{ a, b: [c, d = 1], ...e }`).
          if (depth === this.wantDepth && kind === Kind.Name) {
            if (value !== undefined) this.exportNames.push(value);
            this.want = Want.DeclarationRest;
            return;
          }
          if (depth === this.wantDepth && (punct === '{' || punct === '[')) {
            this.want = Want.Pattern;
            this.listLocal = undefined;
            return;
          }
          this.want = Want.Nothing;
          continue;
        case Want.Pattern:
          // A name after `{ [ , : ...` binds, unless a `:` follows (a key).
          if (this.listLocal !== undefined && punct !== ':') this.exportNames.push(this.listLocal);
          this.listLocal =
            kind === Kind.Name && this.prevKind === Kind.Punct && PATTERN_LEADS.has(this.prevText)
              ? value
              : undefined;
          if (depth === this.wantDepth) this.want = Want.DeclarationRest;
          return;
        case Want.DeclarationRest:
          if (depth > this.wantDepth) return;
          if (depth < this.wantDepth || punct === ';') {
            this.want = Want.Nothing;
            return;
          }
          if (punct === ',') {
            this.want = Want.Declaration;
            return;
          }
          if (kind === Kind.Name && value !== undefined && STATEMENT_KEYWORDS.has(value)) {
            this.want = Want.Nothing;
            continue;
          }
          return;
      }
    }
  }

  private pushListed(): void {
    if (this.listLocal !== undefined) this.exportNames.push(this.listLocal);
    this.listLocal = undefined;
  }
}
