/**
 * Puts every journaled file back to its prior bytes and mode (or removes it if it did not exist), removes the
 * temp files a crash may have left, and removes the folders the transaction created. Idempotent: a crash in the
 * middle of a rollback is finished by the next one. A file already identical to its prior state is not
 * rewritten, so its mtime survives.
 */
import { constants } from 'node:fs';
import { mkdir, open, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { parseProjectPath, resolveProjectPath } from './project-path.js';
import { tempPathFor, unlinkDurable, writeFileDurable } from './durable-fs.js';
import { crashPoint } from './crash-point.js';
import type { Journal, PriorState } from './journal.js';

/** Returns the paths whose bytes or existence actually changed back. */
export async function rollBack(projectDir: string, journal: Journal): Promise<string[]> {
  const restored: string[] = [];
  for (let i = 0; i < journal.entries.length; i++) {
    const entry = journal.entries[i];
    if (!entry.before) continue;
    // The journal is input like any other: re-check that it only names files inside the project.
    const { absolute, relative } = await resolveProjectPath(projectDir, entry.path, false);
    await rm(tempPathFor(absolute), { force: true });
    if (await restoreOne(absolute, entry.before)) restored.push(relative);
    crashPoint(`rollback-${i}`);
  }
  for (const dir of [...journal.createdDirs].reverse()) {
    const { absolute } = parseProjectPath(projectDir, dir);
    try {
      await rmdir(absolute);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Something else put files there meanwhile (uv, the user): leave the folder.
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw e;
    }
  }
  return restored;
}

async function restoreOne(absolute: string, before: PriorState): Promise<boolean> {
  const current = await readCurrent(absolute);
  if (before.kind === 'absent') {
    if (current === null) return false;
    await unlinkDurable(absolute);
    return true;
  }
  const bytes = Buffer.from(before.base64, 'base64');
  if (current !== null && current.mode === before.mode && current.bytes.equals(bytes)) return false;
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFileDurable(absolute, { bytes, mode: before.mode, uid: before.uid, gid: before.gid });
  return true;
}

async function readCurrent(absolute: string): Promise<{ bytes: Buffer; mode: number } | null> {
  let handle;
  try {
    handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'ELOOP') return { bytes: Buffer.alloc(0), mode: -1 }; // a symlink: differs, gets replaced
    throw e;
  }
  try {
    const stat = await handle.stat();
    return { bytes: await handle.readFile(), mode: stat.mode & 0o7777 };
  } finally {
    await handle.close();
  }
}
