/** Where a project is: the nearest directory at or above a start folder holding hsm.yaml (like uv and git). */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { HsmError, ErrorCodes } from '@hsm/core/errors';

export const MANIFEST = 'hsm.yaml';
export const OVERLAY = 'hsm.local.yaml';
/** The transaction's folder and journal, relative to the project (txn/journal.ts writes them). */
export const TXN_DIR = '.hsm/txn';
export const JOURNAL_FILE = `${TXN_DIR}/journal.json`;

/**
 * The working directory the way the shell — and Docker Compose, through Go's os.Getwd — sees it: `$PWD` when it is
 * an absolute path naming the same directory as getcwd(), else getcwd(). Through a symlinked directory that is the
 * symlink's path, which names the Compose project and anchors its relative paths; hsm must start from the same
 * path, or `hsm up` and the user's `docker compose up` run two stacks (issue 9, link switches). uv and git resolve
 * symlinks themselves, so nothing of theirs changes.
 */
export function workingDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const cwd = process.cwd();
  const pwd = env.PWD;
  return pwd && pwd !== cwd && isAbsolute(pwd) && sameDirectory(pwd, cwd) ? pwd : cwd;
}

function sameDirectory(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.isDirectory() && x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

export function findProjectDir(start: string): string {
  // a relative start (`-C sub`) from where the shell is, as Compose takes `--project-directory sub`
  const from = resolve(workingDirectory(), start);
  if (!existsSync(from)) throw new HsmError(ErrorCodes.USAGE, `directory ${start} does not exist`, { hint: 'check the path given to -C' });
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, MANIFEST))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new HsmError(ErrorCodes.MANIFEST_NOT_FOUND, `no ${MANIFEST} in ${from} or any parent directory`, {
    hint: 'run `hsm init` to create one',
  });
}
