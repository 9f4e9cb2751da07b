/**
 * pyproject.toml as hsm wants it: adds, rewrites and removes only the entries hsm owns (requirements in
 * [project].dependencies, their [tool.uv.sources] entries, [[tool.uv.index]] blocks) and leaves every other
 * byte alone. Pure string → string: a TOML parser validates, and edits are spliced in at exact ranges
 * (the model is Renovate's pep621 manager), re-scanning after each edit so ranges never go stale.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { noteParse } from '../parse-probe.js';
import { ErrorCodes, HsmError } from '../errors.js';
import { PyprojectText } from './pyproject-text.js';
import { tomlString } from './toml-text.js';

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
  /** The component is listed in the hsm.yaml on disk, so `hsm remove <component>` is advice that works. */
  removable?: boolean;
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
  /**
   * The file as the user opens it, for messages: its path from hsm.yaml, e.g. `backend/pyproject.toml` for the
   * workspace member `python.package` names (default `pyproject.toml`).
   */
  file?: string;
}

const FILE = 'pyproject.toml';

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

/**
 * Parses pyproject.toml text; invalid TOML → HsmError PYPROJECT_INVALID at `<file>:line:col`. `file`: its path
 * from hsm.yaml, as the user opens it (a workspace member's is `backend/pyproject.toml`).
 */
export function parsePyproject(text: string, file = FILE): Record<string, unknown> {
  noteParse('pyproject.toml');
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `${file} is not valid TOML: ${e.message.split('\n')[0].replace(/^Invalid TOML document: /, '')}`, {
        location: `${file}:${e.line}:${e.column}`,
        hint: `fix the TOML syntax in ${file}`,
        cause: e,
      });
    }
    throw e;
  }
}

export function renderPyproject(input: RenderPyprojectInput): { text: string; owned: PyprojectOwnership } {
  const original = input.text ?? newPyproject(input.projectName);
  const file = input.file ?? FILE;
  const data = input.text !== null && input.data ? input.data : parsePyproject(original, file);
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
        hint: dep.removable ? `keep one of them: \`hsm remove ${dep.component}\`` : `keep only one of ${other.component} and ${dep.component} in the stack`,
      });
    }
    desired.set(name, dep);
  }
  checkDynamic(doc, data, input.desired, file);
  const indexes = desiredIndexes(input.desired);
  checkClashes(doc, data, desired, owned, indexes, ownedIndexes, file);

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
  verify(result, input.desired, file);
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

/**
 * `dynamic = ["dependencies"]`: a build backend fills in the dependencies (setuptools from requirements.txt,
 * hatch or poetry plugins). PEP 621 forbids a static `dependencies` key next to it — uv refuses such a file —
 * so hsm has nowhere to put a requirement (issue 9 item 11).
 */
function checkDynamic(doc: PyprojectText, data: Record<string, unknown>, desired: PythonDependency[], file: string): void {
  const dynamic = (data.project as { dynamic?: unknown } | undefined)?.dynamic;
  if (desired.length === 0 || !Array.isArray(dynamic) || !dynamic.includes('dependencies')) return;
  const names = desired.map((d) => d.package).join(', ');
  throw new HsmError(
    ErrorCodes.PYPROJECT_DYNAMIC,
    `${file} declares its dependencies dynamic ([project].dynamic lists "dependencies"), so hsm cannot add ${names}: the project takes its dependencies from elsewhere (its build backend), and uv rejects a static list next to it`,
    {
      location: doc.dynamicAt(file),
      hint: 'move the dependencies into [project].dependencies and take "dependencies" out of [project].dynamic (`uv add -r requirements.txt` moves a requirements file), or use only components without a `python` part here',
    },
  );
}

