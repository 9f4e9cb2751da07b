/**
 * The planner: from the manifest, the resolution and the current files, computes every artifact in memory.
 * Pure: the shell reads the files before and applies the plan after; everything that can fail fails here,
 * before the first write (SPEC §7.4).
 */
import type { Manifest, LocalOverlay } from '../schema/manifest.js';
import type { Lockfile } from '../schema/lock.js';
import type { Resolution, ResolvedComponent } from '../model.js';
import { stableJson } from '../canonical-json.js';
import { renderPyproject, pep503, requirementName, readPyprojectSources, type PythonDependency, type PyprojectOwnership } from '../pyproject/render-pyproject.js';
import { ENV_FILE, type UserComposeFile } from '../compose/index.js';
import type { ComposeEnv } from '../compose/compose-project.js';
import { parsePyproject } from '../pyproject/render-pyproject.js';
import { pyprojectTarget, type PyprojectTarget, type WorkspaceMember } from '../pyproject/uv-workspace.js';
import { posix } from 'node:path';
import { lockFromResolution } from '../resolver/index.js';
import { parseOverlay } from '../load.js';
import { configureComponents, type ConfiguredComponent } from '../options/configure.js';
import { planCompose, stackProjectName, generatedComposePath } from './plan-compose.js';
import { portableSchemaModeline } from '../manifest/schema-modeline.js';

export { GENERATED_COMPOSE, USER_COMPOSE_FILES, PROJECT_FILES } from './project-files.js';

export interface ProjectFiles {
  'hsm.yaml': string;
  'hsm.local.yaml': string | null;
  'hsm.lock': string | null;
  'pyproject.toml': string | null;
  'uv.lock': string | null;
  'docker-compose.hsm.yml': string | null;
  'hsm.env': string | null;
  '.env': string | null;
  /** The user's compose file, if any (first of USER_COMPOSE_FILES that exists). */
  userCompose: { file: string; text: string } | null;
  /**
   * The rest of the user's Compose project, read-only for hsm (issue 9 item 4): the `.override` file Compose loads
   * after the user's file, and the files they `include:`. Absent: none.
   */
  composeExtra?: { override: UserComposeFile | null; included: UserComposeFile[] };
  /** The process environment, for `${VAR}` interpolation in the user's files the way Compose does it. */
  environment?: ComposeEnv;
  /**
   * Where the user's Compose project is, relative to the project (posix, e.g. `..`; absent: here): a uv workspace
   * member with no compose file of its own joins the root's (issue 9 item 2). `userCompose`, `composeExtra`,
   * `.env` and `docker-compose.hsm.yml` are then that directory's, and their paths relative to it.
   */
  composeDir?: string;
  /** With `composeDir`: a docker-compose.hsm.yml hsm wrote beside hsm.yaml before the stack joined the root's project. */
  staleGenerated?: string | null;
  /** The members of the uv workspace whose root is this project (undefined: pyproject.toml is no workspace root). */
  workspaceMembers?: WorkspaceMember[];
  /**
   * The pyproject.toml hsm.lock says holds hsm's entries (`pyproject.file`), when it is neither the project's own
   * nor a member's read above (a member since dropped from the workspace): text null when it is gone.
   */
  ownedPyproject?: { file: string; text: string | null };
}

export interface FileChange {
  path: string;
  before: string | null;
  after: string | null;
}

export interface SyncPlan {
  projectName: string;
  /** Only files whose bytes change, in a stable order. */
  changes: FileChange[];
  lock: Lockfile;
  /** hsm manages Python dependencies in this project: run `uv sync` after writing. */
  python: boolean;
  /** Compose files to pass to `docker compose -f …` (empty: no services), relative to `composeDir`. */
  composeFiles: string[];
  /**
   * The Compose project directory relative to the project (posix; empty: the project itself) — the uv workspace
   * root whose compose file a member's stack joins (issue 9 item 2).
   */
  composeDir: string;
  /** Human-readable drift findings for `hsm sync --check` beyond "file differs". */
  notes: string[];
  resolution: Resolution;
  /** The stack with option values applied (what the artifacts were rendered from). */
  configured: ConfiguredComponent[];
  /** Components added, removed or changed in hsm.lock: `name 1.0.0`, `name 1.0.0 -> 1.1.0`. */
  lockChanges: LockChanges;
  /** The generated compose file as data when this plan writes a new one (checked against the Compose schema). */
  composeModel: Record<string, unknown> | null;
}

