/**
 * The working text of a pyproject.toml for renderPyproject: every edit is a splice at an exact range followed by
 * a re-scan, and each insertion has an inverse that gives back the original bytes.
 */
import { parse as parseToml } from 'smol-toml';
import { scanToml, type TomlArrayLayout, type TomlInlineLayout, type TomlStatement } from './toml-layout.js';
import { pep503, requirementName, type PyprojectCreated } from './render-pyproject.js';

const FILE = 'pyproject.toml';
const INDENT = '    ';
const SOURCES = ['tool', 'uv', 'sources'];

export interface SourceEntry {
  name: string;
  key: string;
  editable: boolean;
  statement?: TomlStatement;
  inline?: TomlInlineLayout['entries'][number];
  /** Written as a `[tool.uv.sources.<key>]` table (or keys under one). */
  subTable?: boolean;
}

interface DependencyElement {
  name: string | null;
  start: number;
  end: number;
  comma: number | null;
}

/** The working text: each edit splices it and re-scans. */
export class PyprojectText {
  private statements: TomlStatement[];
  private elements: DependencyElement[] | null = null;
  readonly eol: string;

  constructor(
    public text: string,
    readonly created: Set<PyprojectCreated>,
  ) {
    this.eol = /\r\n/.test(text.slice(0, text.indexOf('\n') + 1)) ? '\r\n' : '\n';
    this.statements = scanToml(text);
  }

  private splice(start: number, end: number, insert: string): void {
    this.text = this.text.slice(0, start) + insert + this.text.slice(end);
    this.statements = scanToml(this.text);
    this.elements = null;
  }

  /**
   * Where a new [project] key goes: after the last key of the `[project]` table, or after the last top-level
   * dotted `project.*` key (`project.name = "x"` with no header, a shape tomllib and `uv add` accept).
   */
  projectAnchor(): { last: TomlStatement; prefix: string } | undefined {
    const table = this.statements.find((s) => s.kind === 'table' && samePath(s.path, ['project']));
    if (table) return { last: this.lastStatementOf(table), prefix: '' };
    const dotted = this.statements.filter((s) => s.kind === 'keyval' && s.section === -1 && s.path.length > 1 && s.path[0] === 'project');
    return dotted.length ? { last: dotted[dotted.length - 1], prefix: 'project.' } : undefined;
  }

  /** The `[project].dynamic` statement, for messages. */
  dynamicAt(): string | undefined {
    const s = this.statements.find((st) => st.kind === 'keyval' && samePath(st.path, ['project', 'dynamic']));
    if (!s) return undefined;
    const line = this.text.slice(0, s.start).split('\n').length;
    return `${FILE}:${line}:${s.start - s.lineStart + 1}`;
  }

  /** The dependencies array, null when there is no such key, 'unsupported' when it is defined another way. */
  dependencies(): (TomlStatement & { array: TomlArrayLayout }) | null | 'unsupported' {
    const s = this.statements.find((st) => st.kind === 'keyval' && samePath(st.path, ['project', 'dependencies']));
    if (s?.array) return s as TomlStatement & { array: TomlArrayLayout };
    if (s || this.statements.some((st) => samePath(st.path, ['project']) && st.kind === 'keyval')) return 'unsupported';
    return null;
  }

  private dependencyElements(): DependencyElement[] {
    if (this.elements) return this.elements;
    const deps = this.dependencies();
    if (!deps || deps === 'unsupported') return [];
    this.elements = deps.array.elements.map((e) => ({ ...e, name: requirementName(decodeString(this.text.slice(e.start, e.end)) ?? '') }));
    return this.elements;
  }

  dependencyNames(): string[] {
    return this.dependencyElements().flatMap((e) => (e.name ? [e.name] : []));
  }

  /** Removes the first element for `name`; false when there is none. */
  removeDependency(name: string): boolean {
    const deps = this.dependencies();
    if (!deps || deps === 'unsupported') return false;
    const i = this.dependencyElements().findIndex((e) => e.name === name);
    if (i < 0) return false;
    this.removeElement(deps.array, i);
    return true;
  }

  setDependency(name: string, requirement: string): void {
    let deps = this.dependencies();
    if (deps === 'unsupported') return;
    if (!deps) {
      const project = this.projectAnchor()!;
      this.insertAfter(project.last, `${project.prefix}dependencies = []`);
      this.created.add('project.dependencies');
      deps = this.dependencies() as TomlStatement & { array: TomlArrayLayout };
    }
    const elements = this.dependencyElements();
    const matching = elements.filter((e) => e.name === name);
    const literal = tomlString(requirement, elements.length > 0 && this.text[elements[0].start] === "'");
    if (matching.length === 0) return this.appendElement(deps.array, literal);
    while (this.dependencyElements().filter((e) => e.name === name).length > 1) {
      const all = this.dependencyElements();
      const last = all.map((e) => e.name).lastIndexOf(name);
      this.removeElement((this.dependencies() as TomlStatement & { array: TomlArrayLayout }).array, last);
    }
    const first = this.dependencyElements().find((e) => e.name === name)!;
    if (decodeString(this.text.slice(first.start, first.end)) !== requirement) {
      const quoted = tomlString(requirement, this.text[first.start] === "'");
      this.splice(first.start, first.end, quoted);
    }
  }

