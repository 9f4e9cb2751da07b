/**
 * pyproject.toml as hsm wants it: adds, rewrites and removes only the entries hsm owns (requirements in
 * [project].dependencies, their [tool.uv.sources] entries, [[tool.uv.index]] blocks) and leaves every other
 * byte alone. Pure string → string: a TOML parser validates, and edits are spliced in at exact ranges
 * (the model is Renovate's pep621 manager), re-scanning after each edit so ranges never go stale.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { noteParse } from '../parse-probe.js';
import { ErrorCodes, HsmError } from '../errors.js';
import { scanToml, type TomlArrayLayout, type TomlStatement } from './toml-layout.js';

export interface PythonDependency {
  /** hsm component name, for messages. */
  component: string;
  /** Distribution name, e.g. `qdrant-client`. */
  package: string;
  /** PEP 508 requirement, e.g. `qdrant-client>=1.12,<2`. */
  requirement: string;
  /** Dev mode: `[tool.uv.sources].<package> = { path, editable = true }`. */
  source?: { path: string; editable: true };
  /** Private index: a `[[tool.uv.index]]` block and `[tool.uv.sources].<package> = { index = name }`. */
  index?: { name: string; url: string };
}

/**
 * Things hsm put into pyproject.toml that were not there before, so it can take them out again and give back
 * the user's exact bytes:
 * - `project.dependencies`: hsm inserted the `dependencies` key;
 * - `dependencies-expanded`: hsm turned an empty `[]` into a multi-line array;
 * - `tool.uv.sources`: hsm appended the `[tool.uv.sources]` table;
 * - `final-newline`: hsm appended to a file that did not end with a line break.
 */
export type PyprojectCreated = 'project.dependencies' | 'dependencies-expanded' | 'tool.uv.sources' | 'final-newline';

export interface PyprojectOwnership {
  /** Normalised (PEP 503) names of the dependencies hsm added. hsm owns their [tool.uv.sources] entries too. */
  dependencies: string[];
  /** Names of the `[[tool.uv.index]]` blocks hsm added. */
  indexes: string[];
  created?: PyprojectCreated[];
}

export interface RenderPyprojectInput {
  /** Current pyproject.toml, null when the file does not exist. */
  text: string | null;
  /** `[project].name` of a new file. */
  projectName: string;
  /** What hsm wants now, sorted by package. */
  desired: PythonDependency[];
  /** What hsm owned before (from hsm.lock); empty on the first sync. */
  owned: PyprojectOwnership;
  /** `text` already parsed (parsePyproject), so a plan parses its input once. */
  data?: Record<string, unknown>;
}

const FILE = 'pyproject.toml';
const INDENT = '    ';

/** PEP 503 normalised project name: lowercase, runs of `-`, `_`, `.` become one `-`. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution name a PEP 508 requirement starts with, normalised; null when there is none. */
export function requirementName(requirement: string): string | null {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement);
  return m ? pep503(m[1]) : null;
}

/** `[project].dependencies` of a pyproject.toml (for `hsm init`); `name` is PEP 503 normalised. */
export function readPyprojectDependencies(text: string): { name: string; requirement: string }[] {
  const data = parsePyproject(text);
  const deps = (data.project as Record<string, unknown> | undefined)?.dependencies;
  if (!Array.isArray(deps)) return [];
  return deps.flatMap((requirement) => {
    const name = typeof requirement === 'string' ? requirementName(requirement) : null;
    return name ? [{ name, requirement: requirement as string }] : [];
  });
}

/**
 * `[tool.uv.sources]` of a pyproject.toml: PEP 503 name → the entry as parsed (e.g. `{ path, editable }`,
 * `{ index }`, `{ git }`). For `hsm sync --check` ("carries a dev source for X") and `hsm init`.
 */
export function readPyprojectSources(text: string | Record<string, unknown>): Record<string, Record<string, unknown>> {
  const sources = ((typeof text === 'string' ? parsePyproject(text) : text).tool as { uv?: { sources?: unknown } } | undefined)?.uv?.sources;
  const out: Record<string, Record<string, unknown>> = {};
  if (!sources || typeof sources !== 'object') return out;
  for (const [key, value] of Object.entries(sources as Record<string, unknown>)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) out[pep503(key)] = value as Record<string, unknown>;
  }
  return out;
}

/** Parses pyproject.toml text; invalid TOML → HsmError PYPROJECT_INVALID at `pyproject.toml:line:col`. */
export function parsePyproject(text: string): Record<string, unknown> {
  noteParse('pyproject.toml');
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `${FILE} is not valid TOML: ${e.message.split('\n')[0].replace(/^Invalid TOML document: /, '')}`, {
        location: `${FILE}:${e.line}:${e.column}`,
        hint: `fix the TOML syntax in ${FILE}`,
        cause: e,
      });
    }
    throw e;
  }
}

