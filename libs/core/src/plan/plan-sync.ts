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
import { renderCompose, COMPOSE_HEADER, parseUserCompose, linkComposeInclude, linkComposeEnv, renderEnvFile, toComposeProjectName, normaliseProjectName, ENV_FILE, type UserComposeFile } from '../compose/index.js';
import { composeEnvironment, composeFileName, type ComposeEnv } from '../compose/compose-project.js';
import { parsePyproject } from '../pyproject/render-pyproject.js';
import { pyprojectTarget, type PyprojectTarget, type WorkspaceMember } from '../pyproject/uv-workspace.js';
import { posix } from 'node:path';
import { HsmError, ErrorCodes } from '../errors.js';
import { lockFromResolution } from '../resolver/index.js';
import { parseOverlay } from '../load.js';
import { configureComponents, type ConfiguredComponent } from '../options/configure.js';
import { checkServiceSafety } from '../safety/check-service-safety.js';
import { GENERATED_COMPOSE } from './project-files.js';
import { withoutInstanceBlock } from '../instance/plan-instance.js';
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

/**
 * The Compose project name, the one Compose itself picks for the user's own `docker compose` in the compose
 * directory (issue 9 item 6; docs/spec.md §6.2): `COMPOSE_PROJECT_NAME` in `.env`; else, when the user has a compose
 * file, the last top-level `name:` of that file and its `.override` file (an `include:`d file's is not the
 * project's), else the directory's name normalised as Compose does it; else — the generated file standing alone —
 * its own `name:` (standaloneProjectName). `COMPOSE_PROJECT_NAME` in the environment is personal: the host applies
 * it at run time (composeArgv). `dirName` is the compose directory's base name.
 */
export function composeProjectName(manifest: Manifest, project: Pick<ProjectFiles, '.env' | 'userCompose' | 'composeExtra'> & { dirName: string }): string {
  // the committed name: a checkout's own name in hsm's `.env` block (issue 12) is not part of it
  const env = composeEnvironment(withoutInstanceBlock(project['.env']));
  if (env.COMPOSE_PROJECT_NAME) return toComposeProjectName(env.COMPOSE_PROJECT_NAME);
  if (!project.userCompose) return standaloneProjectName(manifest);
  const own = [project.userCompose, project.composeExtra?.override]
    .map((f) => (f ? composeFileName(f.text, env) : undefined))
    .filter((n): n is string => !!n)
    .at(-1);
  const name = own ?? directoryProjectName(project.dirName, project.userCompose.file);
  const wanted = manifest.compose?.project_name;
  if (wanted && wanted !== name) {
    throw new HsmError(
      ErrorCodes.MANIFEST_INVALID,
      `compose.project_name \`${wanted}\` in hsm.yaml is not the name Compose gives this project (\`${name}\`, from ${own ? `the name: of ${project.userCompose.file}` : 'the directory'}): your own \`docker compose\` would run another stack`,
      {
        hint: `remove compose.project_name from hsm.yaml, or name the project where Compose reads it: \`name: ${wanted}\` in ${project.userCompose.file} or COMPOSE_PROJECT_NAME=${wanted} in .env`,
      },
    );
  }
  return name;
}