/** Everything that can fail is checked before the first edit. */
function checkClashes(doc: PyprojectText, data: Record<string, unknown>, desired: Map<string, PythonDependency>, owned: Set<string>, indexes: Map<string, string>, ownedIndexes: Set<string>, file: string): void {
  const userDeps = new Set(doc.dependencyNames().filter((n) => !owned.has(n)));
  const sources = doc.sourceEntries();
  const uv = (data.tool as { uv?: { sources?: unknown } } | undefined)?.uv;
  const sourceKeys = uv?.sources && typeof uv.sources === 'object' ? Object.keys(uv.sources) : [];
  // every clash at once, so one round of fixes is enough (issue 9 item 8)
  const clashes: { message: string; hint: string }[] = [];
  const orRemove = (dep: PythonDependency) => (dep.removable ? `, or \`hsm remove ${dep.component}\`` : `, or do without component ${dep.component}`);
  for (const [name, dep] of desired) {
    if (userDeps.has(name)) {
      clashes.push({
        message: `${file} already lists ${dep.package} in [project].dependencies, which component ${dep.component} wants to manage`,
        hint: `remove the ${dep.package} line from [project].dependencies in ${file}${orRemove(dep)}`,
      });
    }
    const key = sourceKeys.find((k) => pep503(k) === name);
    if (!owned.has(name) && key !== undefined) {
      clashes.push({
        message: `${file} already has a [tool.uv.sources] entry for ${dep.package}, which component ${dep.component} wants to manage`,
        hint: `remove the ${key} entry from [tool.uv.sources] in ${file}${orRemove(dep)}`,
      });
    }
    const source = sources.find((s) => s.name === name && !s.editable);
    if (source && owned.has(name)) {
      const shape = source.subTable ? `a [tool.uv.sources.${source.key}] table` : `split over dotted keys (\`${source.key}.…\`)`;
      throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `the [tool.uv.sources] entry for ${dep.package} that hsm manages is ${shape}, which hsm cannot rewrite`, {
        hint: `write it as one \`${source.key} = { … }\` entry, or delete it and run \`hsm sync\` to have hsm write it again`,
      });
    }
  }
  if (clashes.length === 1) throw new HsmError(ErrorCodes.PYPROJECT_CLASH, clashes[0].message, { hint: clashes[0].hint });
  if (clashes.length > 1) {
    throw new HsmError(ErrorCodes.PYPROJECT_CLASH, `${clashes.length} entries in ${file} clash with components (all listed below)`, {
      details: clashes.map((c) => `${c.message} — ${c.hint}`),
      hint: 'fix each one as its line says, then run the command again',
    });
  }
  const existing = doc.indexBlocks();
  for (const [name, url] of indexes) {
    const block = existing.find((b) => b.name === name);
    if (block && !ownedIndexes.has(name) && block.url !== url) {
      throw new HsmError(ErrorCodes.PYPROJECT_CLASH, `${file} already defines the uv index ${name} with another URL (${block.url ?? 'none'})`, {
        hint: `rename or remove the [[tool.uv.index]] named ${name} in ${file}`,
      });
    }
  }
  if (doc.dependencies() === 'unsupported') {
    throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `[project].dependencies in ${file} is not a \`dependencies = [ … ]\` line under [project]`, {
      hint: `write it as \`dependencies = [ … ]\` under the [project] table in ${file}`,
    });
  }
  const workspace = (data.tool as { uv?: { workspace?: { members?: unknown } } } | undefined)?.uv?.workspace;
  if (!doc.projectAnchor() && desired.size > 0 && workspace) {
    // a virtual workspace root: the dependencies belong in a member (issue 9 item 2)
    const members = Array.isArray(workspace.members) ? workspace.members.filter((m): m is string => typeof m === 'string') : [];
    throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `${file} is the root of a uv workspace with no [project] of its own (a virtual root); hsm adds Python dependencies to a member's pyproject.toml, not here`, {
      hint: `name the member that should get them: \`hsm add --package MEMBER NAME…\` (python.package in hsm.yaml)${members.length ? `; members: ${members.join(', ')}` : ''}`,
    });
  }
  if (!doc.projectAnchor() && desired.size > 0) {
    throw new HsmError(ErrorCodes.PYPROJECT_INVALID, `${file} has no [project] table`, {
      hint: `add a [project] table with name and version to ${file} (see PEP 621)`,
    });
  }
}

/** The result must parse and carry exactly the requirements asked for: a failed edit is a bug, never a write. */
function verify(text: string, desired: PythonDependency[], file: string): void {
  let deps: unknown;
  try {
    noteParse('pyproject.toml (self-check of the result)');
    deps = (parseToml(text) as { project?: { dependencies?: unknown } }).project?.dependencies ?? [];
  } catch (e) {
    throw new HsmError(ErrorCodes.INTERNAL, `hsm produced an invalid ${file}: ${(e as Error).message.split('\n')[0]}`, { cause: e, hint: 'please report this bug with your pyproject.toml' });
  }
  const present = new Set(Array.isArray(deps) ? deps : []);
  const missing = desired.find((d) => !present.has(d.requirement));
  if (missing) throw new HsmError(ErrorCodes.INTERNAL, `hsm failed to add ${missing.requirement} to ${file}`, { hint: 'please report this bug with your pyproject.toml' });
}