export function renderPyproject(input: RenderPyprojectInput): { text: string; owned: PyprojectOwnership } {
  const original = input.text ?? newPyproject(input.projectName);
  const data = input.text !== null && input.data ? input.data : parsePyproject(original);
  const doc = new PyprojectText(original, new Set(input.owned.created ?? []));
  const owned = new Set(input.owned.dependencies.map(pep503));
  const ownedIndexes = new Set(input.owned.indexes);
  const desired = new Map<string, PythonDependency>();
  for (const dep of input.desired) {
    const name = pep503(dep.package);
    if (requirementName(dep.requirement) !== name) {
      // Otherwise the next sync would not recognise its own line.
      throw new HsmError(ErrorCodes.DEFINITION_INVALID, `component ${dep.component}: python.requirement \`${dep.requirement}\` is not a requirement on ${dep.package}`, {
        hint: `make python.requirement start with ${dep.package} in the definition of ${dep.component}`,
      });
    }
    const other = desired.get(name);
    if (other) {
      throw new HsmError(ErrorCodes.PYPROJECT_CLASH, `components ${other.component} and ${dep.component} both add the Python package ${dep.package}`, {
        hint: `remove one of them: \`hsm remove ${dep.component}\``,
      });
    }
    desired.set(name, dep);
  }
  const indexes = desiredIndexes(input.desired);
  checkClashes(doc, data, desired, owned, indexes, ownedIndexes);

  for (const name of [...owned].sort()) {
    if (desired.has(name)) continue;
    while (doc.removeDependency(name));
    doc.setSource(name, name, null);
  }
  for (const [name, dep] of desired) {
    doc.setDependency(name, dep.requirement);
    doc.setSource(name, dep.package, sourceValue(dep));
  }
  for (const name of [...ownedIndexes].sort()) {
    if (!indexes.has(name)) {
      doc.removeIndex(name);
      ownedIndexes.delete(name);
    }
  }
  for (const [name, url] of indexes) {
    if (doc.setIndex(name, url, ownedIndexes.has(name))) ownedIndexes.add(name);
  }
  doc.cleanUp(ownedIndexes.size > 0);

  const result = doc.text;
  verify(result, input.desired);
  const created = [...doc.created].sort();
  return {
    text: result,
    owned: { dependencies: [...desired.keys()].sort(), indexes: [...ownedIndexes].sort(), ...(created.length ? { created } : {}) },
  };
}

function newPyproject(name: string): string {
  return `[project]\nname = ${JSON.stringify(name)}\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = []\n`;
}

function sourceValue(dep: PythonDependency): string | null {
  if (dep.source) return `{ path = ${tomlString(dep.source.path)}, editable = true }`;
  if (dep.index) return `{ index = ${tomlString(dep.index.name)} }`;
  return null;
}

function desiredIndexes(deps: PythonDependency[]): Map<string, string> {
  const out = new Map<string, string>();
  const by = new Map<string, string>();
  for (const dep of deps) {
    if (!dep.index) continue;
    const url = out.get(dep.index.name);
    if (url !== undefined && url !== dep.index.url) {
      throw new HsmError(ErrorCodes.PYPROJECT_CLASH, `components ${by.get(dep.index.name)} and ${dep.component} give the uv index ${dep.index.name} different URLs`, {
        hint: 'give the indexes different names in the component definitions',
      });
    }
    out.set(dep.index.name, dep.index.url);
    by.set(dep.index.name, dep.component);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Everything that can fail is checked before the first edit. */
function checkClashes(doc: PyprojectText, data: Record<string, unknown>, desired: Map<string, PythonDependency>, owned: Set<string>, indexes: Map<string, string>, ownedIndexes: Set<string>): void {
  const userDeps = new Set(doc.dependencyNames().filter((n) => !owned.has(n)));
  const sources = doc.sourceEntries();
  const uv = (data.tool as { uv?: { sources?: unknown } } | undefined)?.uv;
  const sourceKeys = uv?.sources && typeof uv.sources === 'object' ? Object.keys(uv.sources) : [];
  for (const [name, dep] of desired) {
    if (userDeps.has(name)) {
      throw new HsmError(ErrorCodes.PYPROJECT_CLASH, `${FILE} already lists ${dep.package} in [project].dependencies, which component ${dep.component} wants to manage`, {
        hint: `remove the ${dep.package} line from [project].dependencies in ${FILE}, or \`hsm remove ${dep.component}\``,
      });
    }
    const key = sourceKeys.find((k) => pep503(k) === name);
    if (!owned.has(name) && key !== undefined) {
      throw new HsmError(ErrorCodes.PYPROJECT_CLASH, `${FILE} already has a [tool.uv.sources] entry for ${dep.package}, which component ${dep.component} wants to manage`, {
        hint: `remove the ${key} entry from [tool.uv.sources] in ${FILE}, or \`hsm remove ${dep.component}\``,
      });
    }
    const source = sources.find((s) => s.name === name);
    if (source && !source.editable) {
      throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `the [tool.uv.sources] entry for ${dep.package} is not a \`${source.key} = { … }\` line under [tool.uv.sources]`, {
        hint: `write it as \`${source.key} = { … }\` under a [tool.uv.sources] table`,
      });
    }
  }
  if (doc.sourcesNeedTable() && [...desired.values()].some((d) => sourceValue(d) !== null)) {
    throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `${FILE} defines tool.uv.sources inline or with dotted keys, where hsm cannot add entries`, {
      hint: `move the entries into a [tool.uv.sources] table in ${FILE}`,
    });
  }
  const existing = doc.indexBlocks();
  for (const [name, url] of indexes) {
    const block = existing.find((b) => b.name === name);
    if (block && !ownedIndexes.has(name) && block.url !== url) {
      throw new HsmError(ErrorCodes.PYPROJECT_CLASH, `${FILE} already defines the uv index ${name} with another URL (${block.url ?? 'none'})`, {
        hint: `rename or remove the [[tool.uv.index]] named ${name} in ${FILE}`,
      });
    }
  }
  if (doc.dependencies() === 'unsupported') {
    throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `[project].dependencies in ${FILE} is not a \`dependencies = [ … ]\` line under [project]`, {
      hint: `write it as \`dependencies = [ … ]\` under the [project] table in ${FILE}`,
    });
  }
  if (!doc.projectTable() && desired.size > 0) {
    throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `${FILE} has no [project] table`, {
      hint: `add a [project] table with name and version to ${FILE} (see PEP 621)`,
    });
  }
}

