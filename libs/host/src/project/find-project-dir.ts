/** Where a project is: the nearest directory at or above a start folder holding hsm.yaml (like uv and git). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HsmError, ErrorCodes } from '@hsm/core/errors';

export const MANIFEST = 'hsm.yaml';
export const OVERLAY = 'hsm.local.yaml';
/** The transaction's folder and journal, relative to the project (txn/journal.ts writes them). */
export const TXN_DIR = '.hsm/txn';
export const JOURNAL_FILE = `${TXN_DIR}/journal.json`;

export function findProjectDir(start: string): string {
  const from = resolve(start);
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