  private appendElement(array: TomlArrayLayout, literal: string): void {
    const { open, close, elements } = array;
    const eol = this.eol;
    const multiline = /[\r\n]/.test(this.text.slice(open, close));
    if (elements.length === 0) {
      if (!multiline) {
        this.splice(open + 1, close, `${eol}${INDENT}${literal},${eol}`);
        if (this.dependenciesArrayIs(open)) this.created.add('dependencies-expanded');
        return;
      }
      const closeLine = lineStartOf(this.text, close);
      if (this.text.slice(closeLine, close).trim() === '') return this.splice(closeLine, closeLine, `${this.indentOf(array)}${literal},${eol}`);
      return this.splice(close, close, literal);
    }
    const last = elements[elements.length - 1];
    if (!multiline) {
      const sep = elements.length > 1 && elements[0].comma !== null && elements[1].start === elements[0].comma + 1 ? '' : ' ';
      if (last.comma !== null) return this.splice(last.comma + 1, last.comma + 1, `${sep}${literal},`);
      return this.splice(last.end, last.end, `,${sep}${literal}`);
    }
    const indent = this.indentOf(array);
    if (last.comma !== null) {
      const lineEnd = this.endOfLineAfter(last.comma + 1);
      if (lineEnd !== null) return this.splice(lineEnd, lineEnd, `${indent}${literal},${eol}`);
      return this.splice(last.comma + 1, last.comma + 1, ` ${literal},`);
    }
    const lineEnd = this.endOfLineAfter(last.end);
    if (lineEnd === null) return this.splice(last.end, last.end, `,${eol}${indent}${literal}`);
    // Later splice first, so the earlier position stays valid.
    this.text = this.text.slice(0, lineEnd) + `${indent}${literal}${eol}` + this.text.slice(lineEnd);
    this.splice(last.end, last.end, ',');
  }

