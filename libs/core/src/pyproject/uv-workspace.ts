/**
 * uv workspaces (issue 9 item 2), by uv's own rules: from a project, the workspace root is the nearest parent
 * directory whose pyproject.toml has `[tool.uv.workspace]`; the project is a member when its path (relative to
 * that root) matches one of `members` and none of `exclude` (globs). A member shares the root's uv.lock and
 * `.venv`, so those are the files a sync in the member changes. Pure: the host reads the pyproject.toml files.
 */
import { parse as parseToml } from 'smol-toml';
import { HsmError, ErrorCodes } from '../errors.js';
import { didYouMean } from '../did-you-mean.js';
import { parsePyproject } from './render-pyproject.js';

export interface UvWorkspaceInfo {
  /** The workspace root, as given in `ancestors`. */
  root: string;
  /** The member's path relative to the root (posix), e.g. `backend`. */
  member: string;
}

interface WorkspaceTable {
  members?: unknown;
  exclude?: unknown;
}

function workspaceTable(text: string): WorkspaceTable | null {
  let data: { tool?: { uv?: { workspace?: unknown } } };
  try {
    data = parseToml(text) as typeof data;
  } catch {
    return null; // an unreadable parent pyproject.toml is uv's to report
  }
  const ws = data.tool?.uv?.workspace;
  return ws && typeof ws === 'object' ? (ws as WorkspaceTable) : null;
}

/** A uv/glob pattern (`*`, `**`, `?`, `[…]`) as a regular expression over a posix relative path. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  const g = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*' && g[i + 1] === '*') {
      re += '.*';
      i++;
      if (g[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = g.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${g
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The workspace `projectDir` is a member of, or null. `ancestors`: the parent directories of `projectDir`,
 * nearest first, each with its pyproject.toml text (null: none). Paths are absolute and posix.
 */
export function findUvWorkspace(projectDir: string, ancestors: { dir: string; pyproject: string | null }[]): UvWorkspaceInfo | null {
  for (const a of ancestors) {
    if (a.pyproject === null) continue;
    const ws = workspaceTable(a.pyproject);
    if (!ws) continue;
    const member = projectDir.slice(a.dir.replace(/\/+$/, '').length + 1);
    const matches = (patterns: string[]) => patterns.some((p) => globToRegExp(p).test(member));
    // uv stops at the nearest workspace: a project it does not include stands on its own
    return matches(strings(ws.members)) && !matches(strings(ws.exclude)) ? { root: a.dir, member } : null;
  }
  return null;
}

/** The members a virtual workspace root lists (for the message that asks which one gets the dependencies). */
export function workspaceMembers(pyproject: string): string[] | null {
  const ws = workspaceTable(pyproject);
  return ws ? strings(ws.members) : null;
}

/** `members` and `exclude` of a workspace root's `[tool.uv.workspace]` (null: the file is no workspace root). */
export function workspaceGlobs(pyproject: string): { members: string[]; exclude: string[] } | null {
  const ws = workspaceTable(pyproject);
  return ws ? { members: strings(ws.members), exclude: strings(ws.exclude) } : null;
}

/** A member of the workspace rooted at the project, as the host found it (uv's members/exclude globs expanded). */
export interface WorkspaceMember {
  /** Its directory relative to the project (posix), e.g. `backend`. */
  path: string;
  /** Its `[project].name` (null: none or unreadable). */
  name: string | null;
  /** Its pyproject.toml. */
  text: string;
}

/** The pyproject.toml hsm edits: the project's own, or a member's chosen by `python.package`. */
export interface PyprojectTarget {
  /** Relative to the project: `pyproject.toml` or `<member>/pyproject.toml`. */
  file: string;
  text: string | null;
  /** The member's directory (null: the project's own file); relative paths written into the file start there. */
  member: string | null;
}

function normalName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `[project].name` of a pyproject.toml, or null. */
export function projectNameOf(text: string): string | null {
  try {
    const name = (parseToml(text) as { project?: { name?: unknown } }).project?.name;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

const describeMembers = (members: WorkspaceMember[]) => members.map((m) => (m.name ? `${m.name} (${m.path})` : `${m.path} (no [project].name)`)).join(', ');

/**
 * Which pyproject.toml gets the Python dependencies (issue 9 item 1). `members`: the workspace members when the
 * project's pyproject.toml is a uv workspace root (undefined: it is not one). `pkg`: `python.package` of hsm.yaml.
 * `rootData`: the project's pyproject.toml parsed (undefined: none). `needed`: hsm has Python dependencies to place.
 * At a virtual root (a workspace with no [project]) the user must say which member, as with `uv add --package`.
 */
export function pyprojectTarget(input: { rootText: string | null; rootData: Record<string, unknown> | undefined; members: WorkspaceMember[] | undefined; pkg: string | undefined; needed: boolean }): PyprojectTarget {
  const { rootText, rootData, members, pkg } = input;
  const root: PyprojectTarget = { file: 'pyproject.toml', text: rootText, member: null };
  const rootProject = rootData?.project as { name?: unknown } | undefined;
  const named = members?.filter((m): m is WorkspaceMember & { name: string } => m.name !== null) ?? [];
  const example = named[0]?.name ?? '<member>';
  if (pkg !== undefined) {
    if (typeof rootProject?.name === 'string' && normalName(rootProject.name) === normalName(pkg)) return root;
    if (!members) {
      throw new HsmError(
        ErrorCodes.WORKSPACE_MEMBER,
        `hsm.yaml sets python.package to \`${pkg}\`, but pyproject.toml here is not the root of a uv workspace (no [tool.uv.workspace])${typeof rootProject?.name === 'string' ? ` and its project is ${rootProject.name}` : ''}`,
        {
          hint: 'remove `python.package` from hsm.yaml to use this pyproject.toml, or keep hsm.yaml at the workspace root',
        },
      );
    }
    const member = named.find((m) => normalName(m.name) === normalName(pkg));
    // a member whose pyproject.toml does not parse has no name to match: say so, at its line, not "no member"
    if (!member) for (const m of members) if (m.name === null) parsePyproject(m.text, `${m.path}/pyproject.toml`);
    if (!member) {
      throw new HsmError(
        ErrorCodes.WORKSPACE_MEMBER,
        `python.package in hsm.yaml is \`${pkg}\`, which is not a member of this uv workspace${didYouMean(
          pkg,
          named.map((m) => m.name),
        )}`,
        {
          hint: members.length ? `members (project name and directory): ${describeMembers(members)}` : 'the workspace has no members yet: list them under [tool.uv.workspace] members in pyproject.toml',
        },
      );
    }
    return { file: `${member.path}/pyproject.toml`, text: member.text, member: member.path };
  }
  if (members && input.needed && rootData && rootProject === undefined) {
    throw new HsmError(ErrorCodes.WORKSPACE_MEMBER, 'pyproject.toml is the root of a uv workspace with no [project] of its own (a virtual root): say which member gets the Python dependencies', {
      hint: members.length
        ? `run \`hsm add --package ${example} NAME…\` (it writes \`python: { package: ${example} }\` to hsm.yaml), or run hsm in the member's directory; members: ${describeMembers(members)}`
        : 'list the members under [tool.uv.workspace] members in pyproject.toml, then run `hsm add --package MEMBER NAME…`',
    });
  }
  return root;
}
