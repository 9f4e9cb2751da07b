/** Finds the uv workspace a project directory belongs to (uv's rules: findUvWorkspace), reading parent pyproject.toml files. */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { findUvWorkspace, type UvWorkspaceInfo } from '@hsm/core';

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
