/** Finds the uv workspace a project directory belongs to (uv's rules: findUvWorkspace), reading parent pyproject.toml files. */
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { findUvWorkspace, globToRegExp, type UvWorkspaceInfo } from '@hsm/core';

const MAX_LEVELS = 32;

export async function uvWorkspaceOf(projectDir: string): Promise<UvWorkspaceInfo | null> {
  const start = resolve(projectDir);
  const ancestors: { dir: string; pyproject: string | null }[] = [];
  let dir = dirname(start);
  for (let i = 0; i < MAX_LEVELS; i++) {
    const text = await readFile(join(dir, 'pyproject.toml'), 'utf8').catch(() => null);
    ancestors.push({ dir, pyproject: text });
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return findUvWorkspace(start, ancestors);
}

/**
 * The member directories of the workspace rooted at `root` (relative, posix, sorted): uv's `members` globs expanded
 * over the directories there, minus `exclude`, each holding a pyproject.toml.
 */
export async function workspaceMemberDirs(root: string, members: string[], exclude: string[]): Promise<string[]> {
  const found = new Set<string>();
  const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() ?? false;
  const walk = async (rel: string, segments: string[], depth: number): Promise<void> => {
    if (segments.length === 0) {
      if (rel && existsSync(join(root, rel, 'pyproject.toml'))) found.add(rel);
      return;
    }
    const [seg, ...rest] = segments;
    const here = join(root, rel);
    if (!/[*?[]/.test(seg)) {
      const next = rel ? `${rel}/${seg}` : seg;
      if (seg === '.' || seg === '') return walk(rel, rest, depth);
      if (await isDir(join(root, next))) await walk(next, rest, depth);
      return;
    }
    if (depth > MAX_LEVELS) return;
    const names = await readdir(here, { withFileTypes: true }).catch(() => []);
    const subdirs = names
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    if (seg === '**') {
      await walk(rel, rest, depth + 1);
      for (const d of subdirs) await walk(rel ? `${rel}/${d}` : d, segments, depth + 1);
      return;
    }
    const re = globToRegExp(seg);
    for (const d of subdirs) if (re.test(d)) await walk(rel ? `${rel}/${d}` : d, rest, depth + 1);
  };
  for (const pattern of members) await walk('', pattern.replace(/^\.\//, '').replace(/\/+$/, '').split('/'), 0);
  const excluded = exclude.map(globToRegExp);
  return [...found].filter((m) => !excluded.some((re) => re.test(m))).sort();
}