export interface LockChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface PlanInput {
  manifest: Manifest;
  /** New texts of the manifest and overlay (an edit command changes them in the same transaction). */
  manifestText: string;
  overlayText: string | null;
  files: ProjectFiles;
  /** hsm.lock as the reader parsed it (null when there is none). */
  lock: Lockfile | null;
  resolution: Resolution;
  /** Component name → its dev checkout exists (the reader looked, so the plan stays pure). */
  checkouts: Readonly<Record<string, boolean>>;
  /** Absolute project directory, so absolute checkout paths can be written relative to it. */
  projectDir: string;
  /** hsm.local.yaml as the reader parsed it (its `with:` values win over hsm.yaml's); parsed here when absent. */
  overlay?: LocalOverlay;
  /**
   * A command that writes: hsm.yaml's `$schema` line, when an older hsm wrote this machine's absolute path there,
   * becomes the relative `.hsm/hsm.schema.json` in the same transaction (read-only commands report no drift for it).
   */
  portableSchemaLine?: boolean;
}

export function lockChanges(before: Lockfile | null, after: Lockfile): LockChanges {
  const b = before?.components ?? {};
  const a = after.components;
  const added = Object.keys(a)
    .filter((k) => !(k in b))
    .map((k) => `${k} ${a[k].version}`);
  const removed = Object.keys(b)
    .filter((k) => !(k in a))
    .map((k) => `${k} ${b[k].version}`);
  const changed = Object.keys(a)
    .filter((k) => k in b && b[k].version !== a[k].version)
    .map((k) => `${k} ${b[k].version} -> ${a[k].version}`);
  return { added, removed, changed };
}

/** The dependency hsm puts in pyproject.toml for one component. */
export function pythonDependency(c: ResolvedComponent): PythonDependency | null {
  const py = c.definition.python;
  if (!py) return null;
  if (c.mode === 'dev') {
    // A checkout usually carries a development version (1.5.0.dev0) that the released pin would reject, so in
    // dev mode the requirement is the bare name and [tool.uv.sources] says where it comes from.
    const base = c.checkout.replace(/\/+$/, '');
    const path = py.source?.subdirectory ? `${base}/${py.source.subdirectory}` : base;
    return { component: c.name, package: py.package, requirement: py.package, source: { path, editable: true } };
  }
  return {
    component: c.name,
    package: py.package,
    requirement: py.requirement ?? `${py.package}==${c.version}`,
    ...(py.index ? { index: py.index } : {}),
  };
}

