/**
 * A TOML file's text under format-preserving edits: every edit is a splice at an exact range followed by a
 * re-scan (toml-layout.ts), and each insertion has an inverse that gives back the original bytes — elements of
 * an array, entries of an inline table, key/value lines and whole tables. PyprojectText (pyproject-text.ts)
 * says which of them pyproject.toml's sections need.
 */
import { parse as parseToml } from 'smol-toml';
import { scanToml, type TomlArrayLayout, type TomlInlineLayout, type TomlStatement } from './toml-layout.js';

const INDENT = '    ';

export class TomlText {
  protected statements: TomlStatement[];
  readonly eol: string;

  constructor(public text: string) {
    this.eol = /\r\n/.test(text.slice(0, text.indexOf('\n') + 1)) ? '\r\n' : '\n';
    this.statements = scanToml(text);
  }

  protected splice(start: number, end: number, insert: string): void {
    this.text = this.text.slice(0, start) + insert + this.text.slice(end);
    this.statements = scanToml(this.text);
    this.changed();
  }

  /** Called after every splice: a subclass drops what it derived from the old text. */
  protected changed(): void {}

  /** Called when appendBlock had to end the file's last line first (cleanUp may take that back). */
  protected addedFinalNewline(): void {}

  /** splice, for a caller that answers "nothing was expanded" (appendElement). */
  private spliced(start: number, end: number, insert: string): false {
    this.splice(start, end, insert);
    return false;
  }

  /** Appends an element in the array's own style; true when it expanded an empty one-line `[]` (cleanUp undoes that). */
  protected appendElement(array: TomlArrayLayout, literal: string): boolean {
    const { open, close, elements } = array;
    const eol = this.eol;
    const multiline = /[\r\n]/.test(this.text.slice(open, close));
    if (elements.length === 0) {
      if (!multiline) {
        this.splice(open + 1, close, `${eol}${INDENT}${literal},${eol}`);
        return true;
      }
      const closeLine = lineStartOf(this.text, close);
      if (this.text.slice(closeLine, close).trim() === '') return this.spliced(closeLine, closeLine, `${this.indentOf(array)}${literal},${eol}`);
      return this.spliced(close, close, literal);
    }
    const last = elements[elements.length - 1];
    if (!multiline) {
      const sep = elements.length > 1 && elements[0].comma !== null && elements[1].start === elements[0].comma + 1 ? '' : ' ';
      if (last.comma !== null) return this.spliced(last.comma + 1, last.comma + 1, `${sep}${literal},`);
      return this.spliced(last.end, last.end, `,${sep}${literal}`);
    }
    const indent = this.indentOf(array);
    if (last.comma !== null) {
      const lineEnd = this.endOfLineAfter(last.comma + 1);
      if (lineEnd !== null) return this.spliced(lineEnd, lineEnd, `${indent}${literal},${eol}`);
      return this.spliced(last.comma + 1, last.comma + 1, ` ${literal},`);
    }
    const lineEnd = this.endOfLineAfter(last.end);
    if (lineEnd === null) return this.spliced(last.end, last.end, `,${eol}${indent}${literal}`);
    // Later splice first, so the earlier position stays valid.
    this.text = this.text.slice(0, lineEnd) + `${indent}${literal}${eol}` + this.text.slice(lineEnd);
    this.splice(last.end, last.end, ',');
    return false;
  }

  /** The inverse of appendElement for each style, and a sensible removal elsewhere. */
  protected removeElement(array: TomlArrayLayout, i: number): void {
    const { elements } = array;
    const el = elements[i];
    const prev = elements[i - 1];
    const next = elements[i + 1];
    const after = el.comma !== null ? el.comma + 1 : el.end;
    const lineStart = lineStartOf(this.text, el.start);
    const lineEnd = this.endOfLineAfter(after);
    if (this.text.slice(lineStart, el.start).trim() === '' && lineEnd !== null) {
      this.text = this.text.slice(0, lineStart) + this.text.slice(lineEnd);
      if (!next && el.comma === null && prev?.comma != null) this.text = this.text.slice(0, prev.comma) + this.text.slice(prev.comma + 1);
      this.splice(0, 0, '');
    } else if (next) this.splice(el.start, next.start, '');
    else if (prev && el.comma !== null) this.splice(prev.comma! + 1, el.comma + 1, '');
    else if (prev) this.splice(prev.end, el.end, '');
    else this.splice(el.start, after, '');
  }

