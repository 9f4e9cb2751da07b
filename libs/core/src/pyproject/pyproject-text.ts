/**
 * The working text of a pyproject.toml for renderPyproject: the entries hsm owns in `[project].dependencies`,
 * `[tool.uv.sources]` and `[[tool.uv.index]]`, edited in whatever shape the file already uses, through TomlText's
 * splices (toml-text.ts), each with an inverse that gives back the original bytes.
 */
import type { TomlArrayLayout, TomlInlineLayout, TomlStatement } from './toml-layout.js';
import { TomlText, decodeString, samePath, tomlKey, tomlString } from './toml-text.js';
import { pep503, requirementName, type PyprojectCreated } from './render-pyproject.js';

const FILE = 'pyproject.toml';
const SOURCES = ['tool', 'uv', 'sources'];

interface SourceEntry {
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

/** The working text: each edit splices it and re-scans; `created` records what hsm added, for cleanUp. */
export class PyprojectText extends TomlText {
  private elements: DependencyElement[] | null = null;

  constructor(
    text: string,
    readonly created: Set<PyprojectCreated>,
  ) {
    super(text);
  }

  protected override changed(): void {
    this.elements = null;
  }

  protected override addedFinalNewline(): void {
    this.created.add('final-newline');
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

  /** The `[project].dynamic` statement, for messages (`file`: the path the user opens). */
  dynamicAt(file = FILE): string | undefined {
    const s = this.statements.find((st) => st.kind === 'keyval' && samePath(st.path, ['project', 'dynamic']));
    if (!s) return undefined;
    const line = this.text.slice(0, s.start).split('\n').length;
    return `${file}:${line}:${s.start - s.lineStart + 1}`;
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
    if (matching.length === 0) {
      if (this.appendElement(deps.array, literal)) this.created.add('dependencies-expanded');
      return;
    }
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
          name: name ? (decodeString(this.text.slice(name.valueStart, name.valueEnd)) ?? undefined) : undefined,
          url: url ? (decodeString(this.text.slice(url.valueStart, url.valueEnd)) ?? undefined) : undefined,
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
}