/** The generated file's own `name:` when it stands alone: `compose.project_name`, else hsm.yaml's name (committed sources only). */
export function standaloneProjectName(manifest: Manifest): string {
  return toComposeProjectName(manifest.compose?.project_name ?? manifest.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-'));
}

/** What Compose names a project after its directory (compose-go's NormalizeProjectName: lower case, [a-z0-9_-] kept, no leading `_`/`-`). */
function directoryProjectName(dirName: string, userFile: string): string {
  const name = normaliseProjectName(dirName);
  if (name === '') {
    throw new HsmError(ErrorCodes.MANIFEST_INVALID, `the directory name \`${dirName}\` gives Compose no project name (${userFile} has no top-level name:)`, {
      hint: `name the project: \`name: <name>\` at the top of ${userFile}, or COMPOSE_PROJECT_NAME=<name> in .env`,
    });
  }
  return name;
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

/**
 * The files to hand to `docker compose -f …`, the same set Compose loads by default — the user's file and its
 * `.override` — plus the generated file where no `include:` pulls it in (empty: the stack has no services).
 */
export function composeFileList(link: 'include' | 'env' | 'none', userFile: string | null, override: string | null, generated: boolean): string[] {
  if (!generated) return [];
  const user = userFile ? [userFile, ...(override ? [override] : [])] : [];
  if (user.length && link === 'include') return user;
  return [...(link === 'env' ? user : []), GENERATED_COMPOSE];
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
  const at = (f: string) => (composeDir ? posix.join(composeDir, f) : f);
  const composeRoot = composeDir ? posix.join(input.projectDir, composeDir) : input.projectDir;
  const projectName = composeProjectName(manifest, { ...files, dirName: posix.basename(composeRoot) });
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

  // Compose side
  const userCompose = files.userCompose ? { ...files.userCompose, parsed: parseUserCompose(files.userCompose) } : null;
  // definitions are untrusted, so what they ask of the host is refused unless hsm.yaml allows it
  // (`compose.bind: 0.0.0.0` is the manifest asking for public ports, for every component); checked on the
  // configured definitions, so a host path an option supplies is judged by its value
  const publicPorts = manifest.compose?.bind === '0.0.0.0';
  const allowed = (name: string): readonly string[] => [...(manifest.components?.[name]?.allow ?? []), ...(publicPorts ? ['public-ports'] : [])];
  checkServiceSafety(configured, allowed);
  const compose = renderCompose({
    allowed,
    // the generated file names the project only when it stands alone; beside the user's file it joins their project
    projectName: files.userCompose ? null : standaloneProjectName(manifest),
    // checkouts are relative to hsm.yaml; the generated file beside the root's compose file needs them from there
    components: composeDir ? configured.map((c) => (posix.isAbsolute(c.checkout) ? c : { ...c, checkout: posix.join(input.projectDir, c.checkout) })) : configured,
    checkoutExists: (c) => input.checkouts[c.name] === true,
    userCompose,
    // named in messages by their path from hsm.yaml: `../compose.yml` from a workspace member (issue 9 item 2)
    userFiles: userCompose ? [userCompose, ...(files.composeExtra?.override ? [files.composeExtra.override] : []), ...(files.composeExtra?.included ?? [])].map((f) => ({ ...f, file: at(f.file) })) : [],
    generatedFile: at(GENERATED_COMPOSE),
    env: composeEnvironment(files['.env'], files.environment),
    projectDir: composeRoot,
    link: manifest.compose?.link ?? 'include',
  });
  add(at(GENERATED_COMPOSE), files[GENERATED_COMPOSE], compose.text);
  // the file an earlier hsm generated beside hsm.yaml is replaced by the one at the root: take back hsm's own
  if (composeDir && files.staleGenerated?.startsWith(COMPOSE_HEADER)) add(GENERATED_COMPOSE, files.staleGenerated, null);
  const link = manifest.compose?.link ?? 'include';
  const present = compose.text !== null;
  // Every link mode takes back the others' edits: switching `include` → `env`/`none` drops hsm's include entry,
  // or the user's `docker compose` would fail once the generated file is gone (issue 9 item 3).
  if (userCompose && (link === 'include' || userCompose.text.includes(GENERATED_COMPOSE))) {
    add(at(userCompose.file), userCompose.text, linkComposeInclude(userCompose.text, GENERATED_COMPOSE, present && link === 'include', at(userCompose.file), userCompose.parsed.doc));
  }
  // `env` writes COMPOSE_FILE; any other link takes back a COMPOSE_FILE entry hsm wrote earlier (linkComposeEnv
  // only ever removes its own entry)
  if (link === 'env' || (files['.env'] !== null && /^COMPOSE_FILE=/m.test(files['.env']))) {
    const list = present && link === 'env' ? composeFileList('env', files.userCompose?.file ?? null, files.composeExtra?.override?.file ?? null, true) : null;
    add(at('.env'), files['.env'], linkComposeEnv(files['.env'], list));
  }
  add(ENV_FILE, files[ENV_FILE], renderEnvFile(configured));

  const composeFiles = composeFileList(link, files.userCompose?.file ?? null, files.composeExtra?.override?.file ?? null, present);

  // Ownership is recorded while hsm owns something in pyproject.toml; once the last entry is gone so is the
  // record, so a plan right after applying this one is empty (issue 9: add → remove must settle in one sync).
  const ownsAny = owned.dependencies.length > 0 || owned.indexes.length > 0 || (owned.created ?? []).length > 0;
  // the file is recorded only when it is not the project's own, so an existing hsm.lock keeps its bytes
  const lockOwned = ownsAny ? { pyproject: { ...owned, ...(target.file !== 'pyproject.toml' ? { file: target.file } : {}) } } : {};
  const lock: Lockfile = { version: 1, components: lockFromResolution(resolution), ...lockOwned };
  const lockText = resolution.components.length === 0 && files['hsm.lock'] === null ? null : stableJson(lock);
  add('hsm.lock', files['hsm.lock'], lockText);

  const order = ['hsm.yaml', 'hsm.local.yaml', 'hsm.lock', ownedFile, target.file, at(GENERATED_COMPOSE), ENV_FILE];
  changes.sort((a, b) => rank(order, a.path) - rank(order, b.path) || a.path.localeCompare(b.path));
  const composeModel = (changes.some((c) => c.path === at(GENERATED_COMPOSE)) && compose.model) || null;
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