export function planSync(input: PlanInput): SyncPlan {
  const { manifest, files, resolution } = input;
  const previousLock = input.lock;
  // a member joining the workspace root's Compose project: its files live there (issue 9 item 2)
  const composeDir = files.composeDir ?? '';
  const projectName = stackProjectName(manifest, files, input.projectDir);
  const changes: FileChange[] = [];
  const notes: string[] = [];
  const add = (path: string, before: string | null, after: string | null) => {
    if (before !== after) changes.push({ path, before, after });
  };

  add('hsm.yaml', files['hsm.yaml'], (input.portableSchemaLine && portableSchemaModeline(input.manifestText)) || input.manifestText);
  add('hsm.local.yaml', files['hsm.local.yaml'], input.overlayText);

  // Option values (hsm.yaml < hsm.local.yaml) interpolated into every definition before anything is rendered.
  const configured = configureComponents({
    components: resolution.components,
    manifest,
    overlay: input.overlay ?? (input.overlayText === null ? {} : parseOverlay(input.overlayText)),
    manifestText: input.manifestText,
    overlayText: input.overlayText,
  });

  // Python side
  // `hsm remove X` is only advice when X is in the hsm.yaml on disk (not just in an edit being tried)
  const committed = files['hsm.yaml'] === input.manifestText;
  const listed = new Set(resolution.components.filter((c) => committed && c.reasons.some((r) => r.kind === 'manifest')).map((c) => c.name));
  const desired = configured
    .map(pythonDependency)
    .filter((d): d is PythonDependency => d !== null)
    .map((d) => (listed.has(d.component) ? { ...d, removable: true } : d))
    .sort((a, b) => pep503(a.package).localeCompare(pep503(b.package)));
  const { file: lockedFile, ...lockedOwnership } = previousLock?.pyproject ?? {};
  let ownedFile = lockedFile ?? 'pyproject.toml';
  let ownedBefore: PyprojectOwnership = { dependencies: [], indexes: [], ...lockedOwnership } as PyprojectOwnership;
  const python = desired.length > 0 || ownedBefore.dependencies.length > 0;
  let owned: PyprojectOwnership = ownedBefore;
  // the file that gets them: the project's own pyproject.toml, or the workspace member `python.package` names
  // (issue 9 item 1); parsed once here, shared by the ownership check, the renderer and the dev-source notes
  let pyprojectData: Record<string, unknown> | undefined;
  let target: PyprojectTarget = { file: 'pyproject.toml', text: files['pyproject.toml'], member: null };
  if (python) {
    const rootData = files['pyproject.toml'] !== null ? parsePyproject(files['pyproject.toml']) : undefined;
    target = pyprojectTarget({ rootText: files['pyproject.toml'], rootData, members: files.workspaceMembers, pkg: manifest.python?.package, needed: desired.length > 0 });
    pyprojectData = target.member === null ? rootData : target.text === null ? undefined : parsePyproject(target.text, target.file);
    // an hsm.lock written before it recorded the file: the entries are in the project's own pyproject.toml only
    // when its requirements are there; otherwise they are already in the member python.package names
    if (lockedFile === undefined && target.member !== null && !listsAny(rootData, ownedBefore.dependencies)) ownedFile = target.file;
  }
  // a member's pyproject.toml: uv reads a path source relative to the member's directory
  const placed = target.member === null ? desired : desired.map((d) => (d.source && !posix.isAbsolute(d.source.path) ? { ...d, source: { ...d.source, path: posix.relative(target.member!, d.source.path) || '.' } } : d));
  // `python.package` now names another file than the one hsm's entries are in: the same transaction takes them out
  // of that one, giving back its bytes (with the entries hsm created there), and starts afresh in the new one
  const moved = python && ownedFile !== target.file;
  if (moved) {
    const from =
      ownedFile === 'pyproject.toml'
        ? files['pyproject.toml']
        : (files.workspaceMembers?.find((m) => `${m.path}/pyproject.toml` === ownedFile)?.text ?? (files.ownedPyproject?.file === ownedFile ? files.ownedPyproject.text : null));
    if (from !== null) add(ownedFile, from, renderOwnedPyproject(from, ownedFile, manifest.name, [], ownedBefore).text);
    ownedBefore = { dependencies: [], indexes: [] };
  }
  if (python && !(moved && placed.length === 0)) {
    const rendered = renderOwnedPyproject(target.text, target.file, manifest.name, placed, ownedBefore, pyprojectData);
    owned = rendered.owned;
    add(target.file, target.text, rendered.text);
    notes.push(...devSourceNotes(pyprojectData, placed, resolution, target.file));
  } else if (moved) owned = ownedBefore;

  // Compose side: the generated file, its link into the user's Compose project, hsm.env
  const compose = planCompose({ manifest, files, configured, checkouts: input.checkouts, projectDir: input.projectDir });
  changes.push(...compose.changes);

  // Ownership is recorded while hsm owns something in pyproject.toml; once the last entry is gone so is the
  // record, so a plan right after applying this one is empty (issue 9: add → remove must settle in one sync).
  const ownsAny = owned.dependencies.length > 0 || owned.indexes.length > 0 || (owned.created ?? []).length > 0;
  // the file is recorded only when it is not the project's own, so an existing hsm.lock keeps its bytes
  const lockOwned = ownsAny ? { pyproject: { ...owned, ...(target.file !== 'pyproject.toml' ? { file: target.file } : {}) } } : {};
  const lock: Lockfile = { version: 1, components: lockFromResolution(resolution), ...lockOwned };
  const lockText = resolution.components.length === 0 && files['hsm.lock'] === null ? null : stableJson(lock);
  add('hsm.lock', files['hsm.lock'], lockText);

  const order = ['hsm.yaml', 'hsm.local.yaml', 'hsm.lock', ownedFile, target.file, generatedComposePath({ composeDir }), ENV_FILE];
  changes.sort((a, b) => rank(order, a.path) - rank(order, b.path) || a.path.localeCompare(b.path));
  const { composeFiles, composeModel } = compose;
  return { projectName, changes, lock, python, composeFiles, composeDir, notes, resolution, lockChanges: lockChanges(previousLock, lock), composeModel, configured };
}

