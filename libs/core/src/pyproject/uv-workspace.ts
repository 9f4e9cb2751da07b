/**
 * uv workspaces (issue 9 item 2), by uv's own rules: from a project, the workspace root is the nearest parent
 * directory whose pyproject.toml has `[tool.uv.workspace]`; the project is a member when its path (relative to
 * that root) matches one of `members` and none of `exclude` (globs). A member shares the root's uv.lock and
 * `.venv`, so those are the files a sync in the member changes. Pure: the host reads the pyproject.toml files.
 */
import { parse as parseToml } from 'smol-toml';

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
        re += `[${g.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
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
