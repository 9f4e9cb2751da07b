/**
 * Where things are in a TOML text: table headers, key/value statements and array elements as character
 * ranges, so edits can be spliced into the original bytes and everything else stays untouched.
 * Runs only on text a real TOML parser has already accepted, so it can trust the syntax and stay small.
 */

export interface TomlArrayLayout {
  /** Index of `[` and of `]`. */
  open: number;
  close: number;
  elements: { start: number; end: number; comma: number | null }[];
}

/** An inline table `{ k = v, … }`: its braces and each entry's dotted key and range (key start to value end). */
export interface TomlInlineLayout {
  open: number;
  close: number;
  entries: { key: string[]; start: number; valueStart: number; end: number }[];
}

export interface TomlStatement {
  kind: 'table' | 'array-table' | 'keyval';
  /** Full key path: the header for tables; table path + dotted key for key/values. */
  path: string[];
  /** Start of the statement's first line. */
  lineStart: number;
  /** First character of the header or key. */
  start: number;
  /** Value range of a key/value (the header's end for tables). */
  valueStart: number;
  valueEnd: number;
  /** Just after the end of the statement's last line, line break included when there is one. */
  lineEnd: number;
  /** The line break that ends the statement ('' at the end of a file without a final newline). */
  eol: string;
  /** Index of the header this statement belongs to in `statements` (-1: the root table). */
  section: number;
  /** Array values only. */
  array?: TomlArrayLayout;
  /** Inline-table values only. */
  inline?: TomlInlineLayout;
}

export function scanToml(text: string): TomlStatement[] {
  return new Scanner(text).statements();
}

const BARE_KEY = /[A-Za-z0-9_-]/;
const SCALAR_END = /[\s#,\]}]/;

class Scanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  statements(): TomlStatement[] {
    const out: TomlStatement[] = [];
    let section = -1;
    let tablePath: string[] = [];
    for (;;) {
      this.skipTrivia(true);
      if (this.pos >= this.text.length) return out;
      const start = this.pos;
      const lineStart = this.text.lastIndexOf('\n', start - 1) + 1;
      if (this.text[start] === '[') {
        const arrayTable = this.text[start + 1] === '[';
        this.pos += arrayTable ? 2 : 1;
        const path = this.key(']');
        this.pos += arrayTable ? 2 : 1;
        const headerEnd = this.pos;
        const { lineEnd, eol } = this.finishLine();
        section = out.length;
        tablePath = path;
        out.push({ kind: arrayTable ? 'array-table' : 'table', path, lineStart, start, valueStart: headerEnd, valueEnd: headerEnd, lineEnd, eol, section: -1 });
        continue;
      }
      const key = this.key('=');
      this.pos++; // '='
      this.skipTrivia(false);
      const valueStart = this.pos;
      const array = this.text[valueStart] === '[' ? this.array() : undefined;
      const inline = this.text[valueStart] === '{' ? this.inlineTable() : undefined;
      if (!array && !inline) this.value();
      const valueEnd = this.pos;
      const { lineEnd, eol } = this.finishLine();
      out.push({ kind: 'keyval', path: [...tablePath, ...key], lineStart, start, valueStart, valueEnd, lineEnd, eol, section, array, ...(inline ? { inline } : {}) });
    }
  }

  /** Skips spaces and comments, and line breaks too when `newlines`. */
  private skipTrivia(newlines: boolean): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) this.pos++;
      else if (c === '#') {
        while (this.pos < t.length && t[this.pos] !== '\n' && t[this.pos] !== '\r') this.pos++;
      } else return;
    }
  }

  /** After a statement: trailing spaces, a comment, then the line break. */
  private finishLine(): { lineEnd: number; eol: string } {
    this.skipTrivia(false);
    const eol = this.text.startsWith('\r\n', this.pos) ? '\r\n' : this.text[this.pos] === '\n' ? '\n' : '';
    this.pos += eol.length;
    return { lineEnd: this.pos, eol };
  }

  /** A dotted key, stopping before `stop`. */
  private key(stop: string): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipTrivia(false);
      parts.push(this.simpleKey());
      this.skipTrivia(false);
      if (this.text[this.pos] === '.') this.pos++;
      else if (this.text[this.pos] === stop || this.pos >= this.text.length) return parts;
      else throw new Error(`toml-layout: unexpected ${JSON.stringify(this.text[this.pos])} at ${this.pos}`);
    }
  }

  private simpleKey(): string {
    const t = this.text;
    const start = this.pos;
    if (t[start] === '"' || t[start] === "'") {
      this.singleLineString();
      const raw = t.slice(start + 1, this.pos - 1);
      return t[start] === "'" ? raw : unescapeBasic(raw);
    }
    while (this.pos < t.length && BARE_KEY.test(t[this.pos])) this.pos++;
    return t.slice(start, this.pos);
  }

  private value(): void {
    const t = this.text;
    const c = t[this.pos];
    if (t.startsWith('"""', this.pos) || t.startsWith("'''", this.pos)) this.multilineString();
    else if (c === '"' || c === "'") this.singleLineString();
    else if (c === '[') this.array();
    else if (c === '{') this.inlineTable();
    else {
      const date = /^\d{4}-\d{2}-\d{2}[ ]\d{2}:/.test(t.slice(this.pos, this.pos + 14));
      if (date) this.pos += 11;
      while (this.pos < t.length && !SCALAR_END.test(t[this.pos])) this.pos++;
    }
  }

  private singleLineString(): void {
    const t = this.text;
    const quote = t[this.pos++];
    while (this.pos < t.length && t[this.pos] !== quote) this.pos += quote === '"' && t[this.pos] === '\\' ? 2 : 1;
    this.pos++;
  }

  private multilineString(): void {
    const t = this.text;
    const delim = t.slice(this.pos, this.pos + 3);
    this.pos += 3;
    while (this.pos < t.length && !t.startsWith(delim, this.pos)) this.pos += delim === '"""' && t[this.pos] === '\\' ? 2 : 1;
    this.pos += 3;
    // Up to two quotes right before the closing delimiter belong to the content: `""""a""""`.
    for (let i = 0; i < 2 && t[this.pos] === delim[0]; i++) this.pos++;
  }

  private array(): TomlArrayLayout {
    const open = this.pos++;
    const elements: TomlArrayLayout['elements'] = [];
    for (;;) {
      this.skipTrivia(true);
      if (this.text[this.pos] === ']' || this.pos >= this.text.length) break;
      const start = this.pos;
      this.value();
      const end = this.pos;
      this.skipTrivia(true);
      let comma: number | null = null;
      if (this.text[this.pos] === ',') comma = this.pos++;
      elements.push({ start, end, comma });
    }
    return { open, close: this.pos++, elements };
  }

  private inlineTable(): TomlInlineLayout {
    const open = this.pos++;
    const entries: TomlInlineLayout['entries'] = [];
    for (;;) {
      this.skipTrivia(true);
      if (this.text[this.pos] === '}' || this.pos >= this.text.length) break;
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      const start = this.pos;
      const key = this.key('=');
      this.pos++;
      this.skipTrivia(true);
      const valueStart = this.pos;
      this.value();
      entries.push({ key, start, valueStart, end: this.pos });
    }
    return { open, close: this.pos++, entries };
  }
}

function unescapeBasic(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ({ b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' } as Record<string, string>)[e] ?? e;
  });
}