  /** The inverse of appendElement for each style, and a sensible removal elsewhere. */
  private removeElement(array: TomlArrayLayout, i: number): void {
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

  private dependenciesArrayIs(open: number): boolean {
    const deps = this.dependencies();
    return !!deps && deps !== 'unsupported' && deps.array.open === open;
  }

  /** Indentation of the first element that sits on its own line; four spaces otherwise. */
  private indentOf(array: TomlArrayLayout): string {
    for (const e of array.elements) {
      const before = this.text.slice(lineStartOf(this.text, e.start), e.start);
      if (before.trim() === '' && lineStartOf(this.text, e.start) > array.open) return before;
    }
    return INDENT;
  }

  /** Just past the line break when only spaces and a comment follow `pos` on its line; null otherwise. */
  private endOfLineAfter(pos: number): number | null {
    const m = /^[ \t]*(?:#[^\r\n]*)?(\r\n|\n)/.exec(this.text.slice(pos));
    return m ? pos + m[0].length : null;
  }

  // [tool.uv.sources]: a `[tool.uv.sources]` table, one inline table (`sources = { … }`), dotted keys
  // (`sources.six = { … }`, `tool.uv.sources.six = { … }`) or `[tool.uv.sources.six]` sub-tables — every shape
  // `uv add` edits. hsm writes its entries in the shape the file already uses.

  private sourcesTable(): TomlStatement | undefined {
    return this.statements.find((s) => s.kind === 'table' && samePath(s.path, ['tool', 'uv', 'sources']));
  }

  /** `sources = { … }` (under [tool.uv], [tool] or at the top level). */
  private sourcesInline(): (TomlStatement & { inline: TomlInlineLayout }) | undefined {
    return this.statements.find((s) => s.kind === 'keyval' && s.inline && samePath(s.path, SOURCES)) as (TomlStatement & { inline: TomlInlineLayout }) | undefined;
  }

  /** The last `sources.<name>… = …` dotted key outside a [tool.uv.sources…] header. */
  private lastDottedSource(): TomlStatement | undefined {
    const dotted = this.statements.filter((s) => s.kind === 'keyval' && s.path.length > 3 && samePath(s.path.slice(0, 3), SOURCES) && this.sectionPath(s).length < 3);
    return dotted[dotted.length - 1];
  }

  private sectionPath(s: TomlStatement): string[] {
    return s.section >= 0 ? this.statements[s.section].path : [];
  }

  /** Entries of tool.uv.sources; `editable` when hsm can rewrite or remove the entry (`key = { … }`). */
  sourceEntries(): SourceEntry[] {
    const out: SourceEntry[] = [];
    const inline = this.sourcesInline();
    for (const e of inline?.inline.entries ?? []) out.push({ name: pep503(e.key[0]), key: e.key[0], editable: e.key.length === 1, inline: e });
    for (const s of this.statements) {
      if (s.path.length < 4 || !samePath(s.path.slice(0, 3), SOURCES)) continue;
      const editable = s.kind === 'keyval' && s.path.length === 4;
      out.push({ name: pep503(s.path[3]), key: s.path[3], editable, statement: editable ? s : undefined, subTable: s.kind !== 'keyval' || this.sectionPath(s).length > 3 });
    }
    return out;
  }

  setSource(name: string, key: string, value: string | null): void {
    const entry = this.sourceEntries().find((e) => e.name === name && e.editable);
    if (entry?.statement) {
      const s = entry.statement;
      if (value === null) this.removeStatement(s);
      else if (this.text.slice(s.valueStart, s.valueEnd) !== value) this.splice(s.valueStart, s.valueEnd, value);
      return;
    }
    if (entry?.inline) {
      if (value === null) this.removeInlineEntry(this.sourcesInline()!.inline, entry.inline);
      else if (this.text.slice(entry.inline.valueStart, entry.inline.end) !== value) this.splice(entry.inline.valueStart, entry.inline.end, value);
      return;
    }
    if (value === null) return;
    const inline = this.sourcesInline();
    if (inline) return this.appendInlineEntry(inline.inline, `${tomlKey(key)} = ${value}`);
    const dotted = this.lastDottedSource();
    if (dotted) {
      const prefix = SOURCES.slice(this.sectionPath(dotted).length).map(tomlKey).join('.');
      return this.insertAfter(dotted, `${prefix}.${tomlKey(key)} = ${value}`);
    }
    const line = `${tomlKey(key)} = ${value}`;
    const table = this.sourcesTable();
    if (table) return this.insertAfter(this.lastStatementOf(table), line);
    // Next to the user's [tool.uv] table when there is one, else at the end. (TOML allows [tool.uv.sources]
    // beside [tool.uv.sources.six] sub-tables.)
    const uv = this.statements.find((st) => st.kind === 'table' && samePath(st.path, ['tool', 'uv']));
    this.insertBlock(uv, `[tool.uv.sources]${this.eol}${line}${this.eol}`);
    this.created.add('tool.uv.sources');
  }

  /** `{ a = 1 }` → `{ a = 1, k = v }`; `{}` → `{k = v}`; `{ }` → `{ k = v }` (each undone by removeInlineEntry). */
  private appendInlineEntry(table: TomlInlineLayout, entry: string): void {
    const last = table.entries[table.entries.length - 1];
    if (last) return this.splice(last.end, last.end, `, ${entry}`);
    const inner = this.text.slice(table.open + 1, table.close);
    this.splice(table.open + 1, table.open + 1, inner === '' ? entry : ` ${entry}`);
  }

  private removeInlineEntry(table: TomlInlineLayout, entry: TomlInlineLayout['entries'][number]): void {
    const i = table.entries.findIndex((e) => e.start === entry.start);
    const prev = table.entries[i - 1];
    const next = table.entries[i + 1];
    if (prev) return this.splice(prev.end, entry.end, '');
    if (next) return this.splice(entry.start, next.start, '');
    this.splice(this.text[entry.start - 1] === '{' ? entry.start : table.open + 1, entry.end, '');
  }

  // [[tool.uv.index]]

  indexBlocks(): { header: TomlStatement; name?: string; url?: string; urlStatement?: TomlStatement }[] {
    return this.statements.flatMap((h, i) => {
      if (h.kind !== 'array-table' || !samePath(h.path, ['tool', 'uv', 'index'])) return [];
      const body = this.statements.filter((s) => s.section === i && s.kind === 'keyval');
      const name = body.find((s) => samePath(s.path, ['tool', 'uv', 'index', 'name']));
      const url = body.find((s) => samePath(s.path, ['tool', 'uv', 'index', 'url']));
      return [
        {
          header: h,
          name: name ? decodeString(this.text.slice(name.valueStart, name.valueEnd)) ?? undefined : undefined,
          url: url ? decodeString(this.text.slice(url.valueStart, url.valueEnd)) ?? undefined : undefined,
          urlStatement: url,
        },
      ];
    });
  }

  /** Makes sure the index exists with this URL; true when hsm owns it (added it now or before). */
  setIndex(name: string, url: string, owned: boolean): boolean {
    const block = this.indexBlocks().find((b) => b.name === name);
    if (!block) {
      const eol = this.eol;
      const blocks = this.indexBlocks();
      this.insertBlock(blocks[blocks.length - 1]?.header, `[[tool.uv.index]]${eol}name = ${tomlString(name)}${eol}url = ${tomlString(url)}${eol}explicit = true${eol}`);
      return true;
    }
    if (owned && block.url !== url) {
      if (block.urlStatement) this.splice(block.urlStatement.valueStart, block.urlStatement.valueEnd, tomlString(url));
      else this.insertAfter(this.lastStatementOf(block.header), `url = ${tomlString(url)}`);
    }
    return owned;
  }

  removeIndex(name: string): void {
    const block = this.indexBlocks().find((b) => b.name === name);
    if (block) this.removeBlock(block.header);
  }

  /** Takes out what hsm created once it is empty again. */
  cleanUp(ownsIndexes: boolean): void {
    const table = this.sourcesTable();
    if (this.created.has('tool.uv.sources') && (!table || this.lastStatementOf(table) === table)) {
      if (table) this.removeBlock(table);
      this.created.delete('tool.uv.sources');
    }
    const deps = this.dependencies();
    if (deps && deps !== 'unsupported' && deps.array.elements.length === 0) {
      const inner = this.text.slice(deps.array.open + 1, deps.array.close);
      if (this.created.has('dependencies-expanded') && /^[ \t]*\r?\n[ \t]*$/.test(inner)) this.splice(deps.array.open + 1, deps.array.close, '');
      this.created.delete('dependencies-expanded');
      if (this.created.has('project.dependencies')) {
        const again = this.dependencies() as TomlStatement;
        if (this.text.slice(again.valueStart, again.valueEnd) === '[]') this.removeStatement(again);
        this.created.delete('project.dependencies');
      }
    }
    if (this.created.has('final-newline') && !this.created.has('tool.uv.sources') && !ownsIndexes) {
      if (this.text.endsWith(this.eol)) this.splice(this.text.length - this.eol.length, this.text.length, '');
      this.created.delete('final-newline');
    }
  }

  // Statement-level splices, each the inverse of the other.

  private lastStatementOf(header: TomlStatement): TomlStatement {
    const i = this.statements.indexOf(header);
    const body = this.statements.filter((s) => s.section === i);
    return body[body.length - 1] ?? header;
  }

  private insertAfter(s: TomlStatement, line: string): void {
    if (s.eol === '') this.splice(s.lineEnd, s.lineEnd, `${this.eol}${line}`);
    else this.splice(s.lineEnd, s.lineEnd, `${line}${this.eol}`);
  }

  private removeStatement(s: TomlStatement): void {
    if (s.eol === '' && s.lineStart > 0) {
      const before = this.text[s.lineStart - 2] === '\r' ? 2 : 1;
      this.splice(s.lineStart - before, s.lineEnd, '');
    } else this.splice(s.lineStart, s.lineEnd, '');
  }

  /** Inserts a table after the section of `header` (at the end of the file without one), after a blank line. */
  private insertBlock(header: TomlStatement | undefined, block: string): void {
    const last = header && this.lastStatementOf(header);
    if (!last || last.eol === '') return this.appendBlock(block);
    this.splice(last.lineEnd, last.lineEnd, this.eol + block);
  }

  private appendBlock(block: string): void {
    let prefix = '';
    if (this.text.length > 0 && !this.text.endsWith('\n')) {
      prefix = this.eol;
      this.created.add('final-newline');
    }
    if (this.text.length > 0) prefix += this.eol;
    this.splice(this.text.length, this.text.length, prefix + block);
  }

  /** Removes a table header and its key/values, and the blank line before it (what appendBlock added). */
  private removeBlock(header: TomlStatement): void {
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

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** A TOML string: a literal string `'…'` when asked and possible, a basic string otherwise. */
export function tomlString(s: string, literal = false): string {
  // eslint-disable-next-line no-control-regex
  if (literal && !/['\x00-\x1f\x7f]/.test(s)) return `'${s}'`;
  return JSON.stringify(s);
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** The value of a TOML string literal (any of the four kinds); null for anything else. */
function decodeString(raw: string): string | null {
  // Fast path for the common one-line strings without escapes; the parser handles the rest.
  if (/^"[^"\\\n]*"$/.test(raw) || /^'[^'\n]*'$/.test(raw)) return raw.slice(1, -1);
  try {
    const v = (parseToml(`v = ${raw}`) as { v: unknown }).v;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