  /** Indentation of the first element that sits on its own line; four spaces otherwise. */
  protected indentOf(array: TomlArrayLayout): string {
    for (const e of array.elements) {
      const before = this.text.slice(lineStartOf(this.text, e.start), e.start);
      if (before.trim() === '' && lineStartOf(this.text, e.start) > array.open) return before;
    }
    return INDENT;
  }

  /** Just past the line break when only spaces and a comment follow `pos` on its line; null otherwise. */
  protected endOfLineAfter(pos: number): number | null {
    const m = /^[ \t]*(?:#[^\r\n]*)?(\r\n|\n)/.exec(this.text.slice(pos));
    return m ? pos + m[0].length : null;
  }

  protected sectionPath(s: TomlStatement): string[] {
    return s.section >= 0 ? this.statements[s.section].path : [];
  }

  /** `{ a = 1 }` → `{ a = 1, k = v }`; `{}` → `{k = v}`; `{ }` → `{ k = v }` (each undone by removeInlineEntry). */
  protected appendInlineEntry(table: TomlInlineLayout, entry: string): void {
    const last = table.entries[table.entries.length - 1];
    if (last) return this.splice(last.end, last.end, `, ${entry}`);
    const inner = this.text.slice(table.open + 1, table.close);
    this.splice(table.open + 1, table.open + 1, inner === '' ? entry : ` ${entry}`);
  }

  protected removeInlineEntry(table: TomlInlineLayout, entry: TomlInlineLayout['entries'][number]): void {
    const i = table.entries.findIndex((e) => e.start === entry.start);
    const prev = table.entries[i - 1];
    const next = table.entries[i + 1];
    if (prev) return this.splice(prev.end, entry.end, '');
    if (next) return this.splice(entry.start, next.start, '');
    this.splice(this.text[entry.start - 1] === '{' ? entry.start : table.open + 1, entry.end, '');
  }

  // Statement-level splices, each the inverse of the other.

  protected lastStatementOf(header: TomlStatement): TomlStatement {
    const i = this.statements.indexOf(header);
    const body = this.statements.filter((s) => s.section === i);
    return body[body.length - 1] ?? header;
  }

  protected insertAfter(s: TomlStatement, line: string): void {
    if (s.eol === '') this.splice(s.lineEnd, s.lineEnd, `${this.eol}${line}`);
    else this.splice(s.lineEnd, s.lineEnd, `${line}${this.eol}`);
  }

  protected removeStatement(s: TomlStatement): void {
    if (s.eol === '' && s.lineStart > 0) {
      const before = this.text[s.lineStart - 2] === '\r' ? 2 : 1;
      this.splice(s.lineStart - before, s.lineEnd, '');
    } else this.splice(s.lineStart, s.lineEnd, '');
  }

  /** Inserts a table after the section of `header` (at the end of the file without one), after a blank line. */
  protected insertBlock(header: TomlStatement | undefined, block: string): void {
    const last = header && this.lastStatementOf(header);
    if (!last || last.eol === '') return this.appendBlock(block);
    this.splice(last.lineEnd, last.lineEnd, this.eol + block);
  }

  protected appendBlock(block: string): void {
    let prefix = '';
    if (this.text.length > 0 && !this.text.endsWith('\n')) {
      prefix = this.eol;
      this.addedFinalNewline();
    }
    if (this.text.length > 0) prefix += this.eol;
    this.splice(this.text.length, this.text.length, prefix + block);
  }

  /** Removes a table header and its key/values, and the blank line before it (what appendBlock added). */
  protected removeBlock(header: TomlStatement): void {
    let start = header.lineStart;
    const end = this.lastStatementOf(header).lineEnd;
    const prevLine = lineStartOf(this.text, Math.max(0, start - 1));
    if (start > 0 && /^\r?\n$/.test(this.text.slice(prevLine, start))) start = prevLine;
    this.splice(start, end, '');
  }
}

function lineStartOf(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

export function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** A TOML string: a literal string `'…'` when asked and possible, a basic string otherwise. */
export function tomlString(s: string, literal = false): string {
  // eslint-disable-next-line no-control-regex
  if (literal && !/['\x00-\x1f\x7f]/.test(s)) return `'${s}'`;
  return JSON.stringify(s);
}

export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** The value of a TOML string literal (any of the four kinds); null for anything else. */
export function decodeString(raw: string): string | null {
  // Fast path for the common one-line strings without escapes; the parser handles the rest.
  if (/^"[^"\\\n]*"$/.test(raw) || /^'[^'\n]*'$/.test(raw)) return raw.slice(1, -1);
  try {
    const v = (parseToml(`v = ${raw}`) as { v: unknown }).v;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