/** The result must parse and carry exactly the requirements asked for: a failed edit is a bug, never a write. */
function verify(text: string, desired: PythonDependency[]): void {
  let deps: unknown;
  try {
    noteParse('pyproject.toml (self-check of the result)');
    deps = (parseToml(text) as { project?: { dependencies?: unknown } }).project?.dependencies ?? [];
  } catch (e) {
    throw new HsmError(ErrorCodes.INTERNAL, `hsm produced an invalid ${FILE}: ${(e as Error).message.split('\n')[0]}`, { cause: e, hint: 'please report this bug with your pyproject.toml' });
  }
  const present = new Set(Array.isArray(deps) ? deps : []);
  const missing = desired.find((d) => !present.has(d.requirement));
  if (missing) throw new HsmError(ErrorCodes.INTERNAL, `hsm failed to add ${missing.requirement} to ${FILE}`, { hint: 'please report this bug with your pyproject.toml' });
}

interface DependencyElement {
  name: string | null;
  start: number;
  end: number;
  comma: number | null;
}

/** The working text: each edit splices it and re-scans. */
class PyprojectText {
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

  projectTable(): TomlStatement | undefined {
    return this.statements.find((s) => s.kind === 'table' && samePath(s.path, ['project']));
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
      const project = this.projectTable()!;
      this.insertAfter(this.lastStatementOf(project), 'dependencies = []');
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

  // [tool.uv.sources]

  private sourcesTable(): TomlStatement | undefined {
    return this.statements.find((s) => s.kind === 'table' && samePath(s.path, ['tool', 'uv', 'sources']));
  }

  /** Entries of tool.uv.sources; `editable` when it is a `key = { … }` line hsm can rewrite. */
  sourceEntries(): { name: string; key: string; editable: boolean; statement?: TomlStatement }[] {
    const out: { name: string; key: string; editable: boolean; statement?: TomlStatement }[] = [];
    for (const s of this.statements) {
      if (s.path.length < 4 || !samePath(s.path.slice(0, 3), ['tool', 'uv', 'sources'])) continue;
      const editable = s.kind === 'keyval' && s.path.length === 4 && s.section >= 0 && samePath(this.statements[s.section].path, ['tool', 'uv', 'sources']);
      out.push({ name: pep503(s.path[3]), key: s.path[3], editable, statement: editable ? s : undefined });
    }
    return out;
  }

  /** tool.uv.sources exists but not as a [tool.uv.sources] table (inline or dotted keys). */
  sourcesNeedTable(): boolean {
    if (this.sourcesTable()) return false;
    return this.statements.some((s) => s.path.length >= 3 && samePath(s.path.slice(0, 3), ['tool', 'uv', 'sources']));
  }

  setSource(name: string, key: string, value: string | null): void {
    const entry = this.sourceEntries().find((e) => e.name === name && e.statement);
    if (entry?.statement) {
      const s = entry.statement;
      if (value === null) this.removeStatement(s);
      else if (this.text.slice(s.valueStart, s.valueEnd) !== value) this.splice(s.valueStart, s.valueEnd, value);
      return;
    }
    if (value === null) return;
    const line = `${tomlKey(key)} = ${value}`;
    const table = this.sourcesTable();
    if (table) return this.insertAfter(this.lastStatementOf(table), line);
    // Next to the user's [tool.uv] table when there is one, else at the end.
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
function tomlString(s: string, literal = false): string {
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