/**
 * One pyproject.toml rendered with hsm's entries: `desired` in, the `owned` ones no longer desired out. Whether hsm
 * created `[tool.uv.sources]` is personal state in dev mode (editable paths), so it is not kept in the shared
 * hsm.lock: a table holding nothing but hsm's own entries is taken to be hsm's.
 */
function renderOwnedPyproject(
  text: string | null,
  file: string,
  projectName: string,
  desired: PythonDependency[],
  ownedBefore: PyprojectOwnership,
  data: Record<string, unknown> | undefined = text === null ? undefined : parsePyproject(text, file),
): { text: string; owned: PyprojectOwnership } {
  const created = new Set(ownedBefore.created ?? []);
  if (data && onlyOwnedSources(data, ownedBefore.dependencies)) created.add('tool.uv.sources');
  const rendered = renderPyproject({ text, data, file, projectName, desired, owned: { ...ownedBefore, created: [...created].sort() as PyprojectOwnership['created'] } });
  const shared = (rendered.owned.created ?? []).filter((c) => c !== 'tool.uv.sources');
  return { text: rendered.text, owned: { dependencies: rendered.owned.dependencies, indexes: rendered.owned.indexes, ...(shared.length ? { created: shared } : {}) } };
}

/** `[project].dependencies` of a parsed pyproject.toml names one of `names` (PEP 503). */
function listsAny(data: Record<string, unknown> | undefined, names: string[]): boolean {
  const deps = (data?.project as { dependencies?: unknown } | undefined)?.dependencies;
  const wanted = new Set(names.map(pep503));
  return Array.isArray(deps) && deps.some((d) => typeof d === 'string' && wanted.has(requirementName(d) ?? ''));
}

function onlyOwnedSources(text: Record<string, unknown>, ownedDeps: string[]): boolean {
  let sources: Record<string, unknown>;
  try {
    sources = readPyprojectSources(text);
  } catch {
    return false;
  }
  const keys = Object.keys(sources);
  const owned = new Set(ownedDeps.map(pep503));
  return keys.length > 0 && keys.every((k) => owned.has(pep503(k)));
}

function rank(order: string[], p: string): number {
  const i = order.indexOf(p);
  return i < 0 ? order.length : i;
}

/** "pyproject.toml carries a dev source for X" when a committed file has a path source the plan would drop. */
function devSourceNotes(data: Record<string, unknown> | undefined, desired: PythonDependency[], resolution: Resolution, file: string): string[] {
  if (!data) return [];
  const sources = ((data as { tool?: { uv?: { sources?: unknown } } }).tool?.uv?.sources ?? {}) as Record<string, unknown>;
  if (typeof sources !== 'object' || sources === null) return [];
  const notes: string[] = [];
  for (const d of desired) {
    if (d.source) continue;
    const key = Object.keys(sources).find((k) => pep503(k) === pep503(d.package));
    const s = key ? (sources[key] as { path?: string; editable?: boolean }) : undefined;
    if (s && typeof s === 'object' && (s.path !== undefined || s.editable)) {
      const comp = resolution.components.find((c) => c.name === d.component);
      notes.push(`${file} carries a dev source for ${d.component} (${d.package} from ${s.path ?? 'a local path'}); ${comp ? `${comp.name} is in prod mode here` : ''}`.trim());
    }
  }
  return notes;
}
