/**
 * Paths hsm writes are relative to the project and must stay inside it: no `..`, not absolute, not through a
 * symlinked folder, never into `.hsm/` itself, and the target is never a symlink (a rename would replace the
 * link, a write would follow it out of the project).
 */
import { lstat } from 'node:fs/promises';
import { lstatSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { HsmError, ErrorCodes } from '@hsm/core/errors'; // not the index: this is on the project lock's fast path

export const HSM_DIR = '.hsm';

export interface ProjectPath {
  /** Normalised relative path with `/` separators, as recorded in the journal. */
  relative: string;
  absolute: string;
}

function unsafe(relative: string, why: string): HsmError {
  return new HsmError(ErrorCodes.PATH_UNSAFE, `refusing to write \`${relative}\`: ${why}`, {
    hint: 'use a plain path inside the project (no `..`, no absolute path, no symlinked folder)',
  });
}

/** Syntax only: no file system access. */
export function parseProjectPath(projectDir: string, relative: string): ProjectPath {
  if (typeof relative !== 'string' || relative === '' || relative.includes('\0')) throw unsafe(String(relative), 'not a path');
  if (path.isAbsolute(relative)) throw unsafe(relative, 'absolute path');
  const parts = relative.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw unsafe(relative, 'names the project folder itself');
  if (parts.includes('..')) throw unsafe(relative, 'goes outside the project through `..`');
  if (parts[0] === HSM_DIR) throw unsafe(relative, "inside hsm's own `.hsm/` folder");
  return { relative: parts.join('/'), absolute: path.join(projectDir, ...parts) };
}

/**
 * Syntax plus the file system: every existing parent is a real folder and (unless `checkTarget` is false, for a
 * rollback that must put a file back whatever is there now) the target is a regular file or absent.
 */
export async function resolveProjectPath(projectDir: string, relative: string, checkTarget = true): Promise<ProjectPath> {
  const parsed = parseProjectPath(projectDir, relative);
  const parts = parsed.relative.split('/');
  let current = projectDir;
  for (let i = 0; i < parts.length; i++) {
    current = path.join(current, parts[i]);
    const last = i === parts.length - 1;
    if (last && !checkTarget) break;
    const stat = await lstat(current).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
      throw new HsmError(ErrorCodes.IO, `cannot inspect \`${parsed.relative}\`: ${e.message}`, { cause: e });
    });
    if (stat === null) break; // the rest does not exist yet; it will be created as real folders
    if (stat.isSymbolicLink()) throw unsafe(parsed.relative, `\`${parts.slice(0, i + 1).join('/')}\` is a symlink`);
    if (!last && !stat.isDirectory()) throw unsafe(parsed.relative, `\`${parts.slice(0, i + 1).join('/')}\` is not a folder`);
    if (last && !stat.isFile()) throw unsafe(parsed.relative, 'exists and is not a regular file');
  }
  return parsed;
}

/** Fails with PATH_UNSAFE when `absolute` exists and is a symlink or not a folder. Returns whether it exists. */
export function assertRealDirectory(absolute: string, shown: string): boolean {
  let stat;
  try {
    stat = lstatSync(absolute);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new HsmError(ErrorCodes.IO, `cannot inspect \`${shown}\`: ${(e as Error).message}`, { cause: e });
  }
  if (stat.isSymbolicLink() || !stat.isDirectory()) {
    throw new HsmError(ErrorCodes.PATH_UNSAFE, `\`${shown}\` is ${stat.isSymbolicLink() ? 'a symlink' : 'not a folder'}`, {
      hint: `remove \`${shown}\`; hsm recreates it`,
    });
  }
  return true;
}

/**
 * Creates `.hsm/` (with a `.gitignore` of `*` so it is never committed) and returns its path. Synchronous: it is
 * on the project lock's fast path, where a few direct syscalls beat thread-pool round trips.
 */
export function ensureHsmDir(projectDir: string): string {
  const dir = path.join(projectDir, HSM_DIR);
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HsmError(ErrorCodes.IO, `project folder \`${projectDir}\` does not exist`, { cause: e, hint: 'pass an existing folder with `-C DIR`' });
    if (code !== 'EEXIST') throw new HsmError(ErrorCodes.IO, `cannot create \`${HSM_DIR}/\`: ${(e as Error).message}`, { cause: e });
  }
  assertRealDirectory(dir, HSM_DIR);
  const gitignore = path.join(dir, '.gitignore');
  if (!existsSync(gitignore)) {
    try {
      writeFileSync(gitignore, '*\n', { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new HsmError(ErrorCodes.IO, `cannot write \`${HSM_DIR}/.gitignore\`: ${(e as Error).message}`, { cause: e });
    }
  }
  return dir;
}
